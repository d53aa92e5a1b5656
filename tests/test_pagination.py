"""Keyset pagination, walked page by page the way a client does it."""

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_engagement

MAX_PAGES = 50  # loop guard: a cursor that never ends fails the test instead of hanging it


def walk(client: TestClient, url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every item of a list and every page's envelope, following `next_cursor`."""
    items: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        response = client.get(url)
        assert response.status_code == 200, response.json()
        page = response.json()
        pages.append(page | {"link": response.headers.get("link")})
        items += page["items"]
        if page["next_cursor"] is None:
            return items, pages
        assert response.headers["link"].endswith('>; rel="next"')
        url = response.headers["link"][1 : -len('>; rel="next"')]
    pytest.fail("pagination did not end")


@pytest.fixture
def dated(session: Session) -> list[str]:
    """Seven engagements on five days (two days twice), keys in expected `-start_date` order."""
    days = [
        "2022-03-29",
        "2022-04-01",
        "2022-03-29",
        "2022-02-24",
        "2022-04-06",
        "2022-03-08",
        "2022-04-01",
    ]
    made = [
        (day, index, make_engagement(session, key=f"e-{index}", start_date=day)["key"])
        for index, day in enumerate(days)
    ]
    return [key for _, _, key in sorted(made, key=lambda item: (item[0], item[1]), reverse=True)]


def test_walking_every_page_gives_every_record_once_in_order(
    client: TestClient, dated: list[str]
) -> None:
    items, pages = walk(client, "/v1/engagements?limit=3")

    assert [item["key"] for item in items] == dated
    assert [len(page["items"]) for page in pages] == [3, 3, 1]
    assert {page["total"] for page in pages} == {7}
    assert pages[-1]["next_cursor"] is None
    assert pages[-1]["link"] is None


def test_ascending_walk_breaks_ties_by_id(client: TestClient, dated: list[str]) -> None:
    items, _ = walk(client, "/v1/engagements?limit=2&sort=start_date")

    ids = [item["id"] for item in items]
    pairs = [(item["start_date"], item["id"]) for item in items]
    assert pairs == sorted(pairs)
    assert len(set(ids)) == 7


def test_a_page_size_that_divides_the_total_ends_without_an_empty_page(
    client: TestClient, session: Session
) -> None:
    for index in range(4):
        make_engagement(session, key=f"even-{index}")

    _, pages = walk(client, "/v1/engagements?limit=2")

    assert [len(page["items"]) for page in pages] == [2, 2]


def test_an_empty_list(client: TestClient) -> None:
    response = client.get("/v1/engagements?kind=summit")

    assert response.json() == {"items": [], "total": 0, "next_cursor": None}
    assert "link" not in response.headers


def test_the_next_link_keeps_the_filters(client: TestClient, dated: list[str]) -> None:
    response = client.get("/v1/engagements?limit=1&from=2022-03-01&sort=-start_date")

    query = parse_qs(urlsplit(response.headers["link"][1:].split(">")[0]).query)
    assert {name: query[name] for name in ("limit", "from", "sort")} == {
        "limit": ["1"],
        "from": ["2022-03-01"],
        "sort": ["-start_date"],
    }
    assert query["cursor"] == [response.json()["next_cursor"]]


def test_inserts_between_pages_appear_only_after_the_cursor(
    client: TestClient, session: Session, dated: list[str]
) -> None:
    first = client.get("/v1/engagements?limit=3").json()
    make_engagement(
        session, key="late-newcomer", start_date="2022-05-01"
    )  # sorts before the cursor
    make_engagement(session, key="early-newcomer", start_date="2022-01-01")  # sorts after it

    rest, _ = walk(client, f"/v1/engagements?limit=3&cursor={first['next_cursor']}")

    assert [item["key"] for item in first["items"] + rest] == [*dated, "early-newcomer"]


def cursor_of(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%%%",
        cursor_of([1, 2]),
        cursor_of({"s": "-start_date", "v": "yesterday", "i": 3}),
        cursor_of({"s": "-start_date", "v": "2022-04-01", "i": "three"}),
        cursor_of({"s": "title", "v": "A", "i": 3}),
    ],
)
def test_a_cursor_this_api_did_not_issue_is_a_400(
    client: TestClient, dated: list[str], cursor: str
) -> None:
    response = client.get("/v1/engagements", params={"cursor": cursor})

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/bad-request"


def test_countries_page_by_code(client: TestClient) -> None:
    items, pages = walk(client, "/v1/countries?limit=100")

    codes = [item["code"] for item in items]
    assert codes == sorted(codes)
    assert len(codes) == len(set(codes)) == pages[0]["total"] == 250
    assert {"GB", "EU", "RU", "UA"} <= set(codes)


@pytest.mark.parametrize("path", ["/v1/engagements", "/v1/actors", "/v1/sanctions-rounds"])
def test_limit_zero_answers_only_the_count_and_the_facets(
    client: TestClient, dated: list[str], path: str
) -> None:
    every = client.get(path, params={"limit": 500}).json()
    facet = {
        "/v1/engagements": "kind",
        "/v1/actors": "country",
        "/v1/sanctions-rounds": "imposed_by",
    }[path]
    counted = client.get(path, params={"limit": 0, "facets": facet})
    assert counted.status_code == 200
    assert counted.json()["items"] == []
    assert counted.json()["total"] == every["total"]
    assert counted.json()["next_cursor"] is None
    assert "link" not in counted.headers
    with_items = client.get(path, params={"limit": 1, "facets": facet}).json()
    assert counted.json()["facets"] == with_items["facets"]


def test_a_negative_limit_is_refused(client: TestClient) -> None:
    answer = client.get("/v1/engagements?limit=-1")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["pointer"] == "/limit"
