"""Statistics over HTTP: counts per period and value, holes filled with zeros.

Expected answers are computed here from the records' dicts (the seed bundle file, the generated
bundle, or the test's own records), walking the calendar day by day."""

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from itertools import product
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sanctions_tracker.seed import load_seed, seed_bundle
from tests.factories import make_engagement, make_round, make_sector
from tests.generated import (
    GeneratedStore,
    generate_bundle,
    matching_engagements,
    matching_rounds,
)

UNITS = ("day", "week", "month", "quarter", "year")
ENGAGEMENT_DIMENSIONS = ("kind", "status", "country", "actor", "organization", "sector", "topic")
ROUND_DIMENSIONS = ("imposed_by", "target", "measure", "sector", "status")

Record = dict[str, Any]


def label(day: date, unit: str) -> str:
    if unit == "day":
        return day.isoformat()
    if unit == "week":
        iso_year, week, _ = day.isocalendar()
        return f"{iso_year}-W{week:02d}"
    if unit == "month":
        return day.strftime("%Y-%m")
    if unit == "quarter":
        return f"{day.year}-Q{(day.month + 2) // 3}"
    return str(day.year)


def periods(first: date, last: date, unit: str) -> list[str]:
    """Every period label from `first` to `last`, found by walking each day."""
    labels: list[str] = []
    day = first
    while day <= last:
        if not labels or labels[-1] != label(day, unit):
            labels.append(label(day, unit))
        day += timedelta(days=1)
    return labels


def start_day(record: Record) -> date:
    return date.fromisoformat(record["start_date"])


def announced_day(record: Record) -> date:
    return date.fromisoformat(record["announced_on"])


def engagement_values(record: Record, name: str) -> list[str]:
    return {
        "kind": [record["kind"]],
        "status": [record["status"]],
        "country": record["countries"],
        "actor": [participant["actor"] for participant in record["participants"]],
        "organization": record["organizations"],
        "sector": record["sectors"],
        "topic": record["topics"],
    }[name]


def round_values(record: Record, name: str) -> list[str]:
    return {
        "imposed_by": record["imposed_by"],
        "target": record["targets"],
        "measure": record["measures"],
        "sector": record["sectors"],
        "status": [record["status"]],
    }[name]


def expected(
    records: list[Record],
    day_of: Callable[[Record], date],
    values_of: Callable[[Record, str], list[str]],
    group_by: list[str],
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict[str, Any]:
    counts: Counter[tuple[str, ...]] = Counter()
    for record in records:
        choices = [
            [label(day_of(record), name)] if name in UNITS else values_of(record, name)
            for name in group_by
        ]
        counts.update(product(*choices))

    def bucket(combination: tuple[str, ...]) -> dict[str, Any]:
        return {"key": dict(zip(group_by, combination, strict=True)), "count": counts[combination]}

    timed = [index for index, name in enumerate(group_by) if name in UNITS]
    if not timed:
        ranked = sorted(counts, key=lambda combination: (-counts[combination], combination))
        return {"group_by": group_by, "buckets": [bucket(combination) for combination in ranked]}
    position = timed[0]
    days = [day_of(record) for record in records]
    if days:
        first = min([*days, *([date_from] if date_from else [])])
        last = max([*days, *([date_to] if date_to else [])])
    elif date_from and date_to:
        first, last = date_from, date_to
    else:
        return {"group_by": group_by, "buckets": []}
    others = sorted({c[1 - position] for c in counts}) if len(group_by) == 2 else [None]
    buckets = []
    for period in periods(first, last, group_by[position]):
        for other in others:
            if other is None:
                buckets.append(bucket((period,)))
            else:
                buckets.append(bucket((period, other) if position == 0 else (other, period)))
    return {"group_by": group_by, "buckets": buckets}


def expected_engagements(bundle: dict[str, Any], group_by: list[str], **filters: Any) -> Any:
    records = matching_engagements(bundle, **filters)
    return expected(
        records,
        start_day,
        engagement_values,
        group_by,
        filters.get("date_from"),
        filters.get("date_to"),
    )


def expected_rounds(bundle: dict[str, Any], group_by: list[str], **filters: Any) -> Any:
    records = matching_rounds(bundle, **filters)
    return expected(
        records,
        announced_day,
        round_values,
        group_by,
        filters.get("date_from"),
        filters.get("date_to"),
    )


def query(group_by: list[str], filters: dict[str, Any]) -> dict[str, Any]:
    """Query parameters for `group_by` and the keyword filters of the expectation helpers."""
    names = {"date_from": "from", "date_to": "to"}
    params: dict[str, Any] = {names.get(name, name): value for name, value in filters.items()}
    for name in ("from", "to"):
        if name in params:
            params[name] = params[name].isoformat()
    return {"group_by": ",".join(group_by), **params}


@pytest.fixture
def seeded(client: TestClient, session: Session) -> TestClient:
    load_seed(session)
    session.commit()
    return client


# --- the seed --------------------------------------------------------------------------------


def test_eu_rounds_of_2022_per_month_match_the_seed_file(seeded: TestClient) -> None:
    eu_2022 = [
        record["announced_on"][:7]
        for record in seed_bundle()["sanctions_rounds"]
        if "EU" in record["imposed_by"] and record["announced_on"].startswith("2022")
    ]
    per_month = Counter(eu_2022)

    answer = seeded.get(
        "/v1/stats/sanctions-rounds",
        params={"group_by": "month", "imposed_by": "EU", "from": "2022-01-01", "to": "2022-12-31"},
    )

    assert answer.status_code == 200
    months = [f"2022-{month:02d}" for month in range(1, 13)]
    assert answer.json() == {
        "group_by": ["month"],
        "buckets": [{"key": {"month": month}, "count": per_month[month]} for month in months],
    }
    assert sum(per_month.values()) == len(eu_2022) > 0


def test_seed_rounds_per_imposing_jurisdiction_rank_by_count(seeded: TestClient) -> None:
    per_imposer = Counter(
        code for record in seed_bundle()["sanctions_rounds"] for code in record["imposed_by"]
    )

    answer = seeded.get("/v1/stats/sanctions-rounds", params={"group_by": "imposed_by"}).json()

    ranked = sorted(per_imposer.items(), key=lambda item: (-item[1], item[0]))
    assert answer["buckets"] == [
        {"key": {"imposed_by": code}, "count": count} for code, count in ranked
    ]
    assert answer["buckets"][0] == {"key": {"imposed_by": "US"}, "count": per_imposer["US"]}


@pytest.mark.parametrize(
    "group_by", [["week"], ["day", "kind"], ["country"], ["actor", "topic"], ["status", "month"]]
)
def test_seed_engagements(seeded: TestClient, group_by: list[str]) -> None:
    answer = seeded.get("/v1/stats/engagements", params={"group_by": group_by})

    assert answer.status_code == 200
    assert answer.json() == expected_engagements(seed_bundle(), group_by)


# --- the generated store: every dimension, pairs, filters ------------------------------------


@pytest.mark.parametrize("name", UNITS + ENGAGEMENT_DIMENSIONS)
def test_engagements_per_dimension(generated_store: GeneratedStore, name: str) -> None:
    answer = generated_store.client.get("/v1/stats/engagements", params={"group_by": name})

    assert answer.status_code == 200
    assert answer.json() == expected_engagements(generated_store.bundle, [name])


@pytest.mark.parametrize("name", UNITS + ROUND_DIMENSIONS)
def test_rounds_per_dimension(generated_store: GeneratedStore, name: str) -> None:
    answer = generated_store.client.get("/v1/stats/sanctions-rounds", params={"group_by": name})

    assert answer.status_code == 200
    assert answer.json() == expected_rounds(generated_store.bundle, [name])


@pytest.mark.parametrize(
    "group_by",
    [
        ["month", "kind"],
        ["kind", "week"],
        ["quarter", "country"],
        ["day", "status"],
        ["year", "actor"],
        ["actor", "topic"],
        ["sector", "organization"],
    ],
)
def test_engagements_per_pair(generated_store: GeneratedStore, group_by: list[str]) -> None:
    answer = generated_store.client.get("/v1/stats/engagements", params={"group_by": group_by})

    assert answer.status_code == 200
    assert answer.json() == expected_engagements(generated_store.bundle, group_by)


@pytest.mark.parametrize(
    "group_by",
    [
        ["month", "imposed_by"],
        ["measure", "quarter"],
        ["week", "status"],
        ["target", "sector"],
        ["imposed_by", "target"],
    ],
)
def test_rounds_per_pair(generated_store: GeneratedStore, group_by: list[str]) -> None:
    answer = generated_store.client.get(
        "/v1/stats/sanctions-rounds", params={"group_by": ",".join(group_by)}
    )

    assert answer.status_code == 200
    assert answer.json() == expected_rounds(generated_store.bundle, group_by)


GENERATED = generate_bundle()
TRIPS = [record["key"] for record in GENERATED["engagements"] if record["kind"] == "trip"]
DISCUSSED = sorted(
    {key for record in GENERATED["engagements"] for key in record["sanctions_rounds"]}
)
ENGAGEMENT_FILTERS = [
    (["month", "country"], {"country": ["US", "GB"], "kind": ["call", "meeting"]}),
    (["week"], {"date_from": date(2022, 2, 15), "date_to": date(2022, 6, 30)}),
    (["sector"], {"sector": ["energy"]}),
    (["quarter", "actor"], {"actor": ["actor-001", "actor-002"], "status": ["held"]}),
    (["kind"], {"topic": ["nato"], "date_to": date(2021, 12, 31)}),
    (["day"], {"organization": ["org-025", "org-179", "org-101"]}),
    (["month"], {"location_country": ["GB", "FR"], "kind": ["visit"]}),
    (["month", "topic"], {"sanctions_round": DISCUSSED[:40], "date_from": date(2023, 1, 1)}),
    (["year"], {"parent": TRIPS[:2]}),
]


@pytest.mark.parametrize(("group_by", "filters"), ENGAGEMENT_FILTERS)
def test_engagements_with_filters(
    generated_store: GeneratedStore, group_by: list[str], filters: dict[str, Any]
) -> None:
    answer = generated_store.client.get("/v1/stats/engagements", params=query(group_by, filters))

    assert matching_engagements(generated_store.bundle, **filters)
    assert answer.status_code == 200
    assert answer.json() == expected_engagements(generated_store.bundle, group_by, **filters)


ROUND_FILTERS = [
    (
        ["month", "measure"],
        {"imposed_by": ["EU"], "date_from": date(2022, 1, 1), "date_to": date(2022, 12, 31)},
    ),
    (["sector"], {"sector": ["finance"]}),
    (["year", "imposed_by"], {"target": ["BY"], "status": ["in_force", "lifted"]}),
    (["quarter"], {"measure": ["price_cap"]}),
    (["week", "target"], {"status": ["announced"], "date_from": date(2023, 6, 1)}),
]


@pytest.mark.parametrize(("group_by", "filters"), ROUND_FILTERS)
def test_rounds_with_filters(
    generated_store: GeneratedStore, group_by: list[str], filters: dict[str, Any]
) -> None:
    answer = generated_store.client.get(
        "/v1/stats/sanctions-rounds", params=query(group_by, filters)
    )

    assert matching_rounds(generated_store.bundle, **filters)
    assert answer.status_code == 200
    assert answer.json() == expected_rounds(generated_store.bundle, group_by, **filters)


def test_months_without_records_are_zero_filled(generated_store: GeneratedStore) -> None:
    months = generated_store.client.get("/v1/stats/engagements?group_by=month").json()["buckets"]
    quarters = generated_store.client.get("/v1/stats/sanctions-rounds?group_by=quarter").json()

    assert [bucket["key"]["month"] for bucket in months] == periods(
        date(2021, 1, 1), date(2023, 12, 31), "month"
    )
    august = next(bucket for bucket in months if bucket["key"]["month"] == "2022-08")
    assert august["count"] == 0
    assert {"key": {"quarter": "2021-Q3"}, "count": 0} in quarters["buckets"]
    assert all(bucket["count"] > 0 for bucket in months if bucket is not august)


def test_zero_filling_with_a_second_dimension_gives_every_value_every_period(
    generated_store: GeneratedStore,
) -> None:
    answer = generated_store.client.get("/v1/stats/engagements?group_by=month,status").json()

    august = [bucket for bucket in answer["buckets"] if bucket["key"]["month"] == "2022-08"]
    assert august == [
        {"key": {"month": "2022-08", "status": status}, "count": 0}
        for status in ("cancelled", "held", "planned")
    ]
    assert len(answer["buckets"]) == 36 * 3


def test_the_first_days_of_2021_are_in_iso_week_2020_w53(generated_store: GeneratedStore) -> None:
    starts = [start_day(record) for record in generated_store.bundle["engagements"]]
    in_w53 = sum(date(2021, 1, 1) <= day <= date(2021, 1, 3) for day in starts)

    buckets = generated_store.client.get("/v1/stats/engagements?group_by=week").json()["buckets"]

    assert buckets[0] == {"key": {"week": "2020-W53"}, "count": in_w53}
    assert in_w53 >= 2
    assert buckets[1]["key"] == {"week": "2021-W01"}
    assert buckets[-1]["key"] == {"week": "2023-W52"}


def test_an_engagement_overlapping_from_counts_in_the_period_it_started(
    generated_store: GeneratedStore,
) -> None:
    date_from = date(2022, 2, 15)
    records = matching_engagements(generated_store.bundle, date_from=date_from)
    earliest = min(start_day(record) for record in records)

    answer = generated_store.client.get("/v1/stats/engagements?group_by=day&from=2022-02-15")

    assert earliest < date_from
    assert answer.json()["buckets"][0]["key"] == {"day": earliest.isoformat()}
    assert answer.json() == expected_engagements(
        generated_store.bundle, ["day"], date_from=date_from
    )


# --- small data of the test's own --------------------------------------------------------------


def test_iso_week_quarter_and_year_edges(client: TestClient, session: Session) -> None:
    for day in ("2020-12-31", "2021-01-03", "2021-01-04", "2024-12-30"):
        make_engagement(session, start_date=day)

    def buckets(unit: str) -> list[tuple[str, int]]:
        answer = client.get(f"/v1/stats/engagements?group_by={unit}&to=2021-01-10").json()
        return [(bucket["key"][unit], bucket["count"]) for bucket in answer["buckets"]]

    assert buckets("week") == [("2020-W53", 2), ("2021-W01", 1)]
    assert buckets("year") == [("2020", 1), ("2021", 2)]
    assert buckets("quarter") == [("2020-Q4", 1), ("2021-Q1", 2)]
    iso_2025 = client.get("/v1/stats/engagements?group_by=week&from=2024-12-29").json()
    assert iso_2025["buckets"] == [
        {"key": {"week": "2024-W52"}, "count": 0},
        {"key": {"week": "2025-W01"}, "count": 1},
    ]


def test_a_round_counts_once_for_each_imposer_and_each_combination(
    client: TestClient, session: Session
) -> None:
    make_round(session, imposed_by=["US", "EU"], measures=["asset_freeze", "travel_ban"])
    make_round(session, imposed_by=["EU"], measures=["asset_freeze"], announced_on="2022-03-09")

    by_imposer = client.get("/v1/stats/sanctions-rounds?group_by=imposed_by").json()
    pairs = client.get("/v1/stats/sanctions-rounds?group_by=measure&group_by=imposed_by").json()

    assert by_imposer["buckets"] == [
        {"key": {"imposed_by": "EU"}, "count": 2},
        {"key": {"imposed_by": "US"}, "count": 1},
    ]
    assert pairs == {
        "group_by": ["measure", "imposed_by"],
        "buckets": [
            {"key": {"measure": "asset_freeze", "imposed_by": "EU"}, "count": 2},
            {"key": {"measure": "asset_freeze", "imposed_by": "US"}, "count": 1},
            {"key": {"measure": "travel_ban", "imposed_by": "EU"}, "count": 1},
            {"key": {"measure": "travel_ban", "imposed_by": "US"}, "count": 1},
        ],
    }


def test_a_sector_bucket_counts_the_sector_named_not_its_parent(
    client: TestClient, session: Session
) -> None:
    make_sector(session, key="energy", name="Energy")
    make_sector(session, key="oil", name="Oil", parent="energy")
    make_round(session, sectors=["oil"])
    make_round(session, sectors=["energy", "oil"])

    answer = client.get("/v1/stats/sanctions-rounds?group_by=sector&sector=energy").json()

    assert answer["buckets"] == [
        {"key": {"sector": "oil"}, "count": 2},
        {"key": {"sector": "energy"}, "count": 1},
    ]


def test_when_nothing_matches(client: TestClient, session: Session) -> None:
    make_round(session, imposed_by=["US"], announced_on="2022-03-08")
    path = "/v1/stats/sanctions-rounds?imposed_by=JP&group_by=month"

    bounded = client.get(path + "&from=2022-01-15&to=2022-03-01").json()
    open_ended = client.get(path + "&from=2022-01-15").json()
    no_time = client.get("/v1/stats/sanctions-rounds?imposed_by=JP&group_by=target").json()

    assert bounded["buckets"] == [
        {"key": {"month": month}, "count": 0} for month in ("2022-01", "2022-02", "2022-03")
    ]
    assert open_ended == {"group_by": ["month"], "buckets": []}
    assert no_time == {"group_by": ["target"], "buckets": []}


def test_empty_store_answers_no_buckets(client: TestClient) -> None:
    answer = client.get("/v1/stats/engagements?group_by=month,kind")

    assert answer.status_code == 200
    assert answer.json() == {"group_by": ["month", "kind"], "buckets": []}


# --- errors -------------------------------------------------------------------------------------

ENGAGEMENT_NAMES = (
    "day, week, month, quarter, year, kind, status, country, actor, organization, sector, topic"
)
ROUND_NAMES = "day, week, month, quarter, year, imposed_by, target, measure, sector, status"


@pytest.mark.parametrize(
    ("path", "errors"),
    [
        ("/v1/stats/engagements", [("/group_by", "Field required")]),
        (
            "/v1/stats/engagements?group_by=monthly",
            [("/group_by/0", f"unknown dimension 'monthly'; choose from {ENGAGEMENT_NAMES}")],
        ),
        (
            "/v1/stats/sanctions-rounds?group_by=month,kind",
            [("/group_by/1", f"unknown dimension 'kind'; choose from {ROUND_NAMES}")],
        ),
        (
            "/v1/stats/engagements?group_by=month&group_by=month",
            [("/group_by/1", "'month' is named twice")],
        ),
        (
            "/v1/stats/engagements?group_by=month,kind,country",
            [("/group_by/2", "at most 2 dimensions; 'country' is one too many")],
        ),
        (
            "/v1/stats/sanctions-rounds?group_by=year,month",
            [
                (
                    "/group_by/1",
                    "at most one time dimension (day, week, month, quarter, year) at a time",
                )
            ],
        ),
        (
            "/v1/stats/engagements?group_by=,kind",
            [("/group_by/0", f"unknown dimension ''; choose from {ENGAGEMENT_NAMES}")],
        ),
        (
            "/v1/stats/engagements?group_by=day&from=0001-01-01&to=9999-12-31",
            [
                (
                    "/group_by",
                    "the answer would hold 3,652,059 buckets (3,652,059 days from 0001-01-01 to "
                    "9999-12-31), more than 10,000: narrow the range with `from` and `to` or "
                    "other filters, or group by a coarser unit (week, month, quarter, year)",
                )
            ],
        ),
        (
            "/v1/stats/engagements?group_by=month&country=XX",
            [("/country/0", "unknown country code 'XX': use ISO 3166-1 alpha-2, or EU")],
        ),
        (
            "/v1/stats/sanctions-rounds?group_by=month&from=2022-04-01&to=2022-03-01",
            [("/to", "`to` must not be before `from`")],
        ),
        (
            "/v1/stats/sanctions-rounds?group_by=measure&measure=embargo",
            [("/measure/0", None)],
        ),
    ],
)
def test_bad_requests_are_422_problems(
    client: TestClient, path: str, errors: list[tuple[str, str | None]]
) -> None:
    response = client.get(path)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["type"], body["title"], body["status"]) == (
        "/problems/validation-error",
        "Validation failed",
        422,
    )
    assert body["instance"] == f"{path.split('?')[0]}#request={response.headers['x-request-id']}"
    assert [error["pointer"] for error in body["errors"]] == [pointer for pointer, _ in errors]
    for error, (_, message) in zip(body["errors"], errors, strict=True):
        assert error["location"] == "query"
        if message is not None:
            assert error["message"] == message


def test_a_fill_beyond_10000_buckets_is_refused(generated_store: GeneratedStore) -> None:
    topics = {
        topic for record in generated_store.bundle["engagements"] for topic in record["topics"]
    }

    response = generated_store.client.get("/v1/stats/engagements?group_by=day,topic")

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["pointer"] == "/group_by"
    assert error["message"].startswith(
        f"the answer would hold {1095 * len(topics):,} buckets (1,095 days from 2021-01-01 to "
        f"2023-12-31 for each of {len(topics)} values), more than 10,000"
    )


def test_openapi_documents_the_dimensions_and_shows_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    for path, names in (
        ("/v1/stats/engagements", ENGAGEMENT_NAMES),
        ("/v1/stats/sanctions-rounds", ROUND_NAMES),
    ):
        operation = spec["paths"][path]["get"]
        [group_by] = [p for p in operation["parameters"] if p["name"] == "group_by"]
        assert group_by["required"] is True
        assert all(f"`{name}`" in group_by["description"] for name in names.split(", "))
        assert group_by["examples"]
        assert "zero" in operation["description"] or "Holes are filled" in operation["description"]
        assert set(operation["responses"]) == {"200", "400", "401", "414", "422", "429"}
    assert spec["components"]["schemas"]["Stats"]["examples"][0]["group_by"] == [
        "month",
        "imposed_by",
    ]
