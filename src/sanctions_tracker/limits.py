"""What one client may ask of the service: body size, URL length, request rate; and CORS.
And, on SQLite, one write at a time per process.

Each limit is a pure ASGI middleware that answers with the same problem+json documents as the
routes, before the request reaches them. `install_limits` wires them from the settings."""

import hashlib
import math
import re
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
from anyio.lowlevel import RunVar
from fastapi import FastAPI
from sqlalchemy.exc import OperationalError
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sanctions_tracker.config import Settings
from sanctions_tracker.db import sqlite_write_wait
from sanctions_tracker.problems import (
    PROBLEM_BASE,
    PROBLEM_MEDIA_TYPE,
    database_unavailable,
    problem_response,
)

IMPORT_PATH = "/v1/import"
# The probes, and the explorer page with the service's own files: one page load fetches a dozen
# scripts and styles, which would use up an anonymous quota meant for API reads.
RATE_LIMIT_EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/"})
RATE_LIMIT_EXEMPT_PREFIX = "/static/"
# Idle clients are forgotten once their bucket is full again; past this many, the least
# recently seen go first, so memory stays bounded whatever the number of addresses.
MAX_TRACKED_CLIENTS = 100_000
# Slack for float arithmetic, so that a token that is back exactly on time counts as back.
_EPSILON = 1e-9


def rate_limit_exempt(path: str) -> bool:
    return path in RATE_LIMIT_EXEMPT_PATHS or path.startswith(RATE_LIMIT_EXEMPT_PREFIX)


CORS_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
CORS_REQUEST_HEADERS = (
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "X-Request-Id",
)
CORS_EXPOSED_HEADERS = (
    "ETag",
    "Link",
    "Location",
    "Content-Disposition",
    "Retry-After",
    "RateLimit",
    "RateLimit-Policy",
    "X-Request-ID",
)


def install_limits(app: FastAPI, settings: Settings) -> None:
    """Add the limits, innermost first; CORS goes outermost so that browsers can read every
    answer, the 413s and 429s included."""
    app.add_middleware(
        RequestSizeMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_import_bytes=settings.max_import_bytes,
        max_url_length=settings.max_url_length,
    )
    app.add_middleware(
        RateLimitMiddleware,
        per_key=settings.rate_limit_per_minute,
        anonymous=settings.anonymous_rate_limit_per_minute,
    )
    if settings.cors_origins:
        app.add_middleware(ProblemCORSMiddleware, **cors_options(settings.cors_origins))


# --- body size and URL length -------------------------------------------------------------


class _BodyTooLarge(Exception):
    pass


class RequestSizeMiddleware:
    """414 for a path plus query string over `max_url_length` bytes; 413 for a body over
    `max_body_bytes` (`max_import_bytes` for `POST /v1/import`). A declared `Content-Length`
    over the limit is refused before anything is read; otherwise the bytes are counted as they
    arrive, so a chunked body is cut off as soon as it passes the limit. 0 turns a limit off."""

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, max_import_bytes: int, max_url_length: int
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_import_bytes = max_import_bytes
        self.max_url_length = max_url_length

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        url_length = len(scope.get("raw_path") or scope["path"].encode())
        if scope.get("query_string"):
            url_length += 1 + len(scope["query_string"])
        if self.max_url_length and url_length > self.max_url_length:
            detail = (
                f"The path and query string are {url_length} bytes long; "
                f"at most {self.max_url_length} are accepted."
            )
            response = _problem(
                scope, 414, "uri-too-long", "URI too long", detail, self.max_url_length
            )
            await response(scope, receive, send)
            return

        importing = scope["method"] == "POST" and scope["path"] == IMPORT_PATH
        limit = self.max_import_bytes if importing else self.max_body_bytes
        if not limit:
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(scope, limit, importing)(scope, receive, send)
            return

        received = 0
        exceeded = False
        answered = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def checked_send(message: Message) -> None:
            nonlocal answered
            if answered:
                return
            if exceeded and message["type"] == "http.response.start":
                # Whatever the app made of the cut-off body (FastAPI: a 400), the answer is 413.
                answered = True
                await _too_large(scope, limit, importing)(scope, receive, send)
                return
            await send(message)

        try:
            await self.app(scope, counting_receive, checked_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not answered:
            answered = True
            await _too_large(scope, limit, importing)(scope, receive, send)


def _too_large(scope: Scope, limit: int, importing: bool) -> Response:
    what = "An import" if importing else "A request body"
    detail = f"{what} may be at most {limit} bytes long."
    if not importing:
        detail += " Imports (POST /v1/import) have their own, larger limit."
    return _problem(scope, 413, "payload-too-large", "Payload too large", detail, limit)


def _problem(
    scope: Scope,
    status: int,
    slug: str,
    title: str,
    detail: str,
    max_bytes: int | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    extra = {"max_bytes": max_bytes} if max_bytes is not None else None
    return problem_response(
        status, slug, title, detail, Request(scope), extra=extra, headers=headers
    )


# --- request rate -------------------------------------------------------------------------


@dataclass
class Decision:
    allowed: bool
    remaining: int
    """Requests that could be made right now, after this one."""
    reset: int
    """Seconds until the whole quota is available again."""
    retry_after: int
    """Seconds until the next request is allowed (0 when one is allowed now)."""


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """A token bucket per client: `quota` requests may be spent at once, and they come back at
    a steady `quota / window` per second. Thread-safe; memory bounded by `max_clients`."""

    def __init__(
        self,
        quota: int,
        window: float,
        *,
        max_clients: int = MAX_TRACKED_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.quota = quota
        self.window = window
        self.rate = quota / window
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str) -> Decision:
        with self._lock:
            now = self.clock()
            bucket = self._buckets.pop(client, None)
            tokens = float(self.quota) if bucket is None else self._refilled(bucket, now)
            allowed = tokens >= 1 - _EPSILON
            if allowed:
                tokens = max(0.0, tokens - 1)
            self._buckets[client] = _Bucket(tokens, now)
            self._evict(now)
        return Decision(
            allowed=allowed,
            remaining=math.floor(tokens + _EPSILON),
            reset=self._seconds_until(self.quota - tokens),
            retry_after=0 if allowed else max(1, self._seconds_until(1 - tokens)),
        )

    def _seconds_until(self, tokens: float) -> int:
        """Whole seconds until `tokens` more have come back."""
        return max(0, math.ceil(tokens * self.window / self.quota - _EPSILON))

    def __len__(self) -> int:
        return len(self._buckets)

    def _refilled(self, bucket: _Bucket, now: float) -> float:
        return min(float(self.quota), bucket.tokens + (now - bucket.updated) * self.rate)

    def _evict(self, now: float) -> None:
        # Least recently seen first; a full bucket is the same as no bucket, so dropping it
        # loses nothing.
        while self._buckets:
            client, oldest = next(iter(self._buckets.items()))
            full = self._refilled(oldest, now) >= self.quota - _EPSILON
            if not full and len(self._buckets) <= self.max_clients:
                return
            del self._buckets[client]


class RateLimitMiddleware:
    """429 once a client has used up its quota; `RateLimit-Policy` and `RateLimit` headers
    (draft-ietf-httpapi-ratelimit-headers) on every answer.

    A request with `Authorization: Bearer KEY` counts against that key (identified by its
    SHA-256, whether or not the key is valid), any other against the client's address as the
    server reports it. `/healthz` and `/readyz` are exempt. A quota of 0 turns that limit off."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        per_key: int,
        anonymous: int,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.policies = {
            name: (
                TokenBuckets(quota, window, clock=clock),
                f'"{name}";q={quota};w={math.ceil(window)}',
            )
            for name, quota in (("key", per_key), ("anonymous", anonymous))
            if quota > 0
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or rate_limit_exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        name, client = _client(scope)
        if name not in self.policies:
            await self.app(scope, receive, send)
            return
        buckets, policy = self.policies[name]
        decision = buckets.take(client)
        headers = {
            "RateLimit-Policy": policy,
            "RateLimit": f'"{name}";r={decision.remaining};t={decision.reset}',
        }
        if not decision.allowed:
            detail = (
                f"This {'API key' if name == 'key' else 'client address'} may make "
                f"{buckets.quota} requests per {math.ceil(buckets.window)} seconds; "
                f"retry in {decision.retry_after} s."
            )
            headers["Retry-After"] = str(decision.retry_after)
            response = _problem(
                scope, 429, "too-many-requests", "Too many requests", detail, headers=headers
            )
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _client(scope: Scope) -> tuple[str, str]:
    """The policy that applies and the client it counts against."""
    authorization = Headers(scope=scope).get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "key", hashlib.sha256(token.strip().encode()).hexdigest()
    address = scope.get("client")
    return "anonymous", address[0] if address else "unknown"


# --- CORS ---------------------------------------------------------------------------------


def cors_options(origins: list[str]) -> dict[str, Any]:
    """CORSMiddleware options for the `cors_origins` setting: exact origins as they are; in a
    pattern `:*` stands for any port (or none) and any other `*` for one or more host labels."""
    exact = [origin for origin in origins if "*" not in origin or origin == "*"]
    patterns = [_origin_regex(origin) for origin in origins if "*" in origin and origin != "*"]
    return {
        "allow_origins": exact,
        "allow_origin_regex": "|".join(patterns) or None,
        "allow_methods": CORS_METHODS,
        "allow_headers": CORS_REQUEST_HEADERS,
        "expose_headers": CORS_EXPOSED_HEADERS,
        "max_age": 600,
    }


def _origin_regex(pattern: str) -> str:
    any_port = pattern.endswith(":*")
    host = pattern.removesuffix(":*") if any_port else pattern
    regex = re.escape(host).replace(r"\*", r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
    return f"(?:{regex}{'(?::[0-9]{1,5})?' if any_port else ''})"


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS handling, with a refused preflight answered as problem+json."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        refused = bytes(response.body).decode().removeprefix("Disallowed CORS ")
        headers = {
            name: value
            for name, value in response.headers.items()
            if name not in ("content-length", "content-type")
        }
        body = {
            "type": PROBLEM_BASE + "bad-request",
            "title": "Bad request",
            "status": response.status_code,
            "detail": f"Cross-origin request refused; not allowed here: {refused}.",
        }
        return JSONResponse(
            body, status_code=response.status_code, headers=headers, media_type=PROBLEM_MEDIA_TYPE
        )


# --- SQLite writes ------------------------------------------------------------------------

# What a write that found SQLite's write lock taken for too long is told (503, Retry-After).
_LOCKED = database_unavailable(
    OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))
)


class SQLiteWriteGate:
    """On SQLite, lets one write request (POST, PUT, PATCH, DELETE) at a time into the app, in
    arrival order, before it takes a worker thread or a connection; reads pass freely.

    Without it, a writer that took the write lock in one worker thread (say in the key check)
    and needs another for its route could wait behind writers that hold every worker thread
    while they wait for that same lock, until their busy timeouts ran out. A request waits its
    turn at most the engine's busy timeout, then gets the same 503 with `Retry-After` as a
    write that found the database locked. The turn ends once the answer has been sent, or the
    request failed or was abandoned. Other processes writing the file still meet SQLite's own
    lock, and wait for it up to the busy timeout as before."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # One lock per event loop the app is served on.
        self._lock: RunVar[anyio.Lock] = RunVar(f"sqlite-write-gate-{id(self)}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        wait = sqlite_write_wait(scope)
        if wait is None:
            await self.app(scope, receive, send)
            return
        lock = self._lock.get(None)
        if lock is None:
            lock = anyio.Lock()
            self._lock.set(lock)
        acquired = False
        with anyio.move_on_after(wait):
            await lock.acquire()  # on a timeout, anyio leaves the lock untaken
            acquired = True
        if not acquired:
            await _locked(scope)(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            lock.release()


def _locked(scope: Scope) -> Response:
    assert _LOCKED is not None
    retry_after, detail = _LOCKED
    return _problem(
        scope,
        503,
        "service-unavailable",
        "Service unavailable",
        detail,
        headers={"Retry-After": str(retry_after)},
    )
