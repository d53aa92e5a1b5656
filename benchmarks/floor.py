"""The floor: each request's raw time in process, without HTTP.

For every scenario it calls what the API's route calls with the same parameters — the same
filters, the same service functions, the same page reader — in a new session per request, one
request at a time, and stops before the answer is serialised. The API's p50 minus this p50 is
what the web layer costs per request (routing, validation, JSON, middleware, the thread hand-off).
"""

import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from benchmarks.load import percentile
from benchmarks.scenarios import PAGE_SIZE, SEARCH_LIMIT, Params
from sanctions_tracker.db import build_engine
from sanctions_tracker.engagements.service import EngagementFilters
from sanctions_tracker.enums import EngagementKind

Call = Callable[[Session], Any]
# Heavy scenarios are timed on fewer requests: their p50 settles quickly.
LIMITS = {"1": 300, "2": 200, "3": 100, "3p1": 100, "4": 100, "5": 100, "6": 100, "7": 10, "8": 10}


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _filters(params: Params) -> EngagementFilters:
    return EngagementFilters(
        kind=[EngagementKind(params["kind"])] if "kind" in params else None,
        country=[params["country"]] if "country" in params else None,
        date_from=_day(params["from"]) if "from" in params else None,
        date_to=_day(params["to"]) if "to" in params else None,
    )


def _list_request(session: Session, cursor: str | None, facets: list[str], limit: int) -> Any:
    """The engagement list's own `ListRequest`, as its route receives it."""
    from sanctions_tracker.engagements.router import LISTING
    from sanctions_tracker.exports.formats import ExportFormat
    from sanctions_tracker.listing import ListRequest

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/v1/engagements",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1")],
        "scheme": "http",
        "server": ("127.0.0.1", 80),
        "root_path": "",
    }
    return ListRequest(
        listing=LISTING,
        request=Request(scope),
        response=Response(),
        stream_session=session,
        sort=LISTING.default_sort,
        limit=limit,
        cursor=cursor,
        facets=facets,
        format=ExportFormat.json,
    )


def call(number: str, params: Params) -> Call:
    """What the route of scenario `number` does for `params`, as a function of a session."""
    if number == "1":
        from sanctions_tracker.engagements import reader, router

        return lambda session: reader.document_ref(session, router.RECORD_TYPE, params["key"])
    if number in ("2", "3", "3p1", "4"):
        from sanctions_tracker.engagements import service

        filters = _filters(params.get("filter", params))
        cursor = params.get("cursor")
        facets = ["kind", "country", "status"] if number == "4" else []
        limit = 0 if number == "4" else PAGE_SIZE
        return lambda session: _list_request(session, cursor, facets, limit).answer(
            session, service.list_query(session, filters)
        )
    if number == "5":
        from sanctions_tracker.search import service as search

        return lambda session: search.search(
            session, params["q"], types=[], limit=SEARCH_LIMIT, cursor=None
        )
    if number == "6":
        from sanctions_tracker.timeline import service as timeline
        from sanctions_tracker.timeline.schemas import Order

        span = timeline.TimelineFilters(
            country=[params["country"]],
            date_from=_day(params["from"]),
            date_to=_day(params["to"]),
        )
        return lambda session: timeline.page(session, span, Order.desc, None, PAGE_SIZE)
    if number == "7":
        from sanctions_tracker.stats import service as stats

        group_by = params["group_by"].split(",")
        return lambda session: stats.engagement_stats(session, EngagementFilters(), group_by)
    if number == "8":
        from sanctions_tracker.network import service as network
        from sanctions_tracker.network.schemas import NetworkLevel

        filters = _filters(params)
        return lambda session: network.network(session, filters, NetworkLevel.actor)
    raise ValueError(f"scenario {number} has no floor")


def measure(url: str, plans: dict[str, Sequence[Params]]) -> dict[str, dict[str, Any]]:
    """Per scenario: p50 and p99 in ms of its requests run one by one, or the error that
    stopped it (a route whose internals moved on shows here, not as a crash)."""
    engine = build_engine(url)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    results: dict[str, dict[str, Any]] = {}
    try:
        for number, requests in plans.items():
            chosen = list(requests)[: LIMITS.get(number, 200)]
            try:
                calls = [call(number, params) for params in chosen]
                # One untimed pass over a few requests warms the caches, as the load's warm-up.
                # Each ends as the route's does, with a commit (of nothing): a rollback would
                # also make psycopg drop its prepared statements, which the API's reads keep.
                for each in calls[:5]:
                    with sessions() as session:
                        each(session)
                        session.commit()
                times = []
                for each in calls:
                    started = time.perf_counter()
                    with sessions() as session:
                        each(session)
                        session.commit()
                    times.append(time.perf_counter() - started)
            except Exception as problem:  # reported in the table instead
                results[number] = {"error": f"{type(problem).__name__}: {problem}"[:200]}
                continue
            times.sort()
            results[number] = {
                "requests": len(times),
                "p50_ms": percentile(times, 0.5) * 1000,
                "p99_ms": percentile(times, 0.99) * 1000,
            }
    finally:
        engine.dispose()
    return results
