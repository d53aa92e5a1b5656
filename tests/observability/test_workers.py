"""`serve --workers 2`: the metrics of both worker processes add up, whichever one is scraped."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from sanctions_tracker import migrations
from sanctions_tracker.db import build_engine
from tests.observability.conftest import parse_metrics, value

ROOT = Path(__file__).resolve().parents[2]
STARTED = "Application startup complete."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _lines(log: Path, *, complete: bool = True) -> list[dict[str, Any]]:
    """The log's lines, parsed; while the server runs (`complete=False`), without the last one,
    which may be half written."""
    text = log.read_text()
    lines = text.splitlines()
    if not complete and not text.endswith("\n"):
        lines = lines[:-1]
    return [json.loads(line) for line in lines if line.strip()]


@contextlib.contextmanager
def two_workers(database_url: str, metrics_dir: Path, log: Path) -> Iterator[str]:
    """`sanctions-tracker serve --workers 2` in a process of its own, its JSON logs in `log`;
    answers its base URL once both workers have started."""
    port = _free_port()
    env = os.environ | {
        "SANCTIONS_TRACKER_DATABASE_URL": database_url,
        "SANCTIONS_TRACKER_ANONYMOUS_RATE_LIMIT_PER_MINUTE": "0",
        "SANCTIONS_TRACKER_LOG_LEVEL": "info",
        "SANCTIONS_TRACKER_LOG_FORMAT": "json",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    command = [sys.executable, "-m", "sanctions_tracker.cli", "serve", "--no-seed", "--no-migrate"]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 180  # a busy test machine imports the app slowly
        while sum(line["message"] == STARTED for line in _lines(log, complete=False)) < 2:
            assert process.poll() is None, f"the server died:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"the workers never started:\n{log.read_text()}"
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_two_workers_count_as_one_server(tmp_path: Path) -> None:
    """On SQLite only: the processes are what is tested here."""
    database_url = f"sqlite:///{tmp_path / 'workers.db'}"
    engine = build_engine(database_url)
    migrations.upgrade(engine)
    pool_size = engine.pool.size()  # type: ignore[attr-defined]
    engine.dispose()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_99999.db").write_bytes(b"left by an earlier run")
    log = tmp_path / "server.log"

    with two_workers(database_url, metrics_dir, log) as base:
        assert not (metrics_dir / "counter_99999.db").exists()  # cleaned at start
        sent = 0
        deadline = time.monotonic() + 60
        # New connections until both workers have answered some (the kernel picks the worker).
        while sent < 40 or len(_pids_that_answered(log)) < 2:
            assert time.monotonic() < deadline, "one worker answered everything"
            assert httpx.get(f"{base}/healthz", headers={"Connection": "close"}).status_code == 200
            sent += 1
        scrapes = [httpx.get(f"{base}/metrics", headers={"Connection": "close"}) for _ in range(4)]

    for scrape in scrapes:
        assert scrape.status_code == 200, scrape.text
        samples = parse_metrics(scrape.text)
        labels = {"route": "/healthz", "method": "GET", "status": "200"}
        assert value(samples, "sanctions_tracker_http_requests_total", **labels) == sent
        histogram = {"route": "/healthz", "method": "GET"}
        name = "sanctions_tracker_http_request_duration_seconds_count"
        assert value(samples, name, **histogram) == sent
        pool = {"backend": "sqlite", "database": "workers.db"}
        assert value(samples, "sanctions_tracker_db_pool_size", **pool) == 2 * pool_size

    lines = _lines(log)  # every line is JSON, or this fails
    assert not [line for line in lines if line["logger"] == "uvicorn.access"]
    healthz = [line for line in lines if line.get("route") == "/healthz"]
    assert len(healthz) == sent  # one line per request, none from uvicorn's access log
    assert len({line["request_id"] for line in healthz}) == sent


def _pids_that_answered(log: Path) -> set[int]:
    lines = _lines(log, complete=False)
    return {line["pid"] for line in lines if line.get("route") == "/healthz"}
