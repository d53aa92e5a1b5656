"""POST /v1/import and GET /v1/export: the bundle format as the contract."""

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_actor, make_sector

FORMAT = "sanctions-tracker-bundle/1"
TYPES = ["sources", "organizations", "actors", "sectors", "sanctions_rounds", "engagements"]


def counts(**by_type: tuple[int, int, int]) -> dict[str, Any]:
    """The expected import answer from (created, updated, unchanged) per record type."""
    full = {name: by_type.get(name, (0, 0, 0)) for name in TYPES}
    return {
        "created": {name: c for name, (c, _, _) in full.items()},
        "updated": {name: u for name, (_, u, _) in full.items()},
        "unchanged": {name: n for name, (_, _, n) in full.items()},
        **{name: {"created": c, "updated": u, "unchanged": n} for name, (c, u, n) in full.items()},
    }


def trip_bundle() -> dict[str, Any]:
    """Adeyemo's trip, written legs first and children before parents: order must not matter."""
    return {
        "format": FORMAT,
        "engagements": [
            {
                "key": "adeyemo-london",
                "kind": "meeting",
                "title": "Adeyemo at Chatham House",
                "start_date": "2022-03-29",
                "parent": "adeyemo-trip",
                "location": {"city": "London", "country": "GB"},
                "countries": ["US", "GB"],
                "participants": [{"actor": "wally-adeyemo", "role": "principal"}],
                "sectors": ["military-supply-chains"],
                "sources": [
                    {"source": "reuters-2022-04-01", "quote": "speaking in London on Tuesday"}
                ],
            },
            {
                "key": "adeyemo-trip",
                "kind": "trip",
                "title": "Adeyemo's European trip",
                "start_date": "2022-03-28",
                "end_date": "2022-04-01",
                "date_precision": "week",
                "countries": ["US", "GB", "BE", "FR", "DE"],
                "participants": [{"actor": "wally-adeyemo", "role": "principal"}],
            },
        ],
        "actors": [
            {
                "key": "wally-adeyemo",
                "name": "Wally Adeyemo",
                "country": "US",
                "positions": [
                    {
                        "title": "Deputy Secretary of the Treasury",
                        "organization": "us-treasury",
                        "start_date": "2021-03-26",
                        "end_date": None,
                    }
                ],
            },
        ],
        "organizations": [
            {
                "key": "us-treasury",
                "name": "U.S. Department of the Treasury",
                "kind": "government_body",
                "country": "US",
            },
        ],
        "sectors": [
            {
                "key": "military-supply-chains",
                "name": "Military supply chains",
                "parent": "defense",
            },
            {"key": "defense", "name": "Defence"},
        ],
        "sources": [
            {
                "key": "reuters-2022-04-01",
                "kind": "news_article",
                "title": "Blinken, UK's Truss discuss",
                "publisher": "Reuters",
                "published_on": "2022-04-01",
                "authors": ["Daphne Psaledakis", "Chris Gallagher"],
            },
        ],
    }


def test_import_creates_everything_and_counts_it(client: TestClient) -> None:
    response = client.post("/v1/import", json=trip_bundle())

    assert response.status_code == 200
    assert response.json() == {
        "dry_run": False,
        **counts(
            sources=(1, 0, 0),
            organizations=(1, 0, 0),
            actors=(1, 0, 0),
            sectors=(2, 0, 0),
            engagements=(2, 0, 0),
        ),
    }
    trip = client.get("/v1/engagements/adeyemo-trip").json()
    assert [leg["key"] for leg in trip["legs"]] == ["adeyemo-london"]
    assert client.get("/v1/sectors/military-supply-chains").json()["parent"]["key"] == "defense"


def test_importing_the_same_bundle_twice_changes_nothing(client: TestClient) -> None:
    client.post("/v1/import", json=trip_bundle())
    before = client.get("/v1/engagements/adeyemo-london").json()

    response = client.post("/v1/import", json=trip_bundle())

    assert response.json() == {
        "dry_run": False,
        **counts(
            sources=(0, 0, 1),
            organizations=(0, 0, 1),
            actors=(0, 0, 1),
            sectors=(0, 0, 2),
            engagements=(0, 0, 2),
        ),
    }
    assert client.get("/v1/engagements/adeyemo-london").json() == before


def test_a_record_is_whole_so_a_left_out_field_returns_to_its_default(client: TestClient) -> None:
    client.post("/v1/import", json=trip_bundle())
    bundle = trip_bundle()
    london = bundle["engagements"][0]
    del london["sources"], london["location"]
    london["title"] = "Adeyemo speaks at Chatham House"

    response = client.post("/v1/import", json=bundle)

    assert response.json()["engagements"] == {"created": 0, "updated": 1, "unchanged": 1}
    body = client.get("/v1/engagements/adeyemo-london").json()
    assert (body["title"], body["sources"], body["location"]) == (
        "Adeyemo speaks at Chatham House",
        [],
        None,
    )


def test_references_may_name_stored_records(client: TestClient, session: Session) -> None:
    make_actor(session, key="antony-blinken", name="Antony Blinken")
    bundle = {
        "format": FORMAT,
        "engagements": [
            {
                "key": "call",
                "title": "Call",
                "start_date": "2022-04-01",
                "participants": [{"actor": "antony-blinken", "role": "principal"}],
            }
        ],
    }

    assert client.post("/v1/import", json=bundle).status_code == 200
    assert (
        client.get("/v1/engagements/call").json()["participants"][0]["actor"]["key"]
        == "antony-blinken"
    )


def test_dry_run_counts_but_writes_nothing(client: TestClient) -> None:
    response = client.post("/v1/import?dry_run=true", json=trip_bundle())

    assert response.json()["dry_run"] is True
    assert response.json()["engagements"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert client.get("/v1/engagements").json()["total"] == 0


def test_every_error_is_listed_with_its_pointer_and_nothing_is_written(client: TestClient) -> None:
    bundle = trip_bundle()
    bundle["engagements"][0]["participants"][0]["actor"] = "wally-adeyemo-typo"
    bundle["engagements"][1]["end_date"] = "2022-03-01"
    bundle["engagements"][1]["countries"].append("XX")
    bundle["actors"][0]["positions"][0]["organization"] = "treasury"
    bundle["sectors"].append({"key": "defense", "name": "Defence again"})
    bundle["sources"][0]["kind"] = "tweet"
    bundle["engagement"] = []

    response = client.post("/v1/import", json=bundle)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["status"], problem["type"]) == (422, "/problems/validation-error")
    assert sorted(error["pointer"] for error in problem["errors"]) == sorted(
        [
            "/engagement",
            "/engagements/1/end_date",
            "/sources/0/kind",
            "/sectors/2/key",
            "/engagements/0/participants/0/actor",
            "/engagements/1/countries/5",
            "/actors/0/positions/0/organization",
        ]
    )
    assert all(error["message"] for error in problem["errors"])
    assert client.get("/v1/export").json() == {"format": FORMAT, **{name: [] for name in TYPES}}


@pytest.mark.parametrize(
    ("bundle", "pointer"),
    [
        ({"sources": []}, "/format"),
        ({"format": "sanctions-tracker-bundle/2"}, "/format"),
        ({"format": FORMAT, "sectors": {"key": "energy"}}, "/sectors"),
        ({"format": FORMAT, "sectors": [{"key": "Energy", "name": "Energy"}]}, "/sectors/0/key"),
        (
            {"format": FORMAT, "sectors": [{"key": "2022", "name": "Numbers only"}]},
            "/sectors/0/key",
        ),
        (
            {"format": FORMAT, "sectors": [{"key": "energy", "name": "Energy", "colour": "red"}]},
            "/sectors/0/colour",
        ),
        (
            {
                "format": FORMAT,
                "sectors": [
                    {"key": "a", "name": "A", "parent": "b"},
                    {"key": "b", "name": "B", "parent": "a"},
                ],
            },
            "/sectors/0/parent",
        ),
        (
            {
                "format": FORMAT,
                "engagements": [
                    {"key": "e", "title": "E", "start_date": "2022-04-01", "parent": "e"}
                ],
            },
            "/engagements/0/parent",
        ),
    ],
)
def test_malformed_bundles_are_refused(
    client: TestClient, bundle: dict[str, Any], pointer: str
) -> None:
    response = client.post("/v1/import", json=bundle)

    assert response.status_code == 422
    assert pointer in [error["pointer"] for error in response.json()["errors"]]


def test_a_body_that_is_not_an_object_is_refused(client: TestClient) -> None:
    response = client.post("/v1/import", json=[{"format": FORMAT}])

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_a_bundle_cannot_make_a_stored_sector_its_own_ancestor(
    client: TestClient, session: Session
) -> None:
    make_sector(session, key="energy", name="Energy")
    make_sector(session, key="oil", name="Oil", parent="energy")
    bundle = {"format": FORMAT, "sectors": [{"key": "energy", "name": "Energy", "parent": "oil"}]}

    response = client.post("/v1/import", json=bundle)

    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == ["/sectors/0/parent"]
    assert client.get("/v1/sectors/energy").json()["parent"] is None


def test_export_gives_every_record_sorted_by_key_in_bundle_form(client: TestClient) -> None:
    client.post("/v1/import", json=trip_bundle())

    exported = client.get("/v1/export").json()

    assert list(exported) == ["format", *TYPES]
    assert [sector["key"] for sector in exported["sectors"]] == [
        "defense",
        "military-supply-chains",
    ]
    london = exported["engagements"][0]
    expected = copy.deepcopy(trip_bundle()["engagements"][0])
    assert london["location"]["city"] == "London"
    assert london["location"]["latitude"] is not None
    assert {k: london[k] for k in expected if k != "location"} == {
        k: v for k, v in expected.items() if k != "location"
    }
    # defaults are written out: an export is a complete bundle
    assert (london["summary"], london["topics"], london["status"]) == (None, [], "held")


def test_exporting_and_importing_the_export_is_a_fixed_point(client: TestClient) -> None:
    client.post("/v1/import", json=trip_bundle())
    exported = client.get("/v1/export").json()

    response = client.post("/v1/import", json=exported)

    assert response.json()["created"] == dict.fromkeys(TYPES, 0)
    assert response.json()["updated"] == dict.fromkeys(TYPES, 0)
    assert client.get("/v1/export").json() == exported
