"""Test databases: every API test runs on SQLite and, when configured, on PostgreSQL.

Each database is built by `alembic upgrade head` once per session; each test runs inside one
transaction that is rolled back at its end, the app's own commits becoming savepoints.
"""

import logging
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from sanctions_tracker import cli, migrations
from sanctions_tracker.app import create_app
from sanctions_tracker.auth import service as keys
from sanctions_tracker.config import get_settings
from sanctions_tracker.db import (
    build_engine,
    get_engine,
    get_session,
    get_sessionmaker,
    get_stream_session,
)
from sanctions_tracker.models.base import utcnow
from sanctions_tracker.models.trust import Role

POSTGRES_URL_VARIABLE = "SANCTIONS_TRACKER_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_VARIABLE = "SANCTIONS_TRACKER_TEST_REQUIRE_POSTGRES"
BACKENDS = ["sqlite", "postgresql"]
POSTGRES_SKIPPED = "PostgreSQL half skipped"

# The suite's clients make far more requests a minute than any real client may; the rate limit
# has its own tests (tests/test_limits.py), which configure their apps themselves.
os.environ.setdefault("SANCTIONS_TRACKER_RATE_LIMIT_PER_MINUTE", "0")
os.environ.setdefault("SANCTIONS_TRACKER_ANONYMOUS_RATE_LIMIT_PER_MINUTE", "0")

_postgres_skipped = False


def _postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        global _postgres_skipped
        _postgres_skipped = True
        message = f"{POSTGRES_SKIPPED}: {POSTGRES_URL_VARIABLE} is not set"
        if os.environ.get(REQUIRE_POSTGRES_VARIABLE) == "1":
            pytest.fail(message + f" but {REQUIRE_POSTGRES_VARIABLE}=1 requires it")
        pytest.skip(message)
    return url


def blank_database(backend: str, tmp_dir: str) -> Iterator[str]:
    """A new empty database of that kind; dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_dir}/tracker-{uuid.uuid4().hex[:8]}.db"
        return
    server = make_url(_postgres_server_url())
    name = f"sanctions_tracker_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    databases = blank_database(backend, str(tmp_path_factory.mktemp(backend)))
    url = next(databases)
    engine = build_engine(url)
    migrations.upgrade(engine)
    yield engine
    engine.dispose()
    next(databases, None)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def app(session: Session) -> FastAPI:
    """The app, serving the test's session; override its dependencies (e.g. `get_settings`)
    before the first request."""
    app = create_app()

    def request_session() -> Iterator[Session]:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    def stream_session() -> Iterator[Session]:
        yield session

    app.dependency_overrides[get_session] = request_session
    app.dependency_overrides[get_stream_session] = stream_session
    return app


IDENTITIES = ("anonymous", "reader", "editor", "admin", "revoked", "expired")
"""Who a test client can be: no key, a key of each role, and two dead admin keys."""


def make_identity_key(session: Session, identity: str) -> str:
    """A key for `identity`, made in the test's transaction; answers the secret. Revoked and
    expired keys have the admin role, so only their death keeps them out."""
    role = Role(identity) if identity in Role.__members__ else Role.admin
    expires_at = utcnow() - timedelta(days=1) if identity == "expired" else None
    key, secret = keys.create_key(
        session, name=f"test-{identity}", role=role, expires_at=expires_at
    )
    if identity == "revoked":
        keys.revoke_key(session, key.name)
    session.commit()  # a savepoint release: the test's outer transaction still undoes it
    return secret


ClientAs = Callable[[str], TestClient]


@pytest.fixture
def client_as(app: FastAPI, session: Session) -> Iterator[ClientAs]:
    """`client_as("reader")`: a client that sends that identity's key with every request (see
    `IDENTITIES`); all of them serve the same app and session."""
    clients: dict[str, TestClient] = {}
    with ExitStack() as stack:

        def client_for(identity: str) -> TestClient:
            if identity not in IDENTITIES:
                raise ValueError(f"unknown identity {identity!r}; one of {IDENTITIES}")
            if identity not in clients:
                headers = {}
                if identity != "anonymous":
                    secret = make_identity_key(session, identity)
                    headers["Authorization"] = f"Bearer {secret}"
                clients[identity] = stack.enter_context(TestClient(app, headers=headers))
            return clients[identity]

        yield client_for


@pytest.fixture
def client(client_as: ClientAs) -> TestClient:
    """A client with an admin key: it may do everything."""
    return client_as("admin")


@pytest.fixture
def anonymous_client(client_as: ClientAs) -> TestClient:
    """A client that sends no key."""
    return client_as("anonymous")


@dataclass(frozen=True)
class CommandResult:
    """What a `sanctions-tracker` run left: its exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


RunCommand = Callable[..., CommandResult]


@pytest.fixture
def run_command(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunCommand]:
    """`run_command(database_url, "db", "upgrade")`: `sanctions-tracker db upgrade` on that
    database, run in this process (a new process would cost seconds of imports): the settings,
    engine and session factory are rebuilt for the run and forgotten after it; usage errors
    and `--help` (argparse's `SystemExit`) become exit statuses, as for a real command."""
    cached = (get_settings, get_engine, get_sessionmaker)
    migration_logger = logging.getLogger("alembic.runtime.migration")
    migration_level = migration_logger.level

    def forget() -> None:
        if get_engine.cache_info().currsize:
            get_engine().dispose()
        for function in cached:
            function.cache_clear()

    def run(database_url: str, *args: str) -> CommandResult:
        monkeypatch.setenv("SANCTIONS_TRACKER_DATABASE_URL", database_url)
        forget()
        capsys.readouterr()
        try:
            returncode = cli.main(list(args))
        except SystemExit as exit_:
            code = exit_.code
            returncode = code if isinstance(code, int) else int(code is not None)
        finally:
            forget()
        printed = capsys.readouterr()
        return CommandResult(returncode, printed.out, printed.err)

    try:
        yield run
    finally:
        forget()
        migration_logger.setLevel(migration_level)


def _postgres_half_was_skipped(terminalreporter: pytest.TerminalReporter) -> bool:
    """Known here, or (under pytest-xdist, where the tests ran in worker processes) from the
    skip reports the workers sent back."""
    skipped = terminalreporter.stats.get("skipped", [])
    return _postgres_skipped or any(POSTGRES_SKIPPED in str(report.longrepr) for report in skipped)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _postgres_half_was_skipped(terminalreporter):
        terminalreporter.write_line(
            f"NOTE: the PostgreSQL half was skipped; set {POSTGRES_URL_VARIABLE} "
            "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run it.",
            yellow=True,
            bold=True,
        )


# The generated store, shared read-only by the views' tests (stats, network, timeline, ...).
from tests.generated import GeneratedStore, generate_bundle, open_store  # noqa: E402


@pytest.fixture(scope="session")
def generated_store(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GeneratedStore]:
    """`tests.generated.generate_bundle()` in its own committed database of that backend, loaded
    once per session; `.client` serves it (writes are rolled back), `.bundle` is the data."""
    databases = blank_database(backend, str(tmp_path_factory.mktemp(f"generated-{backend}")))
    try:
        with open_store(next(databases), generate_bundle()) as store:
            yield store
    finally:
        databases.close()  # drops the PostgreSQL database
