"""Engine and session handling: one transaction per request, SQLite tuned for concurrent use."""

import sqlite3
import weakref
from collections.abc import AsyncIterator, Callable
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from sanctions_tracker.config import get_settings, settings_of

T = TypeVar("T")


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


# The execution option that makes a SQLite transaction start with BEGIN IMMEDIATE.
SQLITE_BEGIN = "sqlite_begin"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Each SQLite engine's wait for the write lock, in seconds, as `build_engine` configured it.
_BUSY_TIMEOUTS: "weakref.WeakKeyDictionary[Engine, float]" = weakref.WeakKeyDictionary()


def _configure_sqlite(engine: Engine, busy_timeout: float) -> None:
    """WAL, enforced foreign keys, real transactions (pysqlite's own handling breaks SAVEPOINT).

    A transaction that will write starts with BEGIN IMMEDIATE: it waits (up to `busy_timeout`
    seconds) for the write lock before reading anything. A deferred BEGIN would read a snapshot
    first and then fail at once with "database is locked" on its first write if another writer
    committed meanwhile, since waiting cannot make a stale snapshot current."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        # Unicode-aware lower(), as on PostgreSQL, for case-insensitive text filters.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={max(0, round(busy_timeout * 1000))}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(SQLITE_BEGIN) == "IMMEDIATE"
        statement = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        # Straight to the driver: through `exec_driver_sql` the BEGIN of every request cost
        # as much as a short query (an execution context, events, a result). Its errors
        # ("database is locked") are wrapped as SQLAlchemy would, for the 503 handlers.
        try:
            connection.connection.driver_connection.execute(statement)
        except sqlite3.OperationalError as error:
            raise OperationalError(statement, None, error) from error


def build_engine(
    url: str, *, busy_timeout: float | None = None, connect_timeout: int | None = None
) -> Engine:
    """The engine for `url`; the timeouts default to the settings' `database_busy_timeout`
    (SQLite) and `database_connect_timeout` (PostgreSQL)."""
    settings = get_settings()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        timeout = settings.database_busy_timeout if busy_timeout is None else busy_timeout
        _configure_sqlite(engine, timeout)
        _BUSY_TIMEOUTS[engine] = timeout
        return engine
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        # Without it a request made while the server is unreachable could hang for minutes.
        connect_args["connect_timeout"] = (
            settings.database_connect_timeout if connect_timeout is None else connect_timeout
        )
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


@lru_cache(maxsize=16)
def _immediate(engine: Engine) -> Engine:
    return engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})


def writing_session(sessions: sessionmaker[Session]) -> Session:
    """A session from `sessions` for a unit of work that writes: on SQLite its transaction takes
    the write lock when it begins (see `_configure_sqlite`); elsewhere it is a plain session."""
    session = sessions()
    bind = session.get_bind()
    if isinstance(bind, Engine) and bind.dialect.name == "sqlite":
        session.bind = _immediate(bind)
    return session


@lru_cache
def get_engine() -> Engine:
    return build_engine(get_settings().database_url)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def sessionmaker_of(app: object) -> sessionmaker[Session]:
    """The session factory of `app`: its `get_sessionmaker` override (a test pointing the app at
    another database), else the process's."""
    overrides: dict[Any, Any] = getattr(app, "dependency_overrides", {})
    return cast(sessionmaker[Session], overrides.get(get_sessionmaker, get_sessionmaker)())


# The mark of a request's own session: `routing.OneTripRoute` commits it in the route's thread.
REQUEST_SESSION = "request_session"
# The mark of a session whose work runs on the event loop (see `in_session_thread`).
ON_EVENT_LOOP = "on_event_loop"


def reads_on_event_loop(request: Request, sessions: sessionmaker[Session]) -> bool:
    """Whether the database work of `request` runs on the event loop: a read, on SQLite, with
    the `sqlite_reads_on_event_loop` setting (see its note in `config`)."""
    if request.method not in READ_METHODS:
        return False
    if not settings_of(request.app).sqlite_reads_on_event_loop:
        return False
    bind = sessions.kw.get("bind")
    return isinstance(bind, Engine) and bind.dialect.name == "sqlite"


async def in_session_thread(session: Session, work: Callable[..., T], *args: Any) -> T:
    """`work(*args)`, which uses `session`: inline when the session's work runs on the event
    loop, else in a worker thread of the pool."""
    if session.info.get(ON_EVENT_LOOP):
        return work(*args)
    return await run_in_threadpool(work, *args)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session: committed when the route returns, rolled back on any error.

    Registered with ``scope="function"`` so the commit happens before the response is sent.
    A write request's transaction takes SQLite's write lock up front (see `writing_session`).
    Opening a session does no I/O, so this runs on the event loop; the route commits in its own
    worker thread (see `routing`), and only what is left open goes to the thread pool here.
    """
    sessions = sessionmaker_of(request.app)
    session = sessions() if request.method in READ_METHODS else writing_session(sessions)
    session.info[REQUEST_SESSION] = True
    if reads_on_event_loop(request, sessions):
        session.info[ON_EVENT_LOOP] = True
    try:
        yield session
    except BaseException:
        await _in_thread_if_open(session, session.rollback)
        raise
    else:
        await _in_thread_if_open(session, session.commit)
    finally:
        await _in_thread_if_open(session, session.close)
        session.close()  # no I/O once the transaction is over; frees what the session holds


async def _in_thread_if_open(session: Session, finish: Callable[[], None]) -> None:
    """`finish` the session's transaction, if it has one (committing or rolling back a session
    that never began one would begin one first), where its work runs (see
    `in_session_thread`): the call may wait on the database."""
    if session.in_transaction():
        await in_session_thread(session, finish)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
"""The request's session; commits before the response is sent."""


async def get_stream_session(request: Request) -> AsyncIterator[Session]:
    """A read-only session that lives until a streamed response has been sent.

    The request session is closed before the response starts, so exports that stream rows
    after the route returned read through this one; it is always rolled back."""
    session = sessionmaker_of(request.app)()
    try:
        yield session
    finally:
        await _in_thread_if_open(session, session.rollback)
        session.close()


StreamSessionDep = Annotated[Session, Depends(get_stream_session)]
"""A session that stays open while a `StreamingResponse` is being sent; never commits."""


def sqlite_write_wait(scope: Scope) -> float | None:
    """For a write request (POST, PUT, PATCH, DELETE) to an app whose database is SQLite: how
    long, in seconds, it may wait for its turn to write (the engine's busy timeout). None for
    any other request, or when the database is another kind or cannot be told.

    Follows the app's `get_sessionmaker` override, as the routes do; an app whose `get_session`
    is overridden (a test's own session) is not gated."""
    if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
        return None
    overrides: dict[Any, Any] = getattr(scope.get("app"), "dependency_overrides", {})
    if get_session in overrides:
        return None
    sessions = sessionmaker_of(scope.get("app"))
    bind = sessions.kw.get("bind") if isinstance(sessions, sessionmaker) else None
    if not isinstance(bind, Engine) or bind.dialect.name != "sqlite":
        return None
    timeout = _BUSY_TIMEOUTS.get(bind)
    if timeout is None:
        settings = settings_of(scope.get("app"))
        timeout = settings.database_busy_timeout
    return float(timeout)
