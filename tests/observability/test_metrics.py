"""`GET /metrics`: what it counts, how it names routes, and who may read it."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from sanctions_tracker.app import create_app
from sanctions_tracker.config import Settings, get_settings
from sanctions_tracker.db import get_sessionmaker
from sanctions_tracker.observability import metrics
from sanctions_tracker.observability import multiprocess as metrics_directory
from tests.conftest import ClientAs
from tests.observability.conftest import LOOPBACK, parse_metrics, scrape, value

REQUESTS = "sanctions_tracker_http_requests_total"
LATENCY_COUNT = "sanctions_tracker_http_request_duration_seconds_count"
PROBLEM = "application/problem+json"


def test_requests_are_counted_by_route_template_method_and_status(
    local_client: TestClient,
) -> None:
    before = scrape(local_client)

    for _ in range(2):
        assert local_client.get("/v1/actors/liz-truss").status_code == 404
    assert local_client.get("/v1/countries/GB").status_code == 200
    assert local_client.delete("/healthz").status_code == 405
    response = local_client.get("/metrics")
    after = parse_metrics(response.text)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved(REQUESTS, route="/v1/actors/{ref}", method="GET", status="404") == 2
    assert moved(REQUESTS, route="/v1/countries/{code}", method="GET", status="200") == 1
    assert moved(REQUESTS, route="/healthz", method="DELETE", status="405") == 1
    assert moved(REQUESTS, route="/metrics", method="GET", status="200") == 1  # the first scrape
    assert moved(LATENCY_COUNT, route="/v1/actors/{ref}", method="GET") == 2
    # Raw paths never become label values: they would let any client make new series.
    assert "liz-truss" not in response.text
    assert "/v1/countries/GB" not in response.text


def test_a_path_that_matches_no_route_counts_as_unmatched(local_client: TestClient) -> None:
    before = scrape(local_client)

    assert local_client.get("/v1/no-such-collection/x-7f3a").status_code == 404
    assert local_client.request("BREW", "/v1/coffee-9b2c").status_code in (404, 405)
    response = local_client.get("/metrics")
    after = parse_metrics(response.text)

    unmatched = {"route": "unmatched", "status": "404", "method": "GET"}
    assert value(after, REQUESTS, **unmatched) - value(before, REQUESTS, **unmatched) == 1
    assert "x-7f3a" not in response.text
    assert "coffee-9b2c" not in response.text
    assert "BREW" not in response.text  # unknown methods are one value, OTHER
    assert any(name == REQUESTS and ("method", "OTHER") in labels for name, labels in after), (
        "the BREW request was not counted"
    )


def test_latency_buckets_suit_an_api_that_answers_in_milliseconds(
    local_client: TestClient,
) -> None:
    local_client.get("/healthz")
    samples = scrape(local_client)

    bounds = sorted(
        float(dict(labels)["le"])
        for name, labels in samples
        if name == "sanctions_tracker_http_request_duration_seconds_bucket"
        and dict(labels)["route"] == "/healthz"
        and dict(labels)["method"] == "GET"
    )
    assert bounds[:3] == [0.001, 0.0025, 0.005]
    assert bounds[-2:] == [10.0, float("inf")]


@pytest.mark.parametrize("host", ["testclient", "203.0.113.9", "10.0.0.8", "2001:db8::1"])
def test_by_default_only_clients_on_the_servers_host_may_read_them(app: FastAPI, host: str) -> None:
    with TestClient(app, client=(host, 40000)) as remote:
        response = remote.get("/metrics")

    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"] == (
        "The metrics are served to clients on the server's own host only."
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_loopback_clients_may_read_them(app: FastAPI, host: str) -> None:
    with TestClient(app, client=(host, 40000)) as local:
        response = local.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE sanctions_tracker_http_requests_total counter" in response.text


def test_metrics_access_open_lets_anyone_read_them(app: FastAPI) -> None:
    app.dependency_overrides[get_settings] = lambda: Settings(metrics_access="open")

    with TestClient(app, client=("203.0.113.9", 40000)) as remote:
        assert remote.get("/metrics").status_code == 200


def test_metrics_access_admin_wants_an_admin_key_wherever_the_client_is(
    app: FastAPI, client_as: ClientAs
) -> None:
    app.dependency_overrides[get_settings] = lambda: Settings(metrics_access="admin")

    with TestClient(app, client=LOOPBACK) as local_without_key:
        assert local_without_key.get("/metrics").status_code == 401
    assert client_as("reader").get("/metrics").status_code == 403
    assert client_as("editor").get("/metrics").status_code == 403
    assert client_as("admin").get("/metrics").status_code == 200  # from "testclient", not loopback


def test_openmetrics_is_served_when_asked_for(local_client: TestClient) -> None:
    response = local_client.get("/metrics", headers={"Accept": "application/openmetrics-text"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")


def test_imports_are_counted_by_record_type_and_outcome(
    client: TestClient, local_client: TestClient
) -> None:
    bundle = {
        "format": "sanctions-tracker-bundle/1",
        "actors": [
            {"key": "metrics-actor-one", "name": "Metrics Actor One"},
            {"key": "metrics-actor-two", "name": "Metrics Actor Two"},
        ],
    }
    before = scrape(local_client)

    assert client.post("/v1/import?dry_run=true", json=bundle).status_code == 200
    assert client.post("/v1/import", json=bundle).status_code == 200
    assert client.post("/v1/import", json=bundle).status_code == 200
    after = scrape(local_client)

    def moved(outcome: str) -> float:
        labels = {"type": "actors", "outcome": outcome}
        name = "sanctions_tracker_import_records_total"
        return value(after, name, **labels) - value(before, name, **labels)

    # The dry run counts nothing; the first import creates both, the second changes nothing.
    assert (moved("created"), moved("updated"), moved("unchanged")) == (2, 0, 2)


@pytest.fixture
def backlog_unregistered() -> Iterator[None]:
    metrics.register_webhook_backlog(None)
    yield
    metrics.register_webhook_backlog(None)


@pytest.mark.usefixtures("backlog_unregistered")
def test_webhook_deliveries_and_backlog_are_reported_once_registered(
    local_client: TestClient,
) -> None:
    before = scrape(local_client)
    assert not any(name == "sanctions_tracker_webhook_backlog" for name, _ in before)

    metrics.count_webhook_delivery("delivered")
    metrics.count_webhook_delivery("delivered")
    metrics.count_webhook_delivery("retrying")
    metrics.register_webhook_backlog(lambda: 7)
    after = scrape(local_client)

    def moved(outcome: str) -> float:
        name = "sanctions_tracker_webhook_deliveries_total"
        return value(after, name, outcome=outcome) - value(before, name, outcome=outcome)

    assert (moved("delivered"), moved("retrying"), moved("failed")) == (2, 1, 0)
    assert value(after, "sanctions_tracker_webhook_backlog") == 7


@pytest.mark.usefixtures("backlog_unregistered")
def test_a_failing_backlog_callback_leaves_the_rest_of_the_metrics(
    local_client: TestClient,
) -> None:
    def broken() -> int:
        raise RuntimeError("the outbox table is gone")

    metrics.register_webhook_backlog(broken)
    samples = scrape(local_client)

    assert not any(name == "sanctions_tracker_webhook_backlog" for name, _ in samples)
    assert any(name == REQUESTS for name, _ in samples)


def test_pool_gauges_follow_the_apps_engine(engine: Engine, backend: str) -> None:
    app = create_app()
    app.dependency_overrides[get_sessionmaker] = lambda: sessionmaker(bind=engine)
    database = engine.url.database or ""
    labels = {
        "backend": backend,
        "database": Path(database).name if backend == "sqlite" else database,
    }

    with TestClient(app, client=LOOPBACK) as local:
        assert local.get("/v1/countries/GB").status_code == 200
        idle = scrape(local)
        with engine.connect(), engine.connect():
            busy = scrape(local)
        again = scrape(local)

    size = engine.pool.size()  # type: ignore[attr-defined]
    assert value(idle, "sanctions_tracker_db_pool_size", **labels) == size
    assert value(busy, "sanctions_tracker_db_pool_checked_out", **labels) == (
        value(idle, "sanctions_tracker_db_pool_checked_out", **labels) + 2
    )
    assert value(again, "sanctions_tracker_db_pool_checked_out", **labels) == (
        value(idle, "sanctions_tracker_db_pool_checked_out", **labels)
    )
    assert ("sanctions_tracker_db_pool_overflow", frozenset(labels.items())) in idle


@pytest.mark.usefixtures("backlog_unregistered")
def test_a_served_app_shows_the_backlog_until_it_stops(engine: Engine) -> None:
    app = create_app()
    app.dependency_overrides[get_sessionmaker] = lambda: sessionmaker(bind=engine)

    with TestClient(app, client=LOOPBACK) as local:
        assert ("sanctions_tracker_webhook_backlog", frozenset()) in scrape(local)

    assert REGISTRY.get_sample_value("sanctions_tracker_webhook_backlog") is None


def test_pool_events_count_checkouts_between_scrapes(engine: Engine, backend: str) -> None:
    metrics.watch_engine(engine)
    backend_label, database_label = metrics.engine_labels(engine)
    labels = {"backend": backend_label, "database": database_label}

    def checked_out() -> float | None:
        return REGISTRY.get_sample_value("sanctions_tracker_db_pool_checked_out", labels)

    idle = checked_out()
    assert idle is not None
    with engine.connect():
        assert checked_out() == idle + 1
    assert checked_out() == idle


def test_serve_with_several_workers_gets_a_fresh_shared_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(metrics_directory.VARIABLE, raising=False)
    assert metrics_directory.prepare(1) is None  # one process: plain in-memory metrics
    made = metrics_directory.prepare(2)

    assert made is not None
    assert made.is_dir()
    assert not any(made.iterdir())
    assert metrics_directory.VARIABLE in os.environ
    metrics_directory.remove(made)
    assert not made.exists()
    assert metrics_directory.VARIABLE not in os.environ


def test_a_directory_named_by_the_operator_is_emptied_of_old_runs_and_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "counter_4242.db").write_bytes(b"an earlier run")
    (tmp_path / "notes.txt").write_text("not ours")
    monkeypatch.setenv(metrics_directory.VARIABLE, str(tmp_path))

    assert metrics_directory.prepare(4) is None  # nothing to remove afterwards

    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]
