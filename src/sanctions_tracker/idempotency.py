"""`Idempotency-Key` on POST (draft-ietf-httpapi-idempotency-key-header): a retry carrying the key
of an earlier request gets that request's answer again instead of a second write.

A request is claimed by inserting a `running` row, unique per (owner, key), in a short transaction
of its own before the app sees it; whoever inserts the row runs the request, everyone else reads
the row: another request under the same key is a 422, a request still running a 409 with
`Retry-After`, a finished one is replayed. The fingerprint covers the method, path, query string
and body. The owner is the digest of the bearer token that API keys are stored under, so clients
never share keys; a repeat is answered from the store only while that API key still works (a
revoked one gets the app's 401).

Only answers that follow from the request itself are kept: successes and the client errors a
retry would get again. A 5xx, an exception, or an answer that depends on something outside the
fingerprint (credentials, `Accept`, time) deletes the row, so the retry runs for real. Every
failed write leaves nothing behind (one transaction per request), so running it again is safe.
"""

import hashlib
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import anyio
from fastapi import Request
from sqlalchemy import Insert, and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sanctions_tracker.auth import service as keys
from sanctions_tracker.config import settings_of
from sanctions_tracker.db import get_session, sessionmaker_of, writing_session
from sanctions_tracker.models import ApiKey, IdempotentRequest
from sanctions_tracker.models.base import utcnow
from sanctions_tracker.problems import database_unavailable, field_error, problem_response

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# Visible ASCII, inner spaces allowed: what an RFC 8941 sf-string may hold. The field value is
# the key as sent (quoted, as the draft writes it, or not): a retry resends the same bytes.
KEY_PATTERN = r"^[!-~]([ -~]*[!-~])?$"
_KEY = re.compile(KEY_PATTERN)

# A running request older than this belongs to a worker that died, and a retry may take it over.
# Generous: taking over a request that is in fact still running would run it twice.
ABANDONED_AFTER = timedelta(minutes=10)
PURGE_BATCH = 100
RUNNING, DONE = "running", "done"
ANONYMOUS = "anonymous"

# A new API key's secret is shown once and kept only as a hash: its answer is never stored.
NOT_REMEMBERED_PATHS = ("/v1/keys",)
# Client errors a retry of the same method, path and body would get again. Others depend on
# headers outside the fingerprint (401, 403, 406, 412, 415, 428) or on time (408, 425, 429).
REPLAYED_CLIENT_ERRORS = frozenset({400, 404, 405, 409, 410, 422})
# They describe the exchange, not the answer.
NOT_STORED_HEADERS = frozenset({"date", "server", "set-cookie"})


def applies_to(method: str, path: str) -> bool:
    return method == "POST" and not any(
        path == prefix or path.startswith(prefix + "/") for prefix in NOT_REMEMBERED_PATHS
    )


def is_valid_key(key: str) -> bool:
    return len(key) <= MAX_KEY_LENGTH and _KEY.fullmatch(key) is not None


def request_owner(authorization: str | None) -> str:
    """Whose keys these are: the digest of the bearer token that API keys are stored under
    (never the token itself), or `anonymous`."""
    if not authorization:
        return ANONYMOUS
    scheme, _, token = authorization.partition(" ")
    return keys.hash_secret(token.strip() if scheme.lower() == "bearer" else authorization)


def request_fingerprint(method: str, path: str, query_string: bytes, body: bytes) -> str:
    digest = hashlib.sha256(f"{method} {path}?".encode())
    digest.update(query_string)
    digest.update(b"\n")
    digest.update(body)
    return digest.hexdigest()


def is_remembered(status: int) -> bool:
    return status < 400 or status in REPLAYED_CLIENT_ERRORS


SessionScope = Callable[[], AbstractContextManager[Session]]


def _overrides(scope: Scope) -> dict[Any, Any]:
    """The app's dependency overrides: the middleware follows them as the routes do."""
    return cast(dict[Any, Any], getattr(scope.get("app"), "dependency_overrides", {}))


def session_scope(scope: Scope) -> SessionScope:
    """Sessions on the routes' database, each committed at the end of its `with` block and
    rolled back on an error: from the app's `get_sessionmaker` (overridden to point the app at
    another database), or from its `get_session` override when a test hands the app its own
    session that way. Writes take SQLite's write lock up front, as the routes' do."""
    overrides = _overrides(scope)
    if get_session in overrides:
        return contextmanager(cast(Callable[[], Iterator[Session]], overrides[get_session]))
    sessions = sessionmaker_of(scope.get("app"))

    @contextmanager
    def transaction() -> Iterator[Session]:
        with writing_session(sessions) as session, session.begin():
            yield session

    return transaction


@dataclass(frozen=True)
class Previous:
    """The stored request a new one collided with."""

    request_hash: str
    state: str
    owner_allowed: bool
    status_code: int | None = None
    headers: list[list[str]] | None = None
    body: bytes | None = None


@dataclass(frozen=True)
class KeyedRequest:
    """A POST with an `Idempotency-Key`, as it is stored."""

    owner: str
    key: str
    method: str
    path: str
    request_hash: str


def _insert_unless_taken(session: Session, values: dict[str, Any]) -> Insert:
    table = IdempotentRequest
    unique = [table.owner, table.idempotency_key]
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).values(values).on_conflict_do_nothing(index_elements=unique)
    return sqlite.insert(table).values(values).on_conflict_do_nothing(index_elements=unique)


def claim(sessions: SessionScope, request: KeyedRequest, ttl: timedelta) -> int | Previous:
    """Our row's id when this request is the one to run, else the stored request it repeats."""
    table = IdempotentRequest
    mine = and_(table.owner == request.owner, table.idempotency_key == request.key)
    with sessions() as session:
        for _attempt in range(3):
            now = utcnow()
            stale = or_(
                table.expires_at <= now,
                and_(table.state == RUNNING, table.created_at <= now - ABANDONED_AFTER),
            )
            session.execute(delete(table).where(mine, stale))
            values = {
                "owner": request.owner,
                "idempotency_key": request.key,
                "method": request.method,
                "path": request.path[:2048],
                "request_hash": request.request_hash,
                "state": RUNNING,
                "created_at": now,
                "expires_at": now + ttl,
            }
            inserted = session.execute(
                _insert_unless_taken(session, values).returning(table.id)
            ).scalar_one_or_none()
            if inserted is not None:
                _purge_expired(session, now)
                return inserted
            stored = session.execute(
                select(
                    table.request_hash,
                    table.state,
                    table.status_code,
                    table.response_headers,
                    table.response_body,
                ).where(mine)
            ).one_or_none()
            if stored is not None:
                hash_, state, status, headers, body = stored
                allowed = _owner_allowed(session, request.owner)
                return Previous(hash_, state, allowed, status, headers, body)
            # The row went away between the insert and the read (its request failed): try again.
        return Previous(request.request_hash, RUNNING, _owner_allowed(session, request.owner))


def _owner_allowed(session: Session, owner: str) -> bool:
    """Whether the owner's API key still works: a revoked or expired key gets no answer from
    the store, only the app's 401 (revocation counts from the very next request)."""
    if owner == ANONYMOUS:
        return True
    query = select(ApiKey).where(ApiKey.secret_hash == owner)
    key = session.scalar(query.execution_options(populate_existing=True))
    return key is not None and keys.status(key) == "active"


def _purge_expired(session: Session, now: datetime) -> None:
    """Forget a bounded batch of expired requests; concurrent purgers skip each other's rows."""
    table = IdempotentRequest
    expired = (
        select(table.id)
        .where(table.expires_at <= now)
        .order_by(table.expires_at)
        .limit(PURGE_BATCH)
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(table).where(table.id.in_(expired.scalar_subquery())))


def finish(
    sessions: SessionScope,
    request_id: int,
    status: int,
    headers: list[list[str]],
    body: bytes,
    ttl: timedelta,
) -> None:
    table = IdempotentRequest
    with sessions() as session:
        # By id and still running: a request taken over as abandoned must not overwrite the new one.
        session.execute(
            update(table)
            .where(table.id == request_id, table.state == RUNNING)
            .values(
                state=DONE,
                status_code=status,
                response_headers=headers,
                response_body=body,
                expires_at=utcnow() + ttl,
            )
        )


def forget(sessions: SessionScope, request_id: int) -> None:
    table = IdempotentRequest
    with sessions() as session:
        session.execute(delete(table).where(table.id == request_id, table.state == RUNNING))


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not applies_to(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        keys = headers.getlist(HEADER)
        if not keys:
            await self.app(scope, receive, send)
            return
        if len(keys) > 1 or not is_valid_key(keys[0]):
            await _bad_key(scope, receive, send, several=len(keys) > 1)
            return
        body = await _read_body(receive)
        if body is None:  # the client left before it finished sending the request
            return
        request = KeyedRequest(
            owner=request_owner(headers.get("authorization")),
            key=keys[0],
            method=scope["method"],
            path=scope["path"],
            request_hash=request_fingerprint(
                scope["method"], scope["path"], scope.get("query_string", b""), body
            ),
        )
        sessions = session_scope(scope)
        settings = settings_of(scope.get("app"))
        ttl = timedelta(hours=settings.idempotency_ttl_hours)
        try:
            outcome = await run_in_threadpool(claim, sessions, request, ttl)
        except SQLAlchemyError as exc:
            unavailable = database_unavailable(exc)
            if unavailable is None:
                raise
            logger.warning("database unavailable, answered 503: %s", getattr(exc, "orig", exc))
            retry_after, detail = unavailable
            await _problem(
                scope,
                receive,
                send,
                503,
                "service-unavailable",
                "Service unavailable",
                detail,
                headers={"Retry-After": str(retry_after)},
            )
            return
        if isinstance(outcome, Previous):
            if outcome.owner_allowed:
                await _answer_repeat(outcome, request, scope, receive, send)
            else:
                await self.app(scope, _replaying(body, receive), send)
            return
        await self._run(outcome, body, sessions, ttl, scope, receive, send)

    async def _run(
        self,
        request_id: int,
        body: bytes,
        sessions: SessionScope,
        ttl: timedelta,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        answer = _Answer(send)
        try:
            await self.app(scope, _replaying(body, receive), answer.send)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await _forget_quietly(sessions, request_id)
            raise
        if answer.start is None or not answer.complete:
            await _forget_quietly(sessions, request_id)
            return
        status = int(answer.start["status"])
        if is_remembered(status):
            try:
                await run_in_threadpool(
                    finish, sessions, request_id, status, answer.stored_headers(), answer.body, ttl
                )
            except SQLAlchemyError as exc:
                # The write is committed: the client gets its answer; retries see the request
                # running until it counts as abandoned.
                logger.warning("could not store the answer of an idempotent request: %s", exc)
        else:
            await _forget_quietly(sessions, request_id)
        await answer.release()


class _Answer:
    """The app's response, held back until it is stored, then sent as one body."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.start: Message | None = None
        self._chunks: list[bytes] = []
        self.complete = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self._chunks.append(message.get("body", b""))
            self.complete = not message.get("more_body", False)
        else:
            await self._send(message)

    @property
    def body(self) -> bytes:
        return b"".join(self._chunks)

    def stored_headers(self) -> list[list[str]]:
        assert self.start is not None
        return [
            [name.decode("latin-1"), value.decode("latin-1")]
            for name, value in self.start["headers"]
            if name.decode("latin-1").lower() not in NOT_STORED_HEADERS
        ]

    async def release(self) -> None:
        assert self.start is not None
        await self._send(self.start)
        await self._send({"type": "http.response.body", "body": self.body})


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """The request body once, as the app would have read it; then the client's own messages."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _forget_quietly(sessions: SessionScope, request_id: int) -> None:
    try:
        await run_in_threadpool(forget, sessions, request_id)
    except SQLAlchemyError as exc:
        logger.warning("could not forget a failed idempotent request: %s", exc)


async def _answer_repeat(
    previous: Previous, request: KeyedRequest, scope: Scope, receive: Receive, send: Send
) -> None:
    if previous.request_hash != request.request_hash:
        await _problem(
            scope,
            receive,
            send,
            422,
            "idempotency-key-reused",
            "Idempotency-Key reused",
            f"This {HEADER} was already used with another request (method, path, query or "
            "body); send a new key with every new request.",
        )
        return
    if previous.state != DONE or previous.status_code is None:
        await _problem(
            scope,
            receive,
            send,
            409,
            "idempotency-key-in-use",
            "Request still running",
            f"The first request with this {HEADER} is still being processed; retry the same "
            "request later to get its answer.",
            headers={"Retry-After": "1"},
        )
        return
    headers = [
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in previous.headers or []
    ]
    headers.append((REPLAYED_HEADER.lower().encode(), b"true"))
    await send({"type": "http.response.start", "status": previous.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": previous.body or b""})


async def _bad_key(scope: Scope, receive: Receive, send: Send, *, several: bool) -> None:
    message = (
        f"send one {HEADER} header, not several"
        if several
        else f"{HEADER} must be 1 to {MAX_KEY_LENGTH} visible ASCII characters "
        "(inner spaces allowed); a UUID is a good key"
    )
    await _problem(
        scope,
        receive,
        send,
        400,
        "bad-request",
        "Bad request",
        message[0].upper() + message[1:] + ".",
        errors=[field_error(f"/{HEADER}", message, "header")],
    )


async def _problem(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    slug: str,
    title: str,
    detail: str,
    **options: Any,
) -> None:
    response = problem_response(status, slug, title, detail, Request(scope), **options)
    await response(scope, receive, send)


PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": "Makes a retry safe (draft-ietf-httpapi-idempotency-key-header): a new random "
    "value (a UUID) per request, sent again unchanged with each retry of it. A retry with the same "
    "key, method, path and body gets the first answer again, with `Idempotent-Replayed: true`, "
    "and writes nothing; the same key with another request is a 422; a retry while the first "
    "is still running is a 409 with `Retry-After`. Keys are kept per API key for "
    "`SANCTIONS_TRACKER_IDEMPOTENCY_TTL_HOURS` (24 by default). Answers of 5xx are not kept.",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": KEY_PATTERN,
    },
    "example": '"8e03978e-40d5-43e8-bc93-6894a57f9324"',
}
RESPONSES = {
    "400": f"Bad request (e.g. a malformed `{HEADER}`)",
    "409": f"Conflict (e.g. the first request with this `{HEADER}` is still running)",
    "422": f"Validation failed (or this `{HEADER}` was used with another request)",
}


def document(schema: dict[str, Any]) -> None:
    """Add the `Idempotency-Key` header and its answers to every POST operation it applies to."""
    for path, path_item in schema.get("paths", {}).items():
        operation = path_item.get("post")
        if operation is None or not applies_to("POST", path):
            continue
        operation.setdefault("parameters", []).append(PARAMETER)
        answers = operation.setdefault("responses", {})
        for status, description in RESPONSES.items():
            answers.setdefault(status, {"description": description})
