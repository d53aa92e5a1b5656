"""The timeline: engagements and sanctions rounds in one dated stream, filtered and paged."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sanctions_tracker.seed import seed_bundle, seed_if_empty
from tests.factories import make_actor, make_engagement, make_round, make_sector


@pytest.fixture
def seeded(client: TestClient, session: Session) -> TestClient:
    seed_if_empty(session)
    session.commit()
    return client


def walk(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    """Every item, following `next_cursor` page by page."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        answer = client.get(
            "/v1/timeline", params={**params, "cursor": cursor} if cursor else params
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            assert "link" not in answer.headers
            return items
        assert answer.headers["link"].endswith('rel="next"')
    raise AssertionError("the cursor never ended")


def seed_stream(
    types: tuple[str, ...] = ("engagement", "sanctions_round"),
) -> list[tuple[str, str, str]]:
    """(date, type, key) of every seed record, computed from the seed file itself."""
    bundle = seed_bundle()
    stream = []
    if "engagement" in types:
        stream += [(e["start_date"], "engagement", e["key"]) for e in bundle["engagements"]]
    if "sanctions_round" in types:
        stream += [
            (r["announced_on"], "sanctions_round", r["key"]) for r in bundle["sanctions_rounds"]
        ]
    return stream


def test_the_seed_story_in_order_latest_first(seeded: TestClient) -> None:
    items = walk(seeded, limit=7)
    expected = seed_stream()
    assert len(items) == len(expected)
    # Latest day first; on one day rounds before engagements (type, reversed); then by id.
    assert [(i["date"], i["type"]) for i in items] == sorted(
        [(day, kind) for day, kind, _ in expected], reverse=True
    )
    assert sorted((i["date"], i["type"], i["key"]) for i in items) == sorted(expected)


def test_oldest_first_is_the_exact_reverse(seeded: TestClient) -> None:
    latest_first = walk(seeded, limit=11)
    oldest_first = walk(seeded, order="asc", limit=9)
    assert oldest_first == list(reversed(latest_first))


def test_a_card_carries_what_a_dashboard_shows(seeded: TestClient) -> None:
    items = walk(seeded, type="engagement", q="Truss")
    call = next(i for i in items if i["key"] == "2022-04-01-blinken-truss-call")
    assert call["type"] == "engagement"
    assert call["date"] == call["start_date"] == "2022-04-01"
    assert call["kind"] == "call"
    assert {p["actor"]["key"] for p in call["participants"]} >= {"antony-blinken", "liz-truss"}
    assert set(call) >= {"title", "summary", "status", "location", "countries", "sectors", "id"}

    rounds = walk(seeded, type="sanctions_round", country="EU")
    package = next(i for i in rounds if i["key"] == "eu-package-5-2022-04-08")
    assert package["date"] == package["announced_on"] == "2022-04-08"
    assert package["imposed_by"] == ["EU"]
    assert set(package) >= {"targets", "measures", "sectors", "legal_basis", "status", "title"}


def test_country_means_a_party_or_an_imposer_or_a_target(seeded: TestClient) -> None:
    bundle = seed_bundle()
    expected = {e["key"] for e in bundle["engagements"] if "IN" in e.get("countries", [])} | {
        r["key"]
        for r in bundle["sanctions_rounds"]
        if "IN" in r["imposed_by"] or "IN" in r["targets"]
    }
    assert {i["key"] for i in walk(seeded, country="in")} == expected

    russia = {i["key"] for i in walk(seeded, country="RU", type="sanctions_round")}
    assert russia == {
        r["key"] for r in bundle["sanctions_rounds"] if "RU" in r["imposed_by"] + r["targets"]
    }


def test_an_actor_filter_keeps_their_engagements_only(seeded: TestClient) -> None:
    bundle = seed_bundle()
    expected = {
        e["key"]
        for e in bundle["engagements"]
        if any(p["actor"] == "wally-adeyemo" for p in e.get("participants", []))
    }
    items = walk(seeded, actor="wally-adeyemo")
    assert {i["key"] for i in items} == expected
    assert {i["type"] for i in items} == {"engagement"}


def test_dates_are_inclusive(seeded: TestClient) -> None:
    items = walk(seeded, **{"from": "2022-04-06", "to": "2022-04-08"}, type="sanctions_round")
    expected = {
        r["key"]
        for r in seed_bundle()["sanctions_rounds"]
        if "2022-04-06" <= r["announced_on"] <= "2022-04-08"
    }
    assert {i["key"] for i in items} == expected


@pytest.fixture
def same_day(session: Session) -> dict[str, Any]:
    make_sector(session, key="energy", name="Energy")
    make_sector(session, key="oil", name="Oil", parent="energy")
    make_actor(session, key="liz-truss", name="Liz Truss", country="GB")
    made = {
        "call": make_engagement(
            session,
            start_date="2022-04-01",
            participants=[{"actor": "liz-truss"}],
            countries=["GB", "US"],
            sectors=["oil"],
        ),
        "round": make_round(
            session, announced_on="2022-04-01", imposed_by=["GB"], targets=["RU"], sectors=["oil"]
        ),
        "visit": make_engagement(
            session, start_date="2022-03-30", end_date="2022-04-02", countries=["IN"]
        ),
        "late round": make_round(session, announced_on="2022-04-05", sectors=["energy"]),
        "meeting": make_engagement(session, start_date="2022-04-01", countries=["FR"]),
    }
    return made


def test_same_day_items_put_engagements_first_then_by_id(
    client: TestClient, same_day: dict[str, Any]
) -> None:
    keys = [i["key"] for i in walk(client, order="asc", limit=2)]
    assert keys == [
        same_day["visit"]["key"],
        same_day["call"]["key"],
        same_day["meeting"]["key"],
        same_day["round"]["key"],
        same_day["late round"]["key"],
    ]
    assert [i["key"] for i in walk(client, limit=3)] == list(reversed(keys))


def test_sector_includes_the_sectors_below(client: TestClient, same_day: dict[str, Any]) -> None:
    energy = {i["key"] for i in walk(client, sector="energy")}
    assert energy == {
        same_day["call"]["key"],
        same_day["round"]["key"],
        same_day["late round"]["key"],
    }
    assert {i["key"] for i in walk(client, sector="oil")} == {
        same_day["call"]["key"],
        same_day["round"]["key"],
    }


def test_an_engagement_spanning_from_is_kept_and_dated_by_its_start(
    client: TestClient, same_day: dict[str, Any]
) -> None:
    items = walk(client, **{"from": "2022-04-02"}, type="engagement")
    assert [(i["key"], i["date"]) for i in items] == [(same_day["visit"]["key"], "2022-03-30")]


def test_totals_count_every_page(client: TestClient, same_day: dict[str, Any]) -> None:
    body = client.get("/v1/timeline", params={"limit": 1}).json()
    assert body["total"] == 5
    assert client.get("/v1/timeline", params={"type": "sanctions_round"}).json()["total"] == 2
    assert client.get("/v1/timeline", params={"actor": "nobody-here"}).json() == {
        "items": [],
        "total": 0,
        "next_cursor": None,
    }


def test_pages_do_not_shift_when_items_arrive_between_them(
    client: TestClient, session: Session, same_day: dict[str, Any]
) -> None:
    first = client.get("/v1/timeline", params={"order": "asc", "limit": 2}).json()
    make_engagement(session, start_date="2022-01-01")
    rest = walk(client, order="asc", limit=2, cursor=first["next_cursor"])
    assert [i["key"] for i in first["items"] + rest] == [
        same_day[name]["key"] for name in ("visit", "call", "meeting", "round", "late round")
    ]


@pytest.mark.parametrize(
    ("params", "status", "pointer"),
    [
        ({"type": "trip"}, 422, "/type/0"),
        ({"order": "newest"}, 422, "/order"),
        ({"from": "2022-04-08", "to": "2022-04-01"}, 422, "/to"),
        ({"country": "UK"}, 422, "/country/0"),
        ({"actor": "not a key"}, 422, "/actor/0"),
        ({"limit": 501}, 422, "/limit"),
        ({"cursor": "not-a-cursor"}, 400, None),
    ],
)
def test_bad_parameters_are_problems(
    client: TestClient, params: dict[str, Any], status: int, pointer: str | None
) -> None:
    answer = client.get("/v1/timeline", params=params)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    if pointer:
        assert pointer in [error["pointer"] for error in answer.json()["errors"]]


def test_a_cursor_is_bound_to_its_order(client: TestClient, same_day: dict[str, Any]) -> None:
    cursor = client.get("/v1/timeline", params={"limit": 1}).json()["next_cursor"]
    answer = client.get("/v1/timeline", params={"order": "asc", "cursor": cursor})
    assert answer.status_code == 400
    assert "order" in answer.json()["detail"]


def test_dates_are_iso(seeded: TestClient) -> None:
    for item in walk(seeded, limit=500):
        date.fromisoformat(item["date"])
