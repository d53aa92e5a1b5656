"""Where a request's database work runs: a SQLite read on the event loop (no thread hand-off),
a write in a worker thread (it may wait for the write lock), and everything on PostgreSQL in a
worker thread (its queries wait on the network). The setting turns the SQLite shortcut off."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from sanctions_tracker.config import Settings
from tests.servers import committed_store, key_headers, serving_app

ACTOR = {"key": "antony-blinken", "name": "Antony Blinken", "country": "US"}


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@contextmanager
def statement_places(engine: Engine) -> Iterator[list[bool]]:
    """For every statement run meanwhile: whether it ran on the event loop."""
    places: list[bool] = []

    def record(*_args: Any) -> None:
        places.append(_on_event_loop())

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield places
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _places_of_a_read_and_a_write(
    backend: str, folder: Path, settings: Settings | None = None
) -> tuple[set[bool], set[bool]]:
    with committed_store(backend, str(folder)) as sessions:
        editor = key_headers(sessions)
        engine = sessions.kw["bind"]
        with TestClient(serving_app(sessions, settings)) as client:
            with statement_places(engine) as places:
                assert client.post("/v1/actors", json=ACTOR, headers=editor).status_code == 201
            written = set(places)
            with statement_places(engine) as places:
                assert client.get("/v1/actors/antony-blinken", headers=editor).status_code == 200
            read = set(places)
    return read, written


def test_a_sqlite_read_runs_on_the_event_loop_and_a_write_in_a_thread(
    backend: str, tmp_path: Path
) -> None:
    read, written = _places_of_a_read_and_a_write(backend, tmp_path)
    assert written == {False}
    assert read == ({True} if backend == "sqlite" else {False})


def test_the_setting_sends_sqlite_reads_to_the_threads_too(backend: str, tmp_path: Path) -> None:
    settings = Settings(sqlite_reads_on_event_loop=False)
    read, written = _places_of_a_read_and_a_write(backend, tmp_path, settings)
    assert read == written == {False}
