"""The timeline over the generated store (a few thousand records): every page walked, each
expectation computed here from the bundle itself."""

from datetime import date
from typing import Any

import pytest

from tests.generated import GeneratedStore, matching_engagements, sectors_below


def walk(store: GeneratedStore, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        answer = store.client.get(
            "/v1/timeline",
            params={**params, "limit": 500, **({"cursor": cursor} if cursor else {})},
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            assert len(items) == body["total"]
            return items


def expected(
    store: GeneratedStore,
    *,
    country: str | None = None,
    actor: str | None = None,
    sector: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[tuple[str, str, str]]:
    """(date, type, key) of the matching items, computed from the bundle."""
    bundle = store.bundle
    engagements = matching_engagements(
        bundle,
        country=[country] if country else None,
        actor=[actor] if actor else None,
        sector=[sector] if sector else None,
        date_from=date_from,
        date_to=date_to,
    )
    items = [(e["start_date"], "engagement", e["key"]) for e in engagements]
    if actor is None:
        below = sectors_below(bundle, [sector]) if sector else None
        for r in bundle["sanctions_rounds"]:
            day = date.fromisoformat(r["announced_on"])
            if (
                (country is None or country in r["imposed_by"] + r["targets"])
                and (below is None or below & set(r["sectors"]))
                and (date_from is None or day >= date_from)
                and (date_to is None or day <= date_to)
            ):
                items.append((r["announced_on"], "sanctions_round", r["key"]))
    return items


def test_the_whole_stream_in_order(generated_store: GeneratedStore) -> None:
    items = walk(generated_store)
    want = expected(generated_store)
    assert len(items) == len(want) > 2000
    assert sorted((i["date"], i["type"], i["key"]) for i in items) == sorted(want)
    assert [(i["date"], i["type"]) for i in items] == sorted(
        [(day, kind) for day, kind, _ in want], reverse=True
    )
    assert walk(generated_store, order="asc") == list(reversed(items))


@pytest.mark.parametrize(
    "filters",
    [
        {"country": "RU"},
        {"country": "US", "date_from": date(2022, 2, 1), "date_to": date(2022, 3, 31)},
        {"sector": "energy"},
        {"date_from": date(2022, 8, 1), "date_to": date(2022, 8, 31)},
    ],
)
def test_filters_match_an_independent_reading_of_the_bundle(
    generated_store: GeneratedStore, filters: dict[str, Any]
) -> None:
    params = {
        {"date_from": "from", "date_to": "to"}.get(name, name): str(value)
        for name, value in filters.items()
    }
    items = walk(generated_store, **params)
    assert sorted((i["date"], i["type"], i["key"]) for i in items) == sorted(
        expected(generated_store, **filters)
    )


def test_an_actor_keeps_only_their_engagements(generated_store: GeneratedStore) -> None:
    actor = generated_store.bundle["actors"][0]["key"]
    items = walk(generated_store, actor=actor)
    assert sorted((i["date"], i["type"], i["key"]) for i in items) == sorted(
        expected(generated_store, actor=actor)
    )
    assert items
