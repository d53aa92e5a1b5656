"""GeoJSON exports: the located engagements as a FeatureCollection of Points."""

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_actor, make_engagement, make_organization

LONDON = {"city": "London", "country": "GB", "latitude": 51.50853, "longitude": -0.12574}
QUITO = {"city": "Quito", "country": "EC", "latitude": -0.22985, "longitude": -78.52495}


@pytest.fixture
def engagements(session: Session) -> None:
    make_actor(session, key="antony-blinken")
    make_actor(session, key="liz-truss")
    make_organization(session, key="us-department-of-state")
    make_engagement(
        session, key="trip", kind="trip", start_date="2022-03-30", end_date="2022-04-02"
    )
    make_engagement(
        session,
        key="london-meeting",
        kind="meeting",
        title="Blinken meets Truss in London",
        summary="Sanctions and energy.",
        start_date="2022-04-01",
        end_date="2022-04-02",
        location=LONDON,
        countries=["US", "GB"],
        organizations=["us-department-of-state"],
        participants=[
            {"actor": "antony-blinken", "role": "principal"},
            {"actor": "liz-truss", "role": "counterpart"},
        ],
        topics=["sanctions"],
        parent="trip",
    )
    make_engagement(
        session,
        key="quito-visit",
        kind="visit",
        title="Visit to Quito",
        start_date="2022-03-15",
        status="planned",
        date_precision="month",
        location=QUITO,
        countries=["US", "EC"],
    )
    make_engagement(
        session, key="country-only", start_date="2022-03-20", location={"country": "FR"}
    )
    make_engagement(session, key="nowhere", start_date="2022-03-21")


def collection(client: TestClient, query: str = "") -> dict[str, Any]:
    response = client.get(f"/v1/engagements?format=geojson{query}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    assert re.fullmatch(
        r'attachment; filename="engagements-\d{8}\.geojson"',
        response.headers["content-disposition"],
    )
    body: dict[str, Any] = json.loads(response.content)
    return body


def test_only_engagements_with_coordinates_become_point_features(
    client: TestClient, engagements: None
) -> None:
    body = collection(client)
    ids = {item["key"]: item["id"] for item in client.get("/v1/engagements").json()["items"]}

    assert body == {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "london-meeting",
                "geometry": {"type": "Point", "coordinates": [-0.12574, 51.50853]},
                "properties": {
                    "id": ids["london-meeting"],
                    "key": "london-meeting",
                    "title": "Blinken meets Truss in London",
                    "summary": "Sanctions and energy.",
                    "kind": "meeting",
                    "status": "held",
                    "start_date": "2022-04-01",
                    "end_date": "2022-04-02",
                    "date_precision": "day",
                    "city": "London",
                    "country": "GB",
                    "countries": ["US", "GB"],
                    "actors": ["antony-blinken", "liz-truss"],
                    "organizations": ["us-department-of-state"],
                    "topics": ["sanctions"],
                    "parent": "trip",
                },
            },
            {
                "type": "Feature",
                "id": "quito-visit",
                "geometry": {"type": "Point", "coordinates": [-78.52495, -0.22985]},
                "properties": {
                    "id": ids["quito-visit"],
                    "key": "quito-visit",
                    "title": "Visit to Quito",
                    "summary": None,
                    "kind": "visit",
                    "status": "planned",
                    "start_date": "2022-03-15",
                    "end_date": None,
                    "date_precision": "month",
                    "city": "Quito",
                    "country": "EC",
                    "countries": ["US", "EC"],
                    "actors": [],
                    "organizations": [],
                    "topics": [],
                    "parent": None,
                },
            },
        ],
    }


def test_filters_and_sort_apply(client: TestClient, engagements: None) -> None:
    assert [feature["id"] for feature in collection(client, "&sort=start_date")["features"]] == [
        "quito-visit",
        "london-meeting",
    ]
    assert [feature["id"] for feature in collection(client, "&country=EC")["features"]] == [
        "quito-visit"
    ]


def test_no_located_engagement_is_an_empty_collection(client: TestClient) -> None:
    assert collection(client) == {"type": "FeatureCollection", "features": []}


@pytest.mark.parametrize(
    "path",
    [
        "/v1/sanctions-rounds",
        "/v1/actors",
        "/v1/organizations",
        "/v1/sectors",
        "/v1/sources",
        "/v1/countries",
    ],
)
def test_other_lists_refuse_geojson_and_ics(client: TestClient, path: str) -> None:
    with_ftm = path in ("/v1/sanctions-rounds", "/v1/actors", "/v1/organizations")
    allowed = "'json', 'csv', 'ndjson' or 'ftm'" if with_ftm else "'json', 'csv' or 'ndjson'"
    for export_format in ("geojson", "ics"):
        response = client.get(path, params={"format": export_format})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"] == [
            {"pointer": "/format", "message": f"Input should be {allowed}", "location": "query"}
        ]
    for media_type in ("application/geo+json", "text/calendar"):
        response = client.get(path, headers={"Accept": media_type})
        assert response.status_code == 406
        assert response.json()["supported"] == [
            "application/json",
            "text/csv",
            "application/x-ndjson",
            *(["application/json+ftm"] if with_ftm else []),
        ]
