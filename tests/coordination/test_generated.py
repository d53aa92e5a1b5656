"""The coordination view over the generated store (800 rounds, 1,500 engagements): every page
walked, each answer compared with a brute-force reading of the bundle (tests/coordination/
expected.py), which compares every round with every round and engagement."""

from datetime import date
from typing import Any

import pytest

from tests.coordination.expected import coordination
from tests.generated import GeneratedStore, matching_rounds

Record = dict[str, Any]


def round_ids(store: GeneratedStore) -> dict[str, int]:
    """The store's id of each round, which breaks ties of `announced_on` in the page order."""
    ids: dict[str, int] = {}
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = store.client.get("/v1/sanctions-rounds", params=params).json()
        ids |= {item["key"]: item["id"] for item in page["items"]}
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


def walk(store: GeneratedStore, params: dict[str, Any], limit: int) -> Record:
    """Every page's rounds joined; the rest of the answer, checked to be the same on each page."""
    rounds: list[Record] = []
    rest: Record | None = None
    cursor = None
    for _ in range(1000):
        answer = store.client.get(
            "/v1/coordination",
            params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})},
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        rounds += body.pop("rounds")
        cursor = body.pop("next_cursor")
        assert rest is None or body == rest
        rest = body
        if cursor is None:
            assert rest is not None
            return rest | {"rounds": rounds}
    raise AssertionError("the cursor loops")


@pytest.mark.parametrize(
    ("params", "filters", "limit"),
    [
        ({"target": "RU"}, {}, 500),
        ({"target": "RU", "window": 0}, {}, 37),
        ({"target": "RU", "window": 90, "engagement_limit": 3}, {}, 100),
        (
            {"target": "BY", "window": 30, "imposed_by": ["US", "EU"]},
            {"imposed_by": ["US", "EU"]},
            10,
        ),
        (
            {"target": "RU", "sector": "energy", "from": "2022-01-01", "to": "2022-12-31"},
            {"sector": ["energy"], "date_from": date(2022, 1, 1), "date_to": date(2022, 12, 31)},
            7,
        ),
        ({"target": "IR", "window": 7, "engagement_limit": 0}, {}, 500),
    ],
)
def test_matches_a_brute_force_reading_of_the_bundle(
    generated_store: GeneratedStore, params: dict[str, Any], filters: dict[str, Any], limit: int
) -> None:
    bundle = generated_store.bundle
    target = params["target"]
    ids = round_ids(generated_store)
    focal = sorted(
        matching_rounds(bundle, target=[target], **filters),
        key=lambda r: (r["announced_on"], ids[r["key"]]),
    )
    want = coordination(
        bundle["sanctions_rounds"],
        bundle["engagements"],
        focal,
        target=target,
        window=params.get("window", 14),
        engagement_limit=params.get("engagement_limit", 50),
    )
    answer = walk(generated_store, params, limit)
    assert (
        answer
        == {
            "target": target,
            "window": params.get("window", 14),
            "from": params.get("from"),
            "to": params.get("to"),
        }
        | want
    )
    # The data is rich enough for every part of the answer to be tested.
    assert want["total"] > 10
    assert want["pairs"]
    assert any(r["related_rounds"] for r in want["rounds"])
    assert any(r["preceding_engagement_count"] for r in want["rounds"])


def test_the_generated_data_exercises_the_edges(generated_store: GeneratedStore) -> None:
    """What the brute-force comparisons above rely on being present in the data."""
    bundle = generated_store.bundle
    want = coordination(
        bundle["sanctions_rounds"],
        bundle["engagements"],
        [r for r in bundle["sanctions_rounds"] if "RU" in r["targets"]],
        target="RU",
        window=14,
        engagement_limit=500,
    )
    rounds = want["rounds"]
    # Joint rounds, same-day and earlier related rounds, rounds with more engagements than the
    # cap of 3 used above and rounds with none, even counts (medians of two middle values).
    assert any(len(r["imposed_by"]) > 1 for r in rounds)
    assert any(rr["lag_days"] == 0 for r in rounds for rr in r["related_rounds"])
    assert any(rr["lag_days"] < 0 for r in rounds for rr in r["related_rounds"])
    assert any(r["preceding_engagement_count"] > 3 for r in rounds)
    assert any(r["preceding_engagement_count"] == 0 for r in rounds)
    assert any(rr["shared_sectors"] for r in rounds for rr in r["related_rounds"])
    assert any(pair["times"] % 2 == 0 for pair in want["pairs"])
