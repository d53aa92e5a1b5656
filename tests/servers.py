"""Real servers for the tests that need real connections and real concurrency: uvicorn in a
background thread, serving the app over a committed database of either kind."""

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from sanctions_tracker import migrations
from sanctions_tracker.app import create_app
from sanctions_tracker.auth import service as keys
from sanctions_tracker.config import Settings
from sanctions_tracker.db import build_engine, get_sessionmaker
from sanctions_tracker.models.trust import Role
from tests.conftest import blank_database


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """`app` served by uvicorn on a free local port, in a background thread; answers its URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", ws="none", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive(), "the server stopped while starting"
        assert time.monotonic() < deadline, "the server did not start within 10 s"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


@contextmanager
def committed_store(
    backend: str, folder: str, *, busy_timeout: float | None = None
) -> Iterator[sessionmaker[Session]]:
    """A new database of that kind, migrated to head; every commit is real. The PostgreSQL
    database is dropped afterwards. `busy_timeout` is SQLite's wait for the write lock."""
    databases = blank_database(backend, folder)
    engine = build_engine(next(databases), busy_timeout=busy_timeout)
    try:
        migrations.upgrade(engine)
        yield sessionmaker(bind=engine, expire_on_commit=False)
    finally:
        engine.dispose()
        databases.close()


def serving_app(sessions: sessionmaker[Session], settings: Settings | None = None) -> FastAPI:
    """The app, reading and writing through `sessions`."""
    app = create_app(settings)
    app.dependency_overrides[get_sessionmaker] = lambda: sessions
    return app


def key_headers(sessions: sessionmaker[Session], role: Role = Role.editor) -> dict[str, str]:
    """`Authorization` with a new key of that role, committed to the store."""
    with sessions() as session:
        _, secret = keys.create_key(session, name=f"{role.value}-{uuid.uuid4().hex[:8]}", role=role)
        session.commit()
    return {"Authorization": f"Bearer {secret}"}
