"""Engagements over HTTP: the record, its embedded references, filters and pagination."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import (
    make_actor,
    make_engagement,
    make_organization,
    make_round,
    make_sector,
    make_source,
)

BLINKEN = {"key": "antony-blinken", "name": "Antony Blinken", "country": "US"}
TRUSS = {"key": "liz-truss", "name": "Liz Truss", "aliases": ["Elizabeth Truss"], "country": "GB"}


def ref(client: TestClient, path: str) -> dict[str, Any]:
    """The {id, key, name} a response embeds for the record at `path`."""
    body = client.get(path).json()
    return {"id": body["id"], "key": body["key"], "name": body.get("name") or body["title"]}


@pytest.fixture
def call_parts(session: Session) -> dict[str, Any]:
    make_actor(session, **BLINKEN)
    make_actor(session, **TRUSS)
    make_organization(session, key="us-department-of-state", name="U.S. Department of State")
    make_sector(session, key="energy", name="Energy")
    make_source(session, key="reuters-2022-04-01")
    make_round(session, key="us-2022-03-08-energy-import-ban")
    return {
        "key": "2022-04-01-blinken-truss-call",
        "kind": "call",
        "title": "Blinken and Truss discuss further actions against Russia",
        "summary": "Transatlantic unity and the coming NATO Foreign Ministerial.",
        "start_date": "2022-04-01",
        "end_date": None,
        "date_precision": "day",
        "status": "held",
        "location": None,
        "countries": ["US", "GB"],
        "organizations": ["us-department-of-state"],
        "participants": [
            {"actor": "antony-blinken", "role": "principal"},
            {"actor": "liz-truss", "role": "counterpart"},
        ],
        "topics": ["sanctions", "nato"],
        "sectors": ["energy"],
        "sanctions_rounds": ["us-2022-03-08-energy-import-ban"],
        "parent": None,
        "sources": [{"source": "reuters-2022-04-01", "quote": "The two also discussed next week"}],
    }


def test_create_answers_201_with_location_and_embedded_references(
    client: TestClient, call_parts: dict[str, Any]
) -> None:
    response = client.post("/v1/engagements", json=call_parts)

    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"].endswith("/v1/engagements/2022-04-01-blinken-truss-call")
    assert body == {
        **call_parts,
        "id": body["id"],
        "organizations": [ref(client, "/v1/organizations/us-department-of-state")],
        "participants": [
            {"actor": ref(client, "/v1/actors/antony-blinken"), "role": "principal"},
            {"actor": ref(client, "/v1/actors/liz-truss"), "role": "counterpart"},
        ],
        "sectors": [ref(client, "/v1/sectors/energy")],
        "sanctions_rounds": [ref(client, "/v1/sanctions-rounds/us-2022-03-08-energy-import-ban")],
        "sources": [
            {
                "source": ref(client, "/v1/sources/reuters-2022-04-01"),
                "quote": "The two also discussed next week",
            }
        ],
        "legs": [],
        "created_at": body["created_at"],
        "updated_at": body["created_at"],
        "version": 1,
    }
    assert client.get(response.headers["location"]).json() == body
    assert client.get(f"/v1/engagements/{body['id']}").json() == body


def test_defaults_fill_what_a_create_leaves_out(client: TestClient) -> None:
    body = client.post(
        "/v1/engagements",
        json={
            "key": "2022-04-06-nato-ministerial",
            "title": "NATO ministerial",
            "start_date": "2022-04-06",
        },
    ).json()

    assert {name: body[name] for name in ("kind", "date_precision", "status", "location")} == {
        "kind": "other",
        "date_precision": "day",
        "status": "held",
        "location": None,
    }
    assert [body[name] for name in ("countries", "participants", "topics", "sources")] == [
        [],
        [],
        [],
        [],
    ]


def test_a_located_city_gets_its_coordinates_from_the_gazetteer(client: TestClient) -> None:
    body = client.post(
        "/v1/engagements",
        json={
            "key": "2022-03-29-blinken-mbz-rabat",
            "kind": "meeting",
            "title": "Blinken meets the Abu Dhabi Crown Prince",
            "start_date": "2022-03-29",
            "location": {"city": "Rabat", "country": "MA"},
        },
    ).json()

    assert body["location"]["city"] == "Rabat"
    assert body["location"]["country"] == "MA"
    assert body["location"]["latitude"] == pytest.approx(34.01, abs=0.05)
    assert body["location"]["longitude"] == pytest.approx(-6.83, abs=0.05)


def test_given_coordinates_are_kept(client: TestClient) -> None:
    location = {"city": "NATO HQ", "country": "BE", "latitude": 50.8794, "longitude": 4.4254}
    body = client.post(
        "/v1/engagements",
        json={
            "key": "nato-hq",
            "title": "At NATO HQ",
            "start_date": "2022-04-06",
            "location": location,
        },
    ).json()

    assert body["location"] == location


def test_a_trip_lists_its_legs_in_date_order(client: TestClient, session: Session) -> None:
    make_engagement(
        session, key="adeyemo-trip", kind="trip", start_date="2022-03-28", end_date="2022-04-01"
    )
    make_engagement(
        session, key="leg-paris", kind="visit", start_date="2022-03-30", parent="adeyemo-trip"
    )
    make_engagement(
        session, key="leg-london", kind="visit", start_date="2022-03-29", parent="adeyemo-trip"
    )

    trip = client.get("/v1/engagements/adeyemo-trip").json()
    leg = client.get("/v1/engagements/leg-london").json()

    assert [item["key"] for item in trip["legs"]] == ["leg-london", "leg-paris"]
    assert leg["parent"] == {"id": trip["id"], "key": "adeyemo-trip", "name": trip["title"]}


def test_patch_changes_only_what_was_sent_and_replaces_lists_whole(
    client: TestClient, call_parts: dict[str, Any]
) -> None:
    created = client.post("/v1/engagements", json=call_parts).json()

    response = client.patch(
        "/v1/engagements/2022-04-01-blinken-truss-call",
        json={"status": "cancelled", "countries": ["GB"], "topics": []},
    )

    assert response.status_code == 200
    body = response.json()
    unchanged = {
        k: v
        for k, v in created.items()
        if k not in ("status", "countries", "topics", "updated_at", "version")
    }
    assert {k: v for k, v in body.items() if k in unchanged} == unchanged
    assert (body["status"], body["countries"], body["topics"]) == ("cancelled", ["GB"], [])
    assert body["updated_at"] >= created["updated_at"]
    assert (created["version"], body["version"]) == (1, 2)


def test_patch_can_rename_the_key_and_reorder_lists(
    client: TestClient, call_parts: dict[str, Any]
) -> None:
    client.post("/v1/engagements", json=call_parts)

    body = client.patch(
        "/v1/engagements/2022-04-01-blinken-truss-call",
        json={"key": "blinken-truss-call", "countries": ["GB", "US"]},
    ).json()

    assert (body["key"], body["countries"]) == ("blinken-truss-call", ["GB", "US"])
    assert client.get("/v1/engagements/2022-04-01-blinken-truss-call").status_code == 404
    assert client.get("/v1/engagements/blinken-truss-call").json() == body


def test_delete_answers_204_then_404(client: TestClient, session: Session) -> None:
    make_engagement(session, key="to-delete")

    assert client.delete("/v1/engagements/to-delete").status_code == 204
    assert client.get("/v1/engagements/to-delete").status_code == 404


def test_a_trip_with_legs_is_not_deleted(client: TestClient, session: Session) -> None:
    make_engagement(session, key="trip", kind="trip")
    make_engagement(session, key="leg", kind="visit", parent="trip", title="London leg")

    response = client.delete("/v1/engagements/trip")

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["referenced_by"] == [
        {"type": "engagements", "key": "leg", "name": "London leg"}
    ]
    assert client.get("/v1/engagements/trip").status_code == 200


def test_records_it_refers_to_cannot_be_deleted(
    client: TestClient, call_parts: dict[str, Any]
) -> None:
    client.post("/v1/engagements", json=call_parts)
    expected = [{"type": "engagements", "key": call_parts["key"], "name": call_parts["title"]}]

    for path in (
        "/v1/actors/liz-truss",
        "/v1/organizations/us-department-of-state",
        "/v1/sectors/energy",
        "/v1/sources/reuters-2022-04-01",
        "/v1/sanctions-rounds/us-2022-03-08-energy-import-ban",
    ):
        response = client.delete(path)
        assert (path, response.status_code, response.json()["referenced_by"]) == (
            path,
            409,
            expected,
        )


def keys(client: TestClient, query: str) -> list[str]:
    response = client.get(f"/v1/engagements?{query}")
    assert response.status_code == 200, response.json()
    return [item["key"] for item in response.json()["items"]]


@pytest.fixture
def week(session: Session) -> None:
    """The engagements of the week of 28 March 2022, reduced to what the filters look at."""
    make_actor(session, **BLINKEN)
    make_actor(session, key="daleep-singh", name="Daleep Singh", country="US")
    make_organization(
        session, key="nato", name="North Atlantic Treaty Organization", kind="alliance"
    )
    make_sector(session, key="energy", name="Energy")
    make_sector(session, key="oil", name="Oil", parent="energy")
    make_round(session, key="eu-package-5")
    make_engagement(
        session,
        key="trip",
        kind="trip",
        start_date="2022-03-28",
        end_date="2022-04-01",
        date_precision="week",
        countries=["US", "GB", "BE"],
        topics=["sanctions"],
        title="Adeyemo trip to Europe",
    )
    make_engagement(
        session,
        key="london",
        kind="meeting",
        start_date="2022-03-29",
        parent="trip",
        countries=["US", "GB"],
        location={"city": "London", "country": "GB"},
        summary="Remarks at Chatham House on military supply chains",
        title="Adeyemo in London",
    )
    make_engagement(
        session,
        key="rabat",
        kind="meeting",
        start_date="2022-03-29",
        countries=["US", "AE"],
        participants=[{"actor": "antony-blinken", "role": "principal"}],
        location={"city": "Rabat", "country": "MA"},
        title="Blinken meets MBZ",
    )
    make_engagement(
        session,
        key="new-delhi",
        kind="visit",
        start_date="2022-03-30",
        end_date="2022-03-31",
        countries=["US", "IN"],
        participants=[{"actor": "daleep-singh", "role": "principal"}],
        sectors=["oil"],
        topics=["energy", "sanctions"],
        title="Singh in New Delhi",
    )
    make_engagement(
        session,
        key="nato-ministerial",
        kind="ministerial",
        status="planned",
        start_date="2022-04-06",
        end_date="2022-04-07",
        organizations=["nato"],
        sanctions_rounds=["eu-package-5"],
        countries=["US", "GB", "UA"],
        title="NATO ministerial",
    )


@pytest.mark.usefixtures("week")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["nato-ministerial", "new-delhi", "rabat", "london", "trip"]),
        ("kind=meeting", ["rabat", "london"]),
        ("kind=meeting&kind=visit", ["new-delhi", "rabat", "london"]),
        ("status=planned", ["nato-ministerial"]),
        ("country=IN", ["new-delhi"]),
        ("country=ae&country=IN", ["new-delhi", "rabat"]),
        ("country=GB&kind=meeting", ["london"]),
        ("location_country=MA", ["rabat"]),
        ("actor=antony-blinken", ["rabat"]),
        ("organization=nato", ["nato-ministerial"]),
        ("sector=energy", ["new-delhi"]),
        ("sector=oil", ["new-delhi"]),
        ("sanctions_round=eu-package-5", ["nato-ministerial"]),
        ("topic=sanctions", ["new-delhi", "trip"]),
        ("parent=trip", ["london"]),
        ("from=2022-03-31&to=2022-03-31", ["new-delhi", "trip"]),
        ("from=2022-04-02", ["nato-ministerial"]),
        ("to=2022-03-28", ["trip"]),
        ("from=2022-04-07&to=2022-04-30", ["nato-ministerial"]),
        ("q=CHATHAM", ["london"]),
        ("q=adeyemo", ["london", "trip"]),
        ("q=100%25", []),
        ("actor=nobody-known", []),
        ("sort=title", ["london", "trip", "rabat", "nato-ministerial", "new-delhi"]),
        ("sort=-title", ["new-delhi", "nato-ministerial", "rabat", "trip", "london"]),
    ],
)
def test_filters(client: TestClient, query: str, expected: list[str]) -> None:
    assert keys(client, query) == expected


@pytest.mark.usefixtures("week")
def test_filters_by_id_as_well_as_key(client: TestClient) -> None:
    actor_id = client.get("/v1/actors/daleep-singh").json()["id"]

    assert keys(client, f"actor={actor_id}") == ["new-delhi"]


@pytest.mark.usefixtures("week")
def test_total_counts_every_match_not_only_the_page(client: TestClient) -> None:
    body = client.get("/v1/engagements?topic=sanctions&limit=1").json()

    assert (body["total"], len(body["items"])) == (2, 1)


def test_equal_dates_are_ordered_by_id(client: TestClient, session: Session) -> None:
    created = [
        make_engagement(session, key=f"same-day-{n}", start_date="2022-03-29")["key"]
        for n in range(3)
    ]

    assert keys(client, "sort=start_date") == created
    assert keys(client, "") == created[::-1]


def test_ids_are_never_reused_after_a_delete(client: TestClient, session: Session) -> None:
    body = {"key": "first", "title": "First", "start_date": "2022-04-01"}
    first = client.post("/v1/engagements", json=body).json()["id"]
    client.delete("/v1/engagements/first")

    second = client.post("/v1/engagements", json=body | {"key": "second"}).json()["id"]

    assert second > first
    assert client.get(f"/v1/engagements/{first}").status_code == 404
