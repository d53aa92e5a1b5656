"""Sanctions rounds over HTTP."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_engagement, make_round, make_sector, make_source


@pytest.fixture
def round_parts(session: Session) -> dict[str, Any]:
    make_sector(session, key="technology", name="Technology")
    make_sector(session, key="microelectronics", name="Semiconductors", parent="technology")
    make_source(session, key="treasury-2022-03-31", kind="press_release", publisher="U.S. Treasury")
    return {
        "key": "us-2022-03-31-technology",
        "title": "Treasury targets Russian technology companies and procurement networks",
        "imposed_by": ["US"],
        "targets": ["RU"],
        "announced_on": "2022-03-31",
        "effective_on": None,
        "status": "in_force",
        "measures": ["asset_freeze"],
        "sectors": ["technology", "microelectronics"],
        "legal_basis": "E.O. 14024",
        "designations": 34,
        "summary": "Aerospace, marine and electronics sectors added to E.O. 14024.",
        "sources": [{"source": "treasury-2022-03-31", "quote": None}],
    }


def test_create_answers_201_with_embedded_sectors_and_sources(
    client: TestClient, round_parts: dict[str, Any]
) -> None:
    response = client.post("/v1/sanctions-rounds", json=round_parts)

    assert response.status_code == 201
    body = response.json()
    sector = client.get("/v1/sectors/technology").json()
    chips = client.get("/v1/sectors/microelectronics").json()
    source = client.get("/v1/sources/treasury-2022-03-31").json()
    assert response.headers["location"].endswith("/v1/sanctions-rounds/us-2022-03-31-technology")
    assert body == {
        **round_parts,
        "id": body["id"],
        "sectors": [
            {"id": sector["id"], "key": "technology", "name": "Technology"},
            {"id": chips["id"], "key": "microelectronics", "name": "Semiconductors"},
        ],
        "sources": [
            {
                "source": {"id": source["id"], "key": source["key"], "name": source["title"]},
                "quote": None,
            }
        ],
        "created_at": body["created_at"],
        "updated_at": body["created_at"],
        "version": 1,
    }


def test_a_taken_key_is_a_409(client: TestClient, round_parts: dict[str, Any]) -> None:
    client.post("/v1/sanctions-rounds", json=round_parts)

    response = client.post("/v1/sanctions-rounds", json=round_parts | {"title": "Another"})

    assert response.status_code == 409
    assert response.json()["type"] == "/problems/conflict"
    assert (
        client.get("/v1/sanctions-rounds/us-2022-03-31-technology").json()["title"]
        == round_parts["title"]
    )


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"imposed_by": []}, "/imposed_by"),
        ({"targets": ["XX"]}, "/targets/0"),
        ({"imposed_by": ["UK"]}, "/imposed_by/0"),
        ({"measures": ["embargo"]}, "/measures/0"),
        ({"measures": ["asset_freeze", "asset_freeze"]}, "/measures"),
        ({"status": "proposed"}, "/status"),
        ({"sectors": ["no-such-sector"]}, "/sectors/0"),
        ({"sources": [{"source": "no-such-source", "quote": None}]}, "/sources/0/source"),
        ({"designations": -1}, "/designations"),
        ({"announced_on": "31 March 2022"}, "/announced_on"),
        ({"key": "US 2022"}, "/key"),
        ({"sanctioned": True}, "/sanctioned"),
    ],
)
def test_bad_fields_are_422_with_a_pointer_and_nothing_is_written(
    client: TestClient, round_parts: dict[str, Any], change: dict[str, Any], pointer: str
) -> None:
    response = client.post("/v1/sanctions-rounds", json=round_parts | change)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert {k: problem[k] for k in ("type", "title", "status")} == {
        "type": "/problems/validation-error",
        "title": "Validation failed",
        "status": 422,
    }
    assert [error["pointer"] for error in problem["errors"]] == [pointer]
    assert client.get("/v1/sanctions-rounds").json()["total"] == 0


def test_patch_replaces_lists_and_keeps_the_rest(
    client: TestClient, round_parts: dict[str, Any]
) -> None:
    created = client.post("/v1/sanctions-rounds", json=round_parts).json()

    body = client.patch(
        "/v1/sanctions-rounds/us-2022-03-31-technology",
        json={"imposed_by": ["US", "GB"], "sectors": [], "designations": None},
    ).json()

    assert (body["imposed_by"], body["sectors"], body["designations"]) == (["US", "GB"], [], None)
    assert {k: body[k] for k in ("title", "targets", "measures", "sources")} == {
        k: created[k] for k in ("title", "targets", "measures", "sources")
    }


def test_a_round_named_by_an_engagement_is_not_deleted(
    client: TestClient, session: Session
) -> None:
    make_round(session, key="eu-package-5")
    make_engagement(
        session, key="nato-ministerial", title="NATO ministerial", sanctions_rounds=["eu-package-5"]
    )

    response = client.delete("/v1/sanctions-rounds/eu-package-5")

    assert response.status_code == 409
    assert response.json()["referenced_by"] == [
        {"type": "engagements", "key": "nato-ministerial", "name": "NATO ministerial"}
    ]


@pytest.fixture
def rounds(session: Session) -> None:
    make_sector(session, key="energy", name="Energy")
    make_sector(session, key="oil", name="Oil", parent="energy")
    make_sector(session, key="coal", name="Coal", parent="energy")
    make_sector(session, key="banking", name="Banking")
    make_round(
        session,
        key="us-oil-ban",
        announced_on="2022-03-08",
        measures=["import_ban", "investment_ban"],
        sectors=["oil"],
        legal_basis="E.O. 14066",
        title="U.S. ban on Russian oil imports",
    )
    make_round(
        session,
        key="eu-package-5",
        imposed_by=["EU"],
        targets=["RU", "BY"],
        announced_on="2022-04-08",
        measures=["import_ban", "transport_ban"],
        sectors=["coal"],
        title="EU fifth package",
        legal_basis="Council Regulation (EU) 2022/576",
    )
    make_round(
        session,
        key="gb-banks",
        imposed_by=["GB"],
        announced_on="2022-02-22",
        measures=["asset_freeze"],
        sectors=["banking"],
        status="announced",
        title="UK freezes five banks",
    )
    make_round(
        session,
        key="planned-price-cap",
        imposed_by=["US", "GB"],
        announced_on="2022-04-01",
        measures=["price_cap"],
        status="planned",
        title="Price cap under discussion",
        summary="A cap on the price of Russian OIL",
        effective_on=None,
    )


def round_keys(client: TestClient, query: str) -> list[str]:
    response = client.get(f"/v1/sanctions-rounds?{query}")
    assert response.status_code == 200, response.json()
    return [item["key"] for item in response.json()["items"]]


@pytest.mark.usefixtures("rounds")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["eu-package-5", "planned-price-cap", "us-oil-ban", "gb-banks"]),
        ("imposed_by=GB", ["planned-price-cap", "gb-banks"]),
        ("imposed_by=EU&imposed_by=US", ["eu-package-5", "planned-price-cap", "us-oil-ban"]),
        ("target=BY", ["eu-package-5"]),
        ("measure=import_ban", ["eu-package-5", "us-oil-ban"]),
        ("measure=price_cap&measure=asset_freeze", ["planned-price-cap", "gb-banks"]),
        ("sector=energy", ["eu-package-5", "us-oil-ban"]),
        ("sector=coal", ["eu-package-5"]),
        ("status=planned&status=announced", ["planned-price-cap", "gb-banks"]),
        ("from=2022-03-08&to=2022-04-01", ["planned-price-cap", "us-oil-ban"]),
        ("from=2022-04-09", []),
        ("q=oil", ["planned-price-cap", "us-oil-ban"]),
        ("q=14066", ["us-oil-ban"]),
        ("q=2022/576", ["eu-package-5"]),
        ("sort=announced_on", ["gb-banks", "us-oil-ban", "planned-price-cap", "eu-package-5"]),
        ("sort=key", ["eu-package-5", "gb-banks", "planned-price-cap", "us-oil-ban"]),
    ],
)
def test_filters(client: TestClient, query: str, expected: list[str]) -> None:
    assert round_keys(client, query) == expected


@pytest.mark.parametrize(
    ("query", "pointer"),
    [
        ("measure=embargo", "/measure/0"),
        ("status=done", "/status/0"),
        ("imposed_by=XX", "/imposed_by/0"),
        ("target=RUS", "/target/0"),
        ("from=2022-04-08&to=2022-04-01", "/to"),
        ("from=yesterday", "/from"),
        ("sector=Energy Sector", "/sector/0"),
        ("limit=501", "/limit"),
        ("limit=-1", "/limit"),
        ("sort=designations", "/sort"),
    ],
)
def test_bad_filters_are_422(client: TestClient, query: str, pointer: str) -> None:
    response = client.get(f"/v1/sanctions-rounds?{query}")

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["pointer"] for error in response.json()["errors"]] == [pointer]
