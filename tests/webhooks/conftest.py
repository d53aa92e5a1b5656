"""Real receivers on 127.0.0.1, settings that retry in milliseconds, and a worker that sends
through the test's own session (its commits are savepoints the test still rolls back)."""

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from sanctions_tracker.config import Settings, get_settings
from sanctions_tracker.webhooks import delivery, worker


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next status of `script` (then 204), and keeps what came."""

    url: str
    script: list[int] = field(default_factory=list)
    received: list[tuple[Received, int]] = field(default_factory=list)

    @property
    def bodies(self) -> list[Any]:
        return [item.json for item, _ in self.received]

    def wait_for(self, count: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} of {count} arrived"
            time.sleep(0.01)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            status = state.script.pop(0) if state.script else 204
            state.received.append((Received(dict(self.headers.items()), body), status))
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def receiving(answer: Callable[[Received], int]) -> Iterator[str]:
    """A receiver on 127.0.0.1 that answers each POST with the status `answer` gives (it may
    take its time); yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            self.send_response(answer(Received(dict(self.headers.items()), body)))
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def settings() -> Settings:
    """Loopback allowed (the receivers live there); retries in milliseconds."""
    return Settings(
        webhook_worker_in_app=False,
        webhook_allowed_hosts=["public", "127.0.0.0/8"],
        webhook_timeout_seconds=2,
        webhook_retry_base_seconds=0.01,
        webhook_retry_max_delay_seconds=0.02,
        webhook_retry_window_seconds=60,
        webhook_lease_seconds=0.05,
        webhook_poll_seconds=0.01,
    )


@pytest.fixture
def app(app: FastAPI, settings: Settings) -> FastAPI:
    app.dependency_overrides[get_settings] = lambda: settings
    return app


@pytest.fixture
def unit(session: Session) -> worker.UnitOfWork:
    @contextmanager
    def in_test_session(write: bool = True) -> Iterator[Session]:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    return in_test_session


Send = Callable[[], int]


@pytest.fixture
def send(unit: worker.UnitOfWork, settings: Settings) -> Iterator[Send]:
    """Run the worker until nothing is due any more (waiting out the retries' short delays);
    answers how many attempts were made."""
    with delivery.client(settings) as client:

        def until_idle() -> int:
            attempts = 0
            idle_since = time.monotonic()
            while time.monotonic() - idle_since < 0.15:
                done = worker.run_once(unit, settings, client)
                attempts += done
                if done:
                    idle_since = time.monotonic()
                else:
                    time.sleep(0.01)
            return attempts

        yield until_idle
