"""Limits: body size (413), URL length (414), `limit` (422), request rate (429), CORS, and
errors that never show how the server failed inside."""

import asyncio
import json
import math
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.types import Message, Receive, Scope, Send

from sanctions_tracker.app import create_app
from sanctions_tracker.config import Settings
from sanctions_tracker.db import SessionDep, get_session, get_stream_session
from sanctions_tracker.limits import (
    RateLimitMiddleware,
    RequestSizeMiddleware,
    TokenBuckets,
    cors_options,
)
from tests.conftest import make_identity_key

PROBLEM = "application/problem+json"
SOURCE = {
    "key": "reuters-2022-04-01-blinken-truss",
    "kind": "news_article",
    "title": "Blinken, UK's Truss discuss additional response to Ukraine invasion",
    "published_on": "2022-04-01",
}


class Clock:
    """A clock the test moves by hand, so that windows pass without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


Serve = Callable[..., TestClient]


@pytest.fixture
def serve(session: Session) -> Iterator[Serve]:
    """`serve(clock=None, **settings)`: a client of an app made with those settings (every
    limit not named stays at its default), serving the test's session."""
    with ExitStack() as stack:

        def make(clock: Clock | None = None, **settings: Any) -> TestClient:
            app = create_app(Settings(**settings))
            if clock is not None:
                for middleware in app.user_middleware:
                    if middleware.cls is RateLimitMiddleware:
                        middleware.kwargs["clock"] = clock

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
            return stack.enter_context(TestClient(app))

        yield make


def assert_problem(response: Any, status: int, slug: str, instance: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{slug}"
    assert body["status"] == status
    assert body["instance"] == f"{instance}#request={response.headers['x-request-id']}"
    assert isinstance(body["title"], str)
    assert isinstance(body["detail"], str)
    return body


# --- body size -----------------------------------------------------------------------------


def padded(document: dict[str, Any], size: int) -> bytes:
    """`document` as JSON, padded with spaces to exactly `size` bytes."""
    raw = json.dumps(document).encode()
    assert len(raw) <= size
    return raw + b" " * (size - len(raw))


def test_a_declared_body_over_the_limit_is_a_413(serve: Serve, session: Session) -> None:
    client = serve(max_body_bytes=1000)
    editor = {"Authorization": f"Bearer {make_identity_key(session, 'editor')}"}
    json_body = {"Content-Type": "application/json"} | editor

    at_limit = client.post("/v1/sources", content=padded(SOURCE, 1000), headers=json_body)
    over = client.post("/v1/sources", content=padded(SOURCE, 1001), headers=json_body)

    assert at_limit.status_code == 201, at_limit.text
    body = assert_problem(over, 413, "payload-too-large", "/v1/sources")
    assert body["max_bytes"] == 1000
    assert body["detail"] == (
        "A request body may be at most 1000 bytes long. "
        "Imports (POST /v1/import) have their own, larger limit."
    )
    assert client.get("/v1/sources").json()["total"] == 1


def test_a_chunked_body_without_content_length_is_counted(serve: Serve, session: Session) -> None:
    client = serve(max_body_bytes=1000)
    editor = {"Authorization": f"Bearer {make_identity_key(session, 'editor')}"}
    raw = padded(SOURCE | {"key": "chunked"}, 1200)

    def chunks() -> Iterator[bytes]:
        yield from (raw[i : i + 300] for i in range(0, len(raw), 300))

    response = client.post(
        "/v1/sources", content=chunks(), headers={"Content-Type": "application/json"} | editor
    )

    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert_problem(response, 413, "payload-too-large", "/v1/sources")
    assert client.get("/v1/sources").json()["total"] == 0


def test_a_streamed_body_is_cut_off_as_soon_as_it_passes_the_limit() -> None:
    """Straight over ASGI: the app reads chunk by chunk and never gets past the limit; the
    answer it would have given is replaced by the 413."""
    delivered: list[bytes] = []
    chunks = [b"x" * 400] * 5
    pulled = 0

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            delivered.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read it all"})

    async def receive() -> Message:
        nonlocal pulled
        pulled += 1
        return {
            "type": "http.request",
            "body": chunks[pulled - 1],
            "more_body": pulled < len(chunks),
        }

    answers: list[Message] = []

    async def send(message: Message) -> None:
        answers.append(message)

    async def swallow_errors(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await app(scope, receive, send)
        except Exception:
            await send({"type": "http.response.start", "status": 400, "headers": []})
            await send({"type": "http.response.body", "body": b"broken body"})

    limited = RequestSizeMiddleware(
        swallow_errors, max_body_bytes=1000, max_import_bytes=0, max_url_length=0
    )
    scope = {
        "type": "http",
        "method": "PUT",
        "path": "/v1/anything",
        "raw_path": b"/v1/anything",
        "query_string": b"",
        "headers": [],
        "root_path": "",
    }

    asyncio.run(limited(scope, receive, send))

    assert pulled == 3  # 1200 bytes: the third chunk passed 1000; the rest was never read
    assert delivered == [b"x" * 400] * 2
    assert [message["type"] for message in answers] == [
        "http.response.start",
        "http.response.body",
    ]
    assert answers[0]["status"] == 413
    assert json.loads(answers[1]["body"])["max_bytes"] == 1000


def test_imports_have_their_own_larger_limit(serve: Serve, session: Session) -> None:
    client = serve(max_body_bytes=1000, max_import_bytes=5000)
    editor = {"Authorization": f"Bearer {make_identity_key(session, 'editor')}"}
    headers = {"Content-Type": "application/json"} | editor
    bundle = {"format": "sanctions-tracker-bundle/1", "sources": [SOURCE]}

    imported = client.post("/v1/import", content=padded(bundle, 5000), headers=headers)
    too_big = client.post("/v1/import", content=padded(bundle, 5001), headers=headers)
    elsewhere = client.post("/v1/sources", content=padded(SOURCE, 3000), headers=headers)

    assert imported.status_code == 200, imported.text
    assert imported.json()["created"]["sources"] == 1
    body = assert_problem(too_big, 413, "payload-too-large", "/v1/import")
    assert body["max_bytes"] == 5000
    assert body["detail"] == "An import may be at most 5000 bytes long."
    assert assert_problem(elsewhere, 413, "payload-too-large", "/v1/sources")["max_bytes"] == 1000


def test_the_default_limits(serve: Serve) -> None:
    client = serve()
    limited = [m for m in client.app.user_middleware if m.cls is RequestSizeMiddleware]  # type: ignore[attr-defined]

    assert limited[0].kwargs == {
        "max_body_bytes": 1024 * 1024,
        "max_import_bytes": 50 * 1024 * 1024,
        "max_url_length": 8192,
    }
    response = client.post("/v1/sources", content=b"x" * (1024 * 1024 + 1))
    assert_problem(response, 413, "payload-too-large", "/v1/sources")


# --- URL length and page size ----------------------------------------------------------------


def test_an_over_long_url_is_a_414(serve: Serve) -> None:
    client = serve(max_url_length=200)
    prefix = "/v1/sources?q="
    longest = prefix + "a" * (200 - len(prefix))

    fits = client.get(longest)
    too_long = client.get(longest + "a")

    assert fits.status_code == 200, fits.text
    body = assert_problem(too_long, 414, "uri-too-long", "/v1/sources")
    assert body["max_bytes"] == 200
    assert body["detail"] == (
        "The path and query string are 201 bytes long; at most 200 are accepted."
    )


def test_a_limit_over_500_is_a_422(serve: Serve) -> None:
    client = serve()

    assert client.get("/v1/sources?limit=500").status_code == 200
    body = assert_problem(
        client.get("/v1/sources?limit=501"), 422, "validation-error", "/v1/sources"
    )
    assert [(e["pointer"], e["location"]) for e in body["errors"]] == [("/limit", "query")]


# --- request rate ----------------------------------------------------------------------------


def expected_headers(policy: str, quota: int, used: int) -> dict[str, str]:
    """What the headers say after `used` requests in a frozen instant: the quota, what is left,
    and the seconds until all of it is back (at quota / 60 per second)."""
    return {
        "ratelimit-policy": f'"{policy}";q={quota};w=60',
        "ratelimit": f'"{policy}";r={quota - used};t={math.ceil(used * 60 / quota)}',
    }


def rate_headers(response: Any) -> dict[str, str]:
    return {name: response.headers[name] for name in ("ratelimit-policy", "ratelimit")}


def test_anonymous_clients_are_limited_by_address_then_recover(serve: Serve) -> None:
    clock = Clock()
    client = serve(clock, anonymous_rate_limit_per_minute=3, rate_limit_per_minute=10)

    allowed = [client.get("/v1/countries?limit=1") for _ in range(3)]
    refused = client.get("/v1/countries?limit=1")

    for used, response in enumerate(allowed, start=1):
        assert response.status_code == 200
        assert rate_headers(response) == expected_headers("anonymous", 3, used)
    body = assert_problem(refused, 429, "too-many-requests", "/v1/countries")
    assert (
        body["detail"] == "This client address may make 3 requests per 60 seconds; retry in 20 s."
    )
    assert refused.headers["retry-after"] == "20"  # one request comes back every 60 / 3 s
    assert rate_headers(refused) == expected_headers("anonymous", 3, 3)

    clock.now += 19.9
    assert client.get("/v1/countries?limit=1").status_code == 429
    clock.now += 0.1
    assert client.get("/v1/countries?limit=1").status_code == 200
    assert client.get("/v1/countries?limit=1").status_code == 429

    clock.now += 60  # a whole window later: the whole quota is back
    again = [client.get("/v1/countries?limit=1") for _ in range(4)]
    assert [response.status_code for response in again] == [200, 200, 200, 429]


def test_each_key_has_its_own_quota_whether_or_not_it_is_valid(
    serve: Serve, session: Session
) -> None:
    clock = Clock()
    client = serve(clock, rate_limit_per_minute=2, anonymous_rate_limit_per_minute=5)
    reader = {"Authorization": f"Bearer {make_identity_key(session, 'reader')}"}
    unknown = {"Authorization": "Bearer st_not-a-key"}

    with_key = [client.get("/v1/sources", headers=reader) for _ in range(3)]
    with_unknown = [client.get("/v1/sources", headers=unknown) for _ in range(3)]
    anonymous = client.get("/v1/sources")

    assert [response.status_code for response in with_key] == [200, 200, 429]
    assert [response.status_code for response in with_unknown] == [401, 401, 429]
    assert rate_headers(with_key[1]) == expected_headers("key", 2, 2)
    assert rate_headers(with_unknown[0]) == expected_headers("key", 2, 1)
    assert with_key[2].headers["retry-after"] == "30"
    assert "API key may make 2 requests per 60 seconds" in with_key[2].json()["detail"]
    assert anonymous.status_code == 200
    assert rate_headers(anonymous) == expected_headers("anonymous", 5, 1)


def test_probes_and_the_explorers_files_are_not_rate_limited(serve: Serve) -> None:
    client = serve(Clock(), anonymous_rate_limit_per_minute=1)
    client.get("/v1/countries")

    for path in ("/healthz", "/readyz", "/", "/static/explorer/app.js", "/static/explorer/app.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "ratelimit" not in response.headers
    assert client.get("/v1/countries").status_code == 429


def test_a_quota_of_0_turns_the_limit_off(serve: Serve) -> None:
    client = serve(Clock(), anonymous_rate_limit_per_minute=0, rate_limit_per_minute=1)

    responses = [client.get("/v1/countries?limit=1") for _ in range(5)]

    assert {response.status_code for response in responses} == {200}
    assert "ratelimit" not in responses[0].headers


def test_token_buckets_forget_idle_clients_and_stay_bounded() -> None:
    clock = Clock()
    buckets = TokenBuckets(10, 60, max_clients=100, clock=clock)

    for number in range(1000):
        buckets.take(f"client-{number}")
    assert len(buckets) == 100
    assert buckets.take("client-999").remaining == 8  # the most recent are the ones kept

    clock.now += 60  # every bucket is full again, as good as forgotten
    buckets.take("newcomer")
    assert len(buckets) == 1


def test_token_buckets_count_exactly_under_concurrent_takes() -> None:
    buckets = TokenBuckets(500, 60, clock=Clock())
    allowed: list[bool] = []
    lock = threading.Lock()

    def hammer() -> None:
        mine = [buckets.take("one-client").allowed for _ in range(100)]
        with lock:
            allowed.extend(mine)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert allowed.count(True) == 500
    assert allowed.count(False) == 300


# --- CORS ------------------------------------------------------------------------------------


def preflight(client: TestClient, origin: str, **headers: str) -> Any:
    return client.options(
        "/v1/engagements",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        }
        | headers,
    )


def test_no_origin_may_call_from_a_browser_by_default(serve: Serve) -> None:
    client = serve()

    answer = preflight(client, "http://localhost:5173")
    read = client.get("/v1/countries?limit=1", headers={"Origin": "http://localhost:5173"})

    assert "access-control-allow-origin" not in answer.headers
    assert_problem(answer, 405, "method-not-allowed", "/v1/engagements")
    assert read.status_code == 200
    assert "access-control-allow-origin" not in read.headers


def test_configured_origins_may_call_from_a_browser(serve: Serve) -> None:
    client = serve(
        cors_origins="http://localhost:*, https://analysts.example.org",
        anonymous_rate_limit_per_minute=100,
    )

    allowed = preflight(client, "http://localhost:5173")
    exact = preflight(client, "https://analysts.example.org")
    read = client.get("/v1/countries?limit=1", headers={"Origin": "http://localhost:5173"})

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert {"authorization", "content-type", "idempotency-key", "if-match"} <= {
        name.strip().lower() for name in allowed.headers["access-control-allow-headers"].split(",")
    }
    assert "PATCH" in allowed.headers["access-control-allow-methods"]
    assert exact.headers["access-control-allow-origin"] == "https://analysts.example.org"
    assert read.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert {"ETag", "Link", "Location", "Retry-After", "RateLimit", "RateLimit-Policy"} <= {
        name.strip() for name in read.headers["access-control-expose-headers"].split(",")
    }


def test_a_refused_preflight_is_a_problem(serve: Serve) -> None:
    client = serve(cors_origins="http://localhost:*")

    foreign = preflight(client, "https://evil.example")
    lookalike = preflight(client, "http://localhost.evil.example:8000")
    read = client.get("/v1/countries?limit=1", headers={"Origin": "https://evil.example"})

    for answer in (foreign, lookalike):
        assert answer.status_code == 400
        assert answer.headers["content-type"] == PROBLEM
        assert "access-control-allow-origin" not in answer.headers
        assert answer.json() == {
            "type": "/problems/bad-request",
            "title": "Bad request",
            "status": 400,
            "detail": "Cross-origin request refused; not allowed here: origin.",
        }
    assert read.status_code == 200
    assert "access-control-allow-origin" not in read.headers


@pytest.mark.parametrize(
    ("pattern", "matches", "refuses"),
    [
        (
            "http://localhost:*",
            ["http://localhost", "http://localhost:8000"],
            ["https://localhost:8000", "http://localhost.evil.example", "http://localhost:80x"],
        ),
        (
            "https://*.example.org",
            ["https://a.example.org", "https://a.b.example.org"],
            ["https://example.org", "https://evil.org/.example.org", "http://a.example.org"],
        ),
    ],
)
def test_origin_patterns(pattern: str, matches: list[str], refuses: list[str]) -> None:
    options = cors_options([pattern])

    assert options["allow_origins"] == []
    for origin in matches:
        assert re.fullmatch(options["allow_origin_regex"], origin), origin
    for origin in refuses:
        assert not re.fullmatch(options["allow_origin_regex"], origin), origin


def test_cors_origins_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTIONS_TRACKER_CORS_ORIGINS", "http://localhost:*, http://127.0.0.1:*,,")
    assert Settings().cors_origins == ["http://localhost:*", "http://127.0.0.1:*"]
    monkeypatch.setenv("SANCTIONS_TRACKER_CORS_ORIGINS", "")
    assert Settings().cors_origins == []
    assert cors_options(["*"])["allow_origins"] == ["*"]


# --- errors ---------------------------------------------------------------------------------


def test_an_unexpected_error_is_an_opaque_500(serve: Serve) -> None:
    client = serve()
    app: FastAPI = client.app  # type: ignore[assignment]

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret: password=hunter2 in /srv/app/config.py")

    @app.get("/bad-sql")
    def bad_sql(session: SessionDep) -> None:
        session.execute(text("SELECT no_such_column FROM no_such_table"))

    quiet = TestClient(app, raise_server_exceptions=False)
    for path in ("/boom", "/bad-sql"):
        response = quiet.get(path, headers={"X-Request-Id": "req-123"})

        assert response.status_code == 500, path
        assert response.headers["content-type"] == PROBLEM
        assert response.json() == {
            "type": "/problems/internal-error",
            "title": "Internal server error",
            "status": 500,
            "detail": "An unexpected error occurred. Request id: req-123.",
            "instance": f"{path}#request=req-123",
            "request_id": "req-123",
        }
        for telltale in ("Traceback", "Error", "secret", "hunter2", ".py", "no_such", "SELECT"):
            assert telltale not in response.text, (path, telltale)
