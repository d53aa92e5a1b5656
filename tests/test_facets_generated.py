"""Facets over the generated store, each count computed here from the bundle itself."""

from collections import Counter
from datetime import date
from typing import Any

import pytest

from tests.generated import GeneratedStore, matching_engagements, matching_rounds


def facet_counts(store: GeneratedStore, path: str, **params: Any) -> dict[str, Counter[Any]]:
    answer = store.client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    facets = answer.json()["facets"]
    for values in facets.values():
        order = [(-value["count"], value["value"] is None, value["value"]) for value in values]
        assert order == sorted(order)
    return {
        name: Counter({v["value"]: v["count"] for v in values}) for name, values in facets.items()
    }


def counted(records: list[dict[str, Any]], values: Any) -> Counter[Any]:
    """How many records have each value (a record counts once under each of its values)."""
    counts: Counter[Any] = Counter()
    for record in records:
        counts.update(set(values(record)))
    return counts


ENGAGEMENT_FACETS = {
    "kind": lambda e: [e["kind"]],
    "status": lambda e: [e["status"]],
    "country": lambda e: e["countries"],
    "location_country": lambda e: [(e["location"] or {}).get("country")],
    "actor": lambda e: [p["actor"] for p in e["participants"]],
    "organization": lambda e: e["organizations"],
    "sector": lambda e: e["sectors"],
    "topic": lambda e: e["topics"],
    "year": lambda e: [int(e["start_date"][:4])],
}


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"country": ["RU"]},
        {"kind": ["call"], "date_from": date(2022, 1, 1), "date_to": date(2022, 6, 30)},
        {"sector": ["energy"]},
    ],
)
def test_engagement_facets_count_the_whole_filtered_set(
    generated_store: GeneratedStore, filters: dict[str, Any]
) -> None:
    params: dict[str, Any] = {
        {"date_from": "from", "date_to": "to"}.get(name, name): value
        for name, value in filters.items()
    }
    facets = facet_counts(
        generated_store,
        "/v1/engagements",
        **params,
        limit=1,
        facets=",".join(ENGAGEMENT_FACETS),
    )
    records = matching_engagements(generated_store.bundle, **filters)
    for name, values in ENGAGEMENT_FACETS.items():
        expected = counted(records, values)
        if name != "location_country":
            expected.pop(None, None)
        assert facets[name] == expected, name


ROUND_FACETS = {
    "imposed_by": lambda r: r["imposed_by"],
    "target": lambda r: r["targets"],
    "measure": lambda r: r["measures"],
    "sector": lambda r: r["sectors"],
    "status": lambda r: [r["status"]],
    "legal_basis": lambda r: [r["legal_basis"]],
    "year": lambda r: [int(r["announced_on"][:4])],
}


@pytest.mark.parametrize("filters", [{}, {"imposed_by": ["EU"]}, {"measure": ["asset_freeze"]}])
def test_round_facets_count_the_whole_filtered_set(
    generated_store: GeneratedStore, filters: dict[str, Any]
) -> None:
    facets = facet_counts(
        generated_store,
        "/v1/sanctions-rounds",
        **filters,
        limit=1,
        facets=list(ROUND_FACETS),
    )
    records = matching_rounds(generated_store.bundle, **filters)
    for name, values in ROUND_FACETS.items():
        assert facets[name] == counted(records, values), name
