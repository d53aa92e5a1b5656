"""The Prometheus metrics: requests, latency, database pools, imports, webhook deliveries.

Every metric lives in the default registry of `prometheus_client`. Under `serve --workers N`
the library's multiprocess mode keeps each worker's values in files (see `multiprocess`), and
`exposition` adds them up, so the numbers are the server's, not one worker's."""

import logging
import os
import weakref
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event

from sanctions_tracker.observability import multiprocess

logger = logging.getLogger("sanctions_tracker")

UNMATCHED_ROUTE = "unmatched"
"""The `route` label of a request that matched no route: the raw path would let any client
make new series at will."""
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "OTHER"
# The API answers most requests in a few milliseconds; exports and imports take seconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# The `_created` series double every counter's lines and no dashboard here reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]

REQUESTS = Counter(
    "sanctions_tracker_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "sanctions_tracker_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route template and method.",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
# `livesum`: with several workers, the pools of the live ones added up.
POOL_CHECKED_OUT = Gauge(
    "sanctions_tracker_db_pool_checked_out",
    "Database connections in use by requests, per engine.",
    ["backend", "database"],
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "sanctions_tracker_db_pool_size",
    "Connections each engine's pool keeps open.",
    ["backend", "database"],
    multiprocess_mode="livesum",
)
POOL_OVERFLOW = Gauge(
    "sanctions_tracker_db_pool_overflow",
    "Connections open beyond the pool's size, per engine.",
    ["backend", "database"],
    multiprocess_mode="livesum",
)
IMPORTED_RECORDS = Counter(
    "sanctions_tracker_import_records",
    "Records written by bundle imports (not dry runs), by record type and outcome "
    "(created, updated, unchanged).",
    ["type", "outcome"],
)
WEBHOOK_DELIVERIES = Counter(
    "sanctions_tracker_webhook_deliveries",
    "Webhook delivery attempts, by outcome.",
    ["outcome"],
)
WEBHOOK_BACKLOG_NAME = "sanctions_tracker_webhook_backlog"
WEBHOOK_BACKLOG_HELP = "Webhook deliveries waiting to be sent (due or retrying)."

_request_series: dict[tuple[str, str, int], Any] = {}
_latency_series: dict[tuple[str, str], Any] = {}


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request. The labelled series are cached: `labels()` costs more than
    the increment itself."""
    if method not in HTTP_METHODS:
        method = OTHER_METHOD
    counter = _request_series.get((route, method, status))
    if counter is None:
        counter = _request_series[(route, method, status)] = REQUESTS.labels(
            route, method, str(status)
        )
    histogram = _latency_series.get((route, method))
    if histogram is None:
        histogram = _latency_series[(route, method)] = LATENCY.labels(route, method)
    counter.inc()
    histogram.observe(seconds)


def count_import(outcomes: Mapping[str, Mapping[str, int]]) -> None:
    """Count an import's records: `{"created": {"engagements": 3, ...}, "updated": ...}`."""
    for outcome, per_type in outcomes.items():
        for record_type, count in per_type.items():
            if count:
                IMPORTED_RECORDS.labels(record_type, outcome).inc(count)


# --- webhooks: the webhook worker reports here ----------------------------------------------

_webhook_backlog: Callable[[], int] | None = None


def count_webhook_delivery(outcome: str) -> None:
    """Count one delivery attempt: `delivered` (a 2xx), `retrying` (it will be tried again),
    `failed` (given up)."""
    WEBHOOK_DELIVERIES.labels(outcome).inc()


def register_webhook_backlog(backlog: Callable[[], int] | None) -> None:
    """Feed the backlog gauge: `backlog()` is called at each scrape, in a worker thread, and
    answers how many deliveries wait. None unregisters it (no backlog sample is shown)."""
    global _webhook_backlog
    _webhook_backlog = backlog


def unregister_webhook_backlog(backlog: Callable[[], int]) -> None:
    """Take `backlog` away if it is still the one registered; an app stopping leaves the
    backlog of another one started after it in place."""
    global _webhook_backlog
    if _webhook_backlog is backlog:
        _webhook_backlog = None


class _WebhookBacklog(Collector):
    """The backlog, asked for at scrape time: it is the database's, the same for every worker,
    so it is read once per scrape rather than kept per process."""

    def describe(self) -> list[Metric]:
        return [GaugeMetricFamily(WEBHOOK_BACKLOG_NAME, WEBHOOK_BACKLOG_HELP)]

    def collect(self) -> Iterator[Metric]:
        backlog = _webhook_backlog
        if backlog is None:
            return
        try:
            value = backlog()
        except Exception:
            logger.warning("the webhook backlog could not be read", exc_info=True)
            return
        yield GaugeMetricFamily(WEBHOOK_BACKLOG_NAME, WEBHOOK_BACKLOG_HELP, value=value)


_BACKLOG = _WebhookBacklog()
REGISTRY.register(_BACKLOG)


# --- database pools ------------------------------------------------------------------------

_watched: "weakref.WeakKeyDictionary[Engine, tuple[str, str]]" = weakref.WeakKeyDictionary()


def engine_labels(engine: Engine) -> tuple[str, str]:
    """`(backend, database)`: a SQLite file by its name (not its directory), else the
    database's name."""
    database = engine.url.database or ""
    if engine.dialect.name == "sqlite" and database not in ("", ":memory:"):
        database = Path(database).name
    return engine.dialect.name, database or "-"


def watch_engine(engine: Engine) -> None:
    """Keep `engine`'s pool gauges current: set them now, then follow every checkout and
    checkin (a pool event costs an increment). Watching an engine twice changes nothing."""
    if engine in _watched:
        return
    labels = _watched[engine] = engine_labels(engine)
    checked_out = POOL_CHECKED_OUT.labels(*labels)

    def on_checkout(*_args: Any) -> None:
        checked_out.inc()

    def on_checkin(*_args: Any) -> None:
        checked_out.dec()

    def on_connect_or_close(*_args: Any) -> None:
        POOL_OVERFLOW.labels(*labels).set(max(0, _pool_number(engine, "overflow")))

    event.listen(engine, "checkout", on_checkout)
    event.listen(engine, "checkin", on_checkin)
    event.listen(engine, "connect", on_connect_or_close)
    event.listen(engine, "close", on_connect_or_close)
    refresh_pool(engine)


def refresh_pool(engine: Engine) -> None:
    """Set `engine`'s gauges from its pool, which knows best (the events only follow it)."""
    labels = _watched.get(engine) or engine_labels(engine)
    POOL_CHECKED_OUT.labels(*labels).set(_pool_number(engine, "checkedout"))
    POOL_SIZE.labels(*labels).set(_pool_number(engine, "size"))
    POOL_OVERFLOW.labels(*labels).set(max(0, _pool_number(engine, "overflow")))


def _pool_number(engine: Engine, name: str) -> int:
    """What the pool says (`checkedout()`, `size()`, `overflow()`); 0 from a pool that does not
    count (SQLite's in-memory pools)."""
    method = getattr(engine.pool, name, None)
    try:
        return int(method()) if callable(method) else 0
    except (TypeError, ValueError, AttributeError):
        return 0


# --- exposition ----------------------------------------------------------------------------


def exposition(accept: str | None) -> tuple[bytes, str]:
    """The metrics as text, in the format `accept` asks for (Prometheus text by default,
    OpenMetrics on request), and its media type."""
    for engine in list(_watched.keys()):
        refresh_pool(engine)
    registry: Collector = REGISTRY
    if multiprocess.enabled():
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(_BACKLOG)
    encoder, media_type = choose_encoder(accept or "")
    return encoder(registry), media_type


def process_stopped() -> None:
    """At a worker's shutdown in multiprocess mode: drop its live gauges from the sums."""
    if multiprocess.enabled():
        prometheus_multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
