"""The database under stress: SQLite's write lock taken by someone else, many writers at once,
and a PostgreSQL server that stops and comes back under a running server.

These tests use databases of their own rather than the suite's rolled-back transactions: the
point is what happens between separate connections and processes."""

import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from sanctions_tracker import migrations
from sanctions_tracker.app import create_app
from sanctions_tracker.auth import service as keys
from sanctions_tracker.db import build_engine, get_sessionmaker
from sanctions_tracker.models.trust import Role
from sanctions_tracker.problems import database_unavailable
from tests.conftest import REQUIRE_POSTGRES_VARIABLE

ROOT = Path(__file__).resolve().parents[1]
PROBLEM = "application/problem+json"


def source(key: str) -> dict[str, Any]:
    return {"key": key, "kind": "news_article", "title": key, "published_on": "2022-04-01"}


# --- SQLite --------------------------------------------------------------------------------


@dataclass
class Store:
    path: Path
    engine: Engine
    client: TestClient
    editor: dict[str, str]


def sqlite_store(tmp_path: Path, busy_timeout: float) -> Iterator[Store]:
    """A migrated SQLite file served by a real app (its own sessions, real commits)."""
    path = tmp_path / "tracker.db"
    engine = build_engine(f"sqlite:///{path.as_posix()}", busy_timeout=busy_timeout)
    migrations.upgrade(engine)
    with Session(engine) as session:
        _, secret = keys.create_key(session, name="editor", role=Role.editor)
        session.commit()
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    app = create_app()
    app.dependency_overrides[get_sessionmaker] = lambda: sessions
    try:
        with TestClient(app) as client:
            yield Store(path, engine, client, {"Authorization": f"Bearer {secret}"})
    finally:
        engine.dispose()


@pytest.fixture
def impatient_store(tmp_path: Path) -> Iterator[Store]:
    yield from sqlite_store(tmp_path, busy_timeout=0.3)


@pytest.fixture
def patient_store(tmp_path: Path) -> Iterator[Store]:
    yield from sqlite_store(tmp_path, busy_timeout=10)


def test_a_write_waits_for_the_sqlite_write_lock_then_answers_503(
    impatient_store: Store,
) -> None:
    client = impatient_store.client
    holder = sqlite3.connect(impatient_store.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        started = time.monotonic()
        refused = client.post("/v1/sources", json=source("one"), headers=impatient_store.editor)
        waited = time.monotonic() - started
        read = client.get("/v1/sources")
    finally:
        holder.rollback()
        holder.close()
    retried = client.post("/v1/sources", json=source("one"), headers=impatient_store.editor)

    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"] == PROBLEM
    assert refused.headers["retry-after"] == "1"
    assert refused.json() == {
        "type": "/problems/service-unavailable",
        "title": "Service unavailable",
        "status": 503,
        "detail": "The database is busy with other writes; nothing was written. Retry in a moment.",
        "instance": f"/v1/sources#request={refused.headers['x-request-id']}",
    }
    assert 0.25 <= waited < 5  # it waited for the lock, a bounded time
    assert read.status_code == 200  # readers are not blocked by a writer
    assert read.json()["items"] == []
    assert retried.status_code == 201, retried.text
    assert client.get("/v1/sources").json()["total"] == 1


def test_concurrent_writers_on_sqlite_queue_up_instead_of_failing(patient_store: Store) -> None:
    """Each write reads before it writes; with a deferred BEGIN, one that read before another
    committed could never write ("database is locked" at once, whatever the busy timeout)."""
    client = patient_store.client
    created = [
        client.post("/v1/sources", json=source(f"seed-{n}"), headers=patient_store.editor)
        for n in range(4)
    ]
    assert {response.status_code for response in created} == {201}

    def write(n: int) -> int:
        if n % 2:
            target = f"seed-{n % 4}"
            response = client.patch(
                f"/v1/sources/{target}",
                json={"title": f"edit {n}"},
                headers=patient_store.editor,
            )
        else:
            response = client.post(
                "/v1/sources", json=source(f"new-{n}"), headers=patient_store.editor
            )
        return response.status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(write, range(60)))

    assert sorted(set(statuses)) == [200, 201], statuses
    assert statuses.count(201) == 30
    assert client.get("/v1/sources").json()["total"] == 34


# --- which database errors are passing conditions ------------------------------------------


def wrapped(error: Exception, invalidated: bool = False) -> DBAPIError:
    """`error` as SQLAlchemy raises it."""
    driver_error = sqlite3.Error if isinstance(error, sqlite3.Error) else psycopg.Error
    wrapper = DBAPIError.instance(
        "SELECT 1", {}, error, driver_error, connection_invalidated=invalidated
    )
    assert isinstance(wrapper, DBAPIError)
    return wrapper


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (wrapped(sqlite3.OperationalError("database is locked")), 1),
        (wrapped(sqlite3.OperationalError("database table is locked")), 1),
        (wrapped(sqlite3.OperationalError("no such table: sources")), None),
        (wrapped(sqlite3.IntegrityError("UNIQUE constraint failed")), None),
        (wrapped(psycopg.OperationalError("connection refused")), 5),
        (wrapped(psycopg.errors.AdminShutdown("terminating connection")), 5),
        (wrapped(psycopg.InterfaceError("the connection is closed")), 5),
        (wrapped(psycopg.errors.SerializationFailure("could not serialize")), 1),
        (wrapped(psycopg.errors.DeadlockDetected("deadlock detected")), 1),
        (wrapped(psycopg.errors.QueryCanceled("statement timeout")), 5),
        (wrapped(psycopg.errors.UndefinedTable("no such table")), None),
        (wrapped(psycopg.errors.UndefinedTable("no such table"), invalidated=True), 5),
        (wrapped(psycopg.errors.DataError("bad value")), None),
        (PoolTimeoutError("QueuePool limit reached"), 1),
        (RuntimeError("not a database error"), None),
    ],
    ids=lambda value: (
        type(getattr(value, "orig", value)).__name__ if isinstance(value, Exception) else str(value)
    ),
)
def test_which_database_errors_are_a_503(error: Exception, expected: int | None) -> None:
    unavailable = database_unavailable(error)

    assert (unavailable[0] if unavailable else None) == expected


# --- PostgreSQL stopped and restarted ------------------------------------------------------


def _postgres_bin() -> Path | None:
    """The folder with initdb and pg_ctl: on the PATH, from pg_config, or the newest of the
    versioned folders Debian and Ubuntu install them in."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        folder = Path(result.stdout.strip())
        if result.returncode == 0 and (folder / "initdb").exists():
            return folder
    candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", Path(path).parts[-3]))

    for initdb in sorted(candidates, key=version, reverse=True):
        if (Path(initdb).parent / "pg_ctl").exists():
            return Path(initdb).parent
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ThrowawayPostgres:
    """A PostgreSQL instance of our own: its own data folder and port, never the shared one.
    PostgreSQL refuses to run as root, so as root it runs as the `postgres` user."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = _free_port()
        self.as_user: list[str] = []
        self.data = Path(tempfile.mkdtemp(prefix="sanctions-tracker-pg-"))
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.data, owner.pw_uid, owner.pw_gid)
            runuser = shutil.which("runuser")
            self.as_user = [runuser, "-u", "postgres", "--"] if runuser else []
        self.log = self.data / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, *command: str) -> None:
        argv = [str(self.bindir / command[0]), *command[1:]]
        if os.geteuid() == 0 and not self.as_user:
            argv = ["su", "postgres", "-c", subprocess.list2cmdline(argv)]
        result = subprocess.run(
            [*self.as_user, *argv], capture_output=True, text=True, timeout=60, check=False
        )
        assert result.returncode == 0, f"{command[0]} failed:\n{result.stdout}{result.stderr}"

    def create(self) -> None:
        self.run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        with (self.data / "postgresql.conf").open("a") as config:
            config.write(
                f"port = {self.port}\n"
                "listen_addresses = '127.0.0.1'\n"
                "unix_socket_directories = ''\n"
                "fsync = off\n"
                "synchronous_commit = off\n"
                "full_page_writes = off\n"
            )

    def start(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                self.stop("immediate")
        shutil.rmtree(self.data, ignore_errors=True)


@pytest.fixture
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    bindir = _postgres_bin()
    reason = None
    if bindir is None:
        reason = "no PostgreSQL server binaries (initdb, pg_ctl) are installed"
    elif os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            reason = "running as root and there is no `postgres` user to run PostgreSQL as"
    if reason is not None:
        message = f"the PostgreSQL outage test cannot run: {reason}"
        if os.environ.get(REQUIRE_POSTGRES_VARIABLE) == "1":
            pytest.fail(message)
        pytest.skip(message)
    assert bindir is not None
    server = ThrowawayPostgres(bindir)
    try:
        server.create()
        server.start()
        yield server
    finally:
        server.remove()


@contextlib.contextmanager
def running_server(database_url: str, log: Path) -> Iterator[str]:
    """`sanctions-tracker serve` (which migrates first) in a process of its own; answers its
    base URL once it answers."""
    port = _free_port()
    env = os.environ | {
        "SANCTIONS_TRACKER_DATABASE_URL": database_url,
        "SANCTIONS_TRACKER_RATE_LIMIT_PER_MINUTE": "0",
        "SANCTIONS_TRACKER_ANONYMOUS_RATE_LIMIT_PER_MINUTE": "0",
        "SANCTIONS_TRACKER_LOG_LEVEL": "warning",
    }
    command = [sys.executable, "-m", "sanctions_tracker.cli", "serve", "--no-seed"]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"the server died:\n{log.read_text()}"
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            assert time.monotonic() < deadline, f"the server never got ready:\n{log.read_text()}"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Answer:
    at: float
    status: int | str
    seconds: float
    body: Any = None
    retry_after: str | None = None
    request_id: str | None = None


class Poller(threading.Thread):
    """GETs one URL over and over, one request at a time, and keeps every answer."""

    def __init__(self, url: str, timeout: float) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.timeout = timeout
        self.answers: list[Answer] = []
        self.done = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=self.timeout) as http:
            while not self.done.is_set():
                started = time.monotonic()
                try:
                    response = http.get(self.url)
                except httpx.HTTPError as error:
                    answer = Answer(started, type(error).__name__, time.monotonic() - started)
                else:
                    body = response.json() if response.status_code != 200 else None
                    answer = Answer(
                        started,
                        response.status_code,
                        time.monotonic() - started,
                        body,
                        response.headers.get("retry-after"),
                        response.headers.get("x-request-id"),
                    )
                self.answers.append(answer)
                time.sleep(0.05)

    def wait_for(self, count: int, status: int, since: float, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if sum(a.status == status and a.at >= since for a in list(self.answers)) >= count:
                return
            time.sleep(0.05)
        raise AssertionError(f"no {count} answers {status} within {seconds} s: {self.summary()}")

    def summary(self) -> list[tuple[int | str, int]]:
        return [(status, len(list(run))) for status, run in groupby(a.status for a in self.answers)]


def test_a_postgresql_outage_gives_503s_and_the_server_recovers_by_itself(
    throwaway_postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    with running_server(throwaway_postgres.url, tmp_path / "server.log") as base:
        poller = Poller(f"{base}/v1/sources?limit=1", timeout=15)
        poller.start()
        try:
            poller.wait_for(3, 200, since=0, seconds=30)

            throwaway_postgres.stop()
            stopped = time.monotonic()
            poller.wait_for(3, 503, since=stopped, seconds=30)
            ready_during_outage = httpx.get(f"{base}/readyz", timeout=15)

            throwaway_postgres.start()
            restarted = time.monotonic()
            poller.wait_for(3, 200, since=restarted, seconds=30)
            ready_after = httpx.get(f"{base}/readyz", timeout=15)
        finally:
            poller.done.set()
            poller.join(timeout=30)
        log = (tmp_path / "server.log").read_text()

    runs = poller.summary()
    assert [status for status, _ in runs] == [200, 503, 200], (runs, log)
    assert max(answer.seconds for answer in poller.answers) < 10, runs
    unavailable = [answer for answer in poller.answers if answer.status == 503]
    for answer in unavailable:
        assert answer.retry_after == "5"
        assert answer.body == {
            "type": "/problems/service-unavailable",
            "title": "Service unavailable",
            "status": 503,
            "detail": "The database cannot be reached at the moment. Retry in a moment.",
            "instance": f"/v1/sources#request={answer.request_id}",
        }
    assert ready_during_outage.status_code == 503
    assert ready_during_outage.headers["content-type"] == PROBLEM
    assert ready_after.status_code == 200
    assert "Traceback" not in log, log
