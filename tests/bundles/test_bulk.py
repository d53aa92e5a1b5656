"""Imports of many new records take the bulk path of the write engine; what they store, log and
index is what the record-by-record path stores, so the expected answers come from the bundle."""

import io
import json
from typing import Any

from fastapi.testclient import TestClient

from sanctions_tracker.generator import Plan, records
from sanctions_tracker.generator.writer import write_bundle
from sanctions_tracker.registry import RECORD_TYPES
from tests.history.feed import changes

FORMAT = "sanctions-tracker-bundle/1"


def generated(engagements: int = 200, rounds: int = 12, seed: int = 21) -> dict[str, Any]:
    out = io.StringIO()
    write_bundle(records(Plan(engagements=engagements, rounds=rounds, seed=seed)), out)
    bundle: dict[str, Any] = json.loads(out.getvalue())
    return bundle


def by_key(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda record: record["key"])


def test_a_generated_bundle_is_stored_logged_and_indexed_record_for_record(
    client: TestClient,
) -> None:
    bundle = generated()

    answer = client.post("/v1/import", json=bundle)

    assert answer.status_code == 200, answer.text
    exported = client.get("/v1/export").json()
    for name in RECORD_TYPES:
        assert exported[name] == by_key(bundle[name]), name
    feed = changes(client)
    expected = [(name, record["key"]) for name in RECORD_TYPES for record in bundle[name]]
    assert sorted((item["type"], item["key"]) for item in feed) == sorted(expected)
    assert {(item["action"], item["via"], item["version"]) for item in feed} == {
        ("create", "import", 1)
    }
    records_by_key = {(name, r["key"]): r for name in RECORD_TYPES for r in bundle[name]}
    assert all(item["record"] == records_by_key[(item["type"], item["key"])] for item in feed)
    # trips are logged before their legs, so the feed replays in a consistent order
    position = {item["key"]: index for index, item in enumerate(feed)}
    for leg in bundle["engagements"]:
        if leg["parent"] is not None:
            assert position[leg["parent"]] < position[leg["key"]]
    # every written record has its id in the feed, and the same id as its record
    for item in feed:
        if item["type"] == "engagements":
            assert client.get(f"/v1/engagements/{item['id']}").json()["key"] == item["key"]
            break


def test_the_search_finds_the_engagements_whose_text_holds_the_word(client: TestClient) -> None:
    bundle = generated()
    assert client.post("/v1/import", json=bundle).status_code == 200

    def text(record: dict[str, Any]) -> str:
        location = record["location"] or {}
        quotes = [citation["quote"] or "" for citation in record["sources"]]
        parts = [record["title"], record["summary"], location.get("city") or "", *quotes]
        return " ".join(parts + record["topics"]).lower()

    for word in ("semiconductors", "swift"):
        expected = sorted(r["key"] for r in bundle["engagements"] if word in text(r).split()
                          or f"{word}." in text(r).split())  # fmt: skip
        answer = client.get("/v1/engagements", params={"q": word, "limit": 500, "sort": "key"})
        assert answer.status_code == 200, answer.text
        assert [item["key"] for item in answer.json()["items"]] == expected, word
        assert expected


def test_new_and_changed_records_in_one_import(client: TestClient) -> None:
    """A stored engagement that becomes the leg of a new trip: the trip is created by the bulk
    path, the leg changed through the record-by-record path, and the feed logs the trip first."""
    bundle = generated(engagements=60, rounds=4)
    assert client.post("/v1/import", json=bundle).status_code == 200
    leg = next(r for r in bundle["engagements"] if r["parent"] is None and r["kind"] == "call")
    changed_leg = {**leg, "kind": "visit", "parent": "a-new-trip", "title": "Now a leg"}
    trip = {**leg, "key": "a-new-trip", "kind": "trip", "title": "A new trip", "parent": None}
    since = changes(client)[-1]["seq"]

    answer = client.post("/v1/import", json={"format": FORMAT, "engagements": [changed_leg, trip]})

    assert answer.status_code == 200, answer.text
    assert answer.json()["engagements"] == {"created": 1, "updated": 1, "unchanged": 0}
    got = client.get(f"/v1/engagements/{leg['key']}").json()
    assert (got["parent"]["key"], got["version"], got["title"]) == ("a-new-trip", 2, "Now a leg")
    trip_read = client.get("/v1/engagements/a-new-trip").json()
    assert [item["key"] for item in trip_read["legs"]] == [leg["key"]]
    assert trip_read["version"] == 1
    feed = changes(client, since)
    assert [(i["key"], i["action"], i["version"]) for i in feed] == [
        ("a-new-trip", "create", 1),
        (leg["key"], "update", 2),
    ]
    assert client.post(
        "/v1/import", json={"format": FORMAT, "engagements": [changed_leg, trip]}
    ).json()["engagements"] == {"created": 0, "updated": 0, "unchanged": 2}


def test_a_bad_record_deep_in_a_generated_bundle_writes_nothing(client: TestClient) -> None:
    bundle = generated()
    legs = [i for i, r in enumerate(bundle["engagements"]) if r["parent"] is not None]
    bad = legs[-1]
    bundle["engagements"][bad]["parent"] = "no-such-trip"
    before = client.get("/v1/changes").json()["total"]

    answer = client.post("/v1/import", json=bundle)

    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["pointer"] == f"/engagements/{bad}/parent"
    assert "'no-such-trip'" in error["message"]
    for name in RECORD_TYPES:
        assert client.get(f"/v1/{name.replace('_', '-')}").json()["total"] == 0, name
    assert client.get("/v1/changes").json()["total"] == before
