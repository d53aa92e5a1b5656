"""An import of 5,000 records with one bad record deep inside writes nothing, and its error names
the bad field by its JSON Pointer into the bundle."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

FORMAT = "sanctions-tracker-bundle/1"
RECORDS = 5_000
BAD = 3_700
ACTORS = ["antony-blinken", "liz-truss", "s-jaishankar"]
PARTNERS = ["GB", "IN", "FR", "DE", "JP", "UA", "PL", "CA"]


def big_bundle() -> dict[str, Any]:
    """Three actors and 5,000 calls between them, all valid."""
    actors = [
        {"key": "antony-blinken", "name": "Antony Blinken", "country": "US"},
        {"key": "liz-truss", "name": "Liz Truss", "country": "GB"},
        {"key": "s-jaishankar", "name": "S. Jaishankar", "country": "IN"},
    ]
    engagements = [
        {
            "key": f"call-{n:05d}",
            "kind": "call",
            "title": f"Call number {n}",
            "start_date": f"2022-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
            "countries": ["US", PARTNERS[n % len(PARTNERS)]],
            "participants": [
                {"actor": ACTORS[0], "role": "principal"},
                {"actor": ACTORS[1 + n % 2], "role": "counterpart"},
            ],
        }
        for n in range(RECORDS)
    ]
    return {"format": FORMAT, "actors": actors, "engagements": engagements}


def unknown_country(record: dict[str, Any]) -> None:
    record["countries"][1] = "UK"


def missing_title(record: dict[str, Any]) -> None:
    del record["title"]


def unknown_actor(record: dict[str, Any]) -> None:
    record["participants"][1]["actor"] = "liz-truss-typo"


@pytest.mark.parametrize(
    ("spoil", "pointer", "said"),
    [
        (unknown_country, f"/engagements/{BAD}/countries/1", "'UK'"),
        (missing_title, f"/engagements/{BAD}/title", "required"),
        (unknown_actor, f"/engagements/{BAD}/participants/1/actor", "'liz-truss-typo'"),
    ],
    ids=["unknown-country", "missing-field", "unknown-reference"],
)
def test_one_bad_record_of_five_thousand_writes_nothing_and_is_named(
    client: TestClient,
    spoil: Callable[[dict[str, Any]], None],
    pointer: str,
    said: str,
) -> None:
    bundle = big_bundle()
    spoil(bundle["engagements"][BAD])
    changes_before = client.get("/v1/changes").json()["total"]

    answer = client.post("/v1/import", json=bundle)

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert (problem["type"], problem["status"]) == ("/problems/validation-error", 422)
    [error] = problem["errors"]
    assert error["pointer"] == pointer
    assert error["location"] == "body"
    assert said in error["message"]
    for collection in ("engagements", "actors"):
        assert client.get(f"/v1/{collection}").json()["total"] == 0
    assert client.get("/v1/changes").json()["total"] == changes_before


def test_the_same_bundle_without_the_bad_record_would_write_every_record(
    client: TestClient,
) -> None:
    """The refusals above are the bad record's alone: the rest of the bundle is valid."""
    answer = client.post("/v1/import", params={"dry_run": "true"}, json=big_bundle())

    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["dry_run"] is True
    assert result["engagements"] == {"created": RECORDS, "updated": 0, "unchanged": 0}
    assert result["actors"] == {"created": len(ACTORS), "updated": 0, "unchanged": 0}
    assert client.get("/v1/engagements").json()["total"] == 0
