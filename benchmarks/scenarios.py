"""The issue's ten scenarios, and the fixed request lists of the first eight, picked from the
store with a seeded random generator so that every run asks the same questions of the same data.

A request is a small dict of parameters; `api_path` makes the API's URL from it, `datasette_path`
the URL that asks Datasette the same question, and `benchmarks.floor` the service call that the
API's route makes for it."""

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sanctions_tracker.models import Engagement, EngagementCountry

Params = dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    number: str  # "1" ... "10"; "3p1" is page 1 of scenario 3's lists, for comparison
    title: str
    requests: int  # timed requests (scenarios 1-8)
    warmup: int
    datasette: bool = False


SCENARIOS = {
    scenario.number: scenario
    for scenario in [
        Scenario("1", "one engagement by key", 2000, 200, datasette=True),
        Scenario("2", "filtered list: country + kind + year, limit 50, total", 2000, 200, True),
        Scenario("3", "page 200 of a large list, by cursor", 1000, 100),
        Scenario("3p1", "page 1 of the same lists", 1000, 100),
        Scenario(
            "4", "facets kind, country, status over country + year (counts only)", 1000, 100, True
        ),
        Scenario("5", "full-text search", 2000, 200, datasette=True),
        Scenario("6", "timeline of one country over a year", 1000, 100),
        Scenario("7", "monthly statistics by kind, all data", 160, 16),
        Scenario("8", "actor network of one year", 160, 16),
        Scenario("9", "CSV export of every engagement", 1, 0),
        Scenario("10", "import a bundle over HTTP", 1, 0),
    ]
}
LOADED = ["1", "2", "3", "3p1", "4", "5", "6", "7", "8"]
PAGE_SIZE = 50
DEEP_PAGE = 200
DEEP_LISTS = 4
SEARCH_LIMIT = 20
COMMON_WORDS = """
about after again against among because before being between could during either every further
other their there these those through under until where which while would
"""
STOP_WORDS = frozenset(COMMON_WORDS.split())


@dataclass
class Plan:
    """Per scenario, the warm-up requests then the timed ones."""

    requests: dict[str, list[Params]] = field(default_factory=dict)
    warmups: dict[str, list[Params]] = field(default_factory=dict)
    deep_filters: list[Params] = field(default_factory=list)  # scenario 3's lists, unwalked
    scale: float = 1.0


def _counts(number: str, scale: float) -> tuple[int, int]:
    """(warm-up, timed) requests of a scenario at this scale."""
    scenario = SCENARIOS[number]
    warmup = max(1, round(scenario.warmup * scale)) if scenario.warmup else 0
    return warmup, max(1, round(scenario.requests * scale))


def _weighted(rng: random.Random, counts: Sequence[tuple[Any, int]], n: int) -> list[Any]:
    values = [value for value, _ in counts]
    weights = [count for _, count in counts]
    return rng.choices(values, weights=weights, k=n)


def _year_span(year: int) -> Params:
    return {"from": f"{year}-01-01", "to": f"{year}-12-31"}


def _years(session: Session) -> list[tuple[int, int]]:
    first, last = session.execute(
        select(func.min(Engagement.start_on), func.max(Engagement.start_on))
    ).one()
    if first is None:
        return []
    counted = []
    for year in range(first.year, last.year + 1):
        count = session.scalar(
            select(func.count()).where(
                Engagement.start_on >= date(year, 1, 1), Engagement.start_on <= date(year, 12, 31)
            )
        )
        if count:
            counted.append((year, int(count)))
    return counted


def _group_counts(session: Session, column: Any) -> list[tuple[Any, int]]:
    rows = session.execute(select(column, func.count()).group_by(column).order_by(column)).all()
    return [(value, int(count)) for value, count in rows]


def _queries(rng: random.Random, summaries: Sequence[str], n: int) -> list[str]:
    """One or two words of a real summary: what an analyst would type."""
    word_lists = [
        [word for word in re.findall(r"[a-z]{5,}", text.lower()) if word not in STOP_WORDS]
        for text in summaries
    ]
    word_lists = [words for words in word_lists if words]
    if not word_lists:
        return ["sanctions"] * n
    queries = []
    for _ in range(n):
        words = rng.choice(word_lists)
        if len(words) > 1 and rng.random() < 0.3:
            queries.append(" ".join(rng.sample(words, 2)))
        else:
            queries.append(rng.choice(words))
    return queries


def pick(session: Session, seed: int, scale: float = 1.0) -> Plan:
    """The request lists for scenarios 1-8 from the store in `session` (a seeded choice, so
    the same data gives the same lists). `scale` multiplies every request count."""
    rng = random.Random(seed)
    counts = {number: _counts(number, scale) for number in SCENARIOS}
    total = {number: warm + timed for number, (warm, timed) in counts.items()}
    ids = list(session.scalars(select(Engagement.id).order_by(Engagement.id)))
    if not ids:
        raise RuntimeError("the store holds no engagements")
    years = _years(session)
    countries = _group_counts(session, EngagementCountry.country)
    kinds = _group_counts(session, Engagement.kind)
    drawn: dict[str, list[Params]] = {}

    chosen = [rng.choice(ids) for _ in range(total["1"])]
    found = session.execute(
        select(Engagement.id, Engagement.key).where(Engagement.id.in_(sorted(set(chosen))))
    )
    keys = dict(found.tuples().all())
    drawn["1"] = [{"key": keys[each]} for each in chosen]

    drawn["2"] = [
        {"country": country, "kind": kind, **_year_span(year)}
        for country, kind, year in zip(
            _weighted(rng, countries, total["2"]),
            _weighted(rng, kinds, total["2"]),
            _weighted(rng, years, total["2"]),
            strict=True,
        )
    ]
    drawn["4"] = [
        {"country": country, **_year_span(year)}
        for country, year in zip(
            _weighted(rng, countries, total["4"]), _weighted(rng, years, total["4"]), strict=True
        )
    ]
    sampled = rng.sample(ids, min(len(ids), 400))
    summaries = [
        text
        for text in session.scalars(select(Engagement.summary).where(Engagement.id.in_(sampled)))
        if text
    ]
    drawn["5"] = [{"q": q} for q in _queries(rng, sorted(summaries), total["5"])]
    drawn["6"] = [
        {"country": country, **_year_span(year)}
        for country, year in zip(
            _weighted(rng, countries, total["6"]), _weighted(rng, years, total["6"]), strict=True
        )
    ]
    drawn["7"] = [{"group_by": "month,kind"} for _ in range(total["7"])]
    drawn["8"] = [_year_span(year) for year in _weighted(rng, years, total["8"])]

    plan = Plan(scale=scale)
    for number, requests in drawn.items():
        warm = counts[number][0]
        plan.warmups[number], plan.requests[number] = requests[:warm], requests[warm:]
    plan.deep_filters = deep_filters(kinds, countries)
    return plan


def deep_filters(
    kinds: Sequence[tuple[str, int]], countries: Sequence[tuple[str, int]]
) -> list[Params]:
    """Scenario 3's lists: the largest kinds and countries with at least 200 pages; while the
    store is too small for that, the largest list of all (walked as deep as it goes)."""
    candidates = sorted(
        [({"kind": kind}, count) for kind, count in kinds]
        + [({"country": country}, count) for country, count in countries],
        key=lambda pair: (-pair[1], sorted(pair[0].items())),
    )
    deep = [filters for filters, count in candidates if count > (DEEP_PAGE - 1) * PAGE_SIZE]
    return deep[:DEEP_LISTS] or [filters for filters, _ in candidates[:1]]


def with_cursors(plan: Plan, cursors: Sequence[tuple[Params, str | None, int]]) -> None:
    """Fill scenarios 3 and 3p1 from the walked lists: (filters, cursor of the deepest page
    reached, that page's number)."""
    for number in ("3", "3p1"):
        warm_n, timed_n = _counts(number, plan.scale)
        every = [
            {
                "filter": filters,
                "cursor": cursor if number == "3" else None,
                "page": page if number == "3" else 1,
            }
            for filters, cursor, page in cursors
        ]
        requests = [every[index % len(every)] for index in range(warm_n + timed_n)]
        plan.warmups[number], plan.requests[number] = requests[:warm_n], requests[warm_n:]


def api_path(number: str, params: Params) -> str:
    """The API's URL for one request of scenario `number`."""
    if number == "1":
        return f"/v1/engagements/{params['key']}"
    if number == "2":
        query = [("country", params["country"]), ("kind", params["kind"])]
        query += [("from", params["from"]), ("to", params["to"]), ("limit", PAGE_SIZE)]
        return "/v1/engagements?" + urlencode(query)
    if number in ("3", "3p1"):
        query = [*params["filter"].items(), ("limit", PAGE_SIZE)]
        if params["cursor"]:
            query.append(("cursor", params["cursor"]))
        return "/v1/engagements?" + urlencode(query)
    if number == "4":
        query = [("country", params["country"]), ("from", params["from"]), ("to", params["to"])]
        # Counts only (`limit=0`), as the Datasette query it is compared with answers them.
        query += [("facets", "kind,country,status"), ("limit", 0)]
        return "/v1/engagements?" + urlencode(query)
    if number == "5":
        return "/v1/search?" + urlencode([("q", params["q"]), ("limit", SEARCH_LIMIT)])
    if number == "6":
        query = [("country", params["country"]), ("from", params["from"]), ("to", params["to"])]
        return "/v1/timeline?" + urlencode(query)
    if number == "7":
        return "/v1/stats/engagements?" + urlencode([("group_by", params["group_by"])])
    if number == "8":
        query = [("level", "actor"), ("from", params["from"]), ("to", params["to"])]
        return "/v1/network?" + urlencode(query)
    raise ValueError(f"scenario {number} has no request list")


DATASETTE_DB = "bench"
IN_COUNTRY = "id in (select engagement_id from engagement_countries where country = '{country}')"
OVERLAPS = "start_on <= '{to}' and coalesce(end_on, start_on) >= '{from}'"
# Scenario 4 on Datasette: its facets cannot reach a child table (country), so one canned query
# answers the three facets and the total over the same filtered set, in the same SQL the API's
# filters make.
FACETS_QUERY = """
with matched as (
  select id, kind, status from engagements
  where id in (select engagement_id from engagement_countries where country = :country)
    and start_on <= :to and coalesce(end_on, start_on) >= :from
)
select 'total' as facet, null as value, count(*) as count from matched
union all
select 'kind', kind, count(*) from matched group by kind
union all
select 'status', status, count(*) from matched group by status
union all
select 'country', country, count(*) from engagement_countries
  where engagement_id in (select id from matched) group by country
""".strip()


def datasette_path(number: str, params: Params, ids: dict[str, int]) -> str:
    """The idiomatic Datasette URL that answers the same question (`ids`: key -> row id)."""
    base = f"/{DATASETTE_DB}"
    if number == "1":
        return f"{base}/engagements/{ids[params['key']]}.json"
    if number == "2":
        query = [
            ("kind", params["kind"]),
            ("_where", IN_COUNTRY.format(country=params["country"])),
            ("_where", OVERLAPS.format(**params)),
            ("_sort_desc", "start_on"),
            ("_size", PAGE_SIZE),
        ]
        return f"{base}/engagements.json?" + urlencode(query)
    if number == "4":
        query = [("country", params["country"]), ("from", params["from"]), ("to", params["to"])]
        return f"{base}/engagement_facets.json?" + urlencode(query)
    if number == "5":
        return f"{base}/search_documents.json?" + urlencode(
            [("_search", params["q"]), ("_size", SEARCH_LIMIT)]
        )
    raise ValueError(f"scenario {number} has no Datasette equivalent")
