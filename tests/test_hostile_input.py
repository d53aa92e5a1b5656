"""Input no database stores, or that overflows a column, is a 4xx problem, never a 500."""

import base64
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_engagement


def assert_problem(response, status: int) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "location",
    [
        {"latitude": 52.2},
        {"longitude": 21.0},
        {"city": "Warsaw", "country": "PL", "latitude": 52.2},
    ],
)
def test_a_location_needs_both_coordinates_or_neither(
    client: TestClient, location: dict[str, object]
) -> None:
    body = {
        "key": "biden-warsaw",
        "title": "Biden in Warsaw",
        "start_date": "2022-03-26",
        "location": location,
    }

    response = client.post("/v1/engagements", json=body)

    assert_problem(response, 422)
    assert response.json()["errors"][0]["pointer"] == "/location"
    assert client.get("/v1/export").json()["engagements"] == []


@pytest.mark.parametrize("designations", [2**31, 10**20])
def test_designations_beyond_the_column_are_422(client: TestClient, designations: int) -> None:
    body = {
        "key": "eu-package-6",
        "title": "EU sixth package",
        "imposed_by": ["EU"],
        "targets": ["RU"],
        "announced_on": "2022-06-03",
        "designations": designations,
    }

    response = client.post("/v1/sanctions-rounds", json=body)

    assert_problem(response, 422)
    assert [error["pointer"] for error in response.json()["errors"]] == ["/designations"]


@pytest.mark.parametrize("title", ["a\u0000b", "\ud800"])
def test_text_no_database_stores_is_422(client: TestClient, title: str) -> None:
    raw = json.dumps({"key": "odd-title", "title": title, "published_on": "2022-05-04"})

    response = client.post("/v1/sources", content=raw, headers={"content-type": "application/json"})

    assert_problem(response, 422)
    assert client.get("/v1/sources/odd-title").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/v1/engagements?q=%00",
        "/v1/actors?position=%00",
        "/v1/sources?publisher=%00",
    ],
)
def test_nul_in_query_text_is_422(client: TestClient, path: str) -> None:
    assert_problem(client.get(path), 422)


def test_nul_in_a_country_code_is_404(client: TestClient) -> None:
    assert_problem(client.get("/v1/countries/%00"), 404)


def cursor_of(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("sort", "payload"),
    [
        ("-created_at", {"s": "-created_at", "v": "9999-12-31T23:59:59-12:00", "i": 1}),
        ("title", {"s": "title", "v": "\ud800", "i": 1}),
        ("title", {"s": "title", "v": "a\u0000", "i": 1}),
    ],
)
def test_forged_cursors_are_400(
    client: TestClient, session: Session, sort: str, payload: object
) -> None:
    make_engagement(session)

    response = client.get("/v1/engagements", params={"sort": sort, "cursor": cursor_of(payload)})

    assert_problem(response, 400)


def test_delete_answers_an_empty_204(client: TestClient, session: Session) -> None:
    make_engagement(session, key="short-lived")

    response = client.delete("/v1/engagements/short-lived")

    assert response.status_code == 204
    assert response.content == b""
    assert "content-type" not in response.headers
