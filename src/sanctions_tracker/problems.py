"""RFC 9457 problem details: the one exception family and the handlers that render it."""

import logging
import sqlite3
import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

logger = logging.getLogger("sanctions_tracker")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "/problems/"

# slug -> explanation; also served at /problems/{slug} so every `type` dereferences.
PROBLEM_TYPES: dict[str, str] = {
    "not-found": "The record, code or path does not exist.",
    "conflict": "The write clashes with stored data: a key already taken, or a record still "
    "referred to by others.",
    "validation-error": "The request is well-formed HTTP but its data breaks a rule; `errors` "
    "lists every field with a JSON Pointer and a message.",
    "bad-request": "The request cannot be understood, e.g. a cursor this API did not issue.",
    "method-not-allowed": "The path exists but does not accept this HTTP method.",
    "not-acceptable": "None of the media types named in `Accept` is offered here; `supported` "
    "lists those that are (or ask with the `format` parameter).",
    "precondition-failed": "`If-Match` names none of the record's current entity tags: someone "
    "changed it since you read it. Nothing was written; GET it again (its `ETag`), reapply "
    "your change and retry.",
    "precondition-required": "This server requires `If-Match` on every PATCH and DELETE: GET the "
    "record first and send its `ETag` back in `If-Match`.",
    "unauthorized": "The operation needs a valid API key in `Authorization: Bearer KEY`: none "
    "was sent, or the key sent is unknown, expired or revoked (`detail` says which). Keys are "
    "never accepted in the URL.",
    "forbidden": "The API key is valid but its role does not allow this operation: reads need "
    "`reader`, writes and imports `editor`, key management and audit `admin`.",
    "payload-too-large": "The request body is larger than this server accepts; `max_bytes` "
    "says how large it may be (imports have their own, larger limit).",
    "uri-too-long": "The path and query string together are longer than this server accepts; "
    "`max_bytes` says how long they may be.",
    "too-many-requests": "The client used up its request quota: per API key, or per address "
    "for requests without a key. Wait the `Retry-After` seconds; the `RateLimit-Policy` and "
    "`RateLimit` headers of every answer tell the quota and what is left of it.",
    "service-unavailable": "The database is busy with other writes or cannot be reached for the "
    "moment. Retry after the `Retry-After` seconds; the server recovers by itself.",
    "not-ready": "`/readyz`: the database cannot be reached or is not migrated to the newest "
    "revision, so the server should get no traffic yet.",
    "idempotency-key-reused": "This `Idempotency-Key` was already used with another request "
    "(method, path, query or body); every new request needs a new key.",
    "idempotency-key-in-use": "The first request with this `Idempotency-Key` is still being "
    "processed; retry after `Retry-After` seconds to get its answer.",
    "http-error": "An HTTP error without a more specific type.",
    "internal-error": "Something unexpected failed on the server; quote the request id when "
    "reporting it.",
}


class FieldError(BaseModel):
    pointer: str = Field(description="JSON Pointer to the field: into the body, or /<parameter>.")
    message: str
    location: str = Field(default="body", description="body, query, path or header")


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI reference; GET it for an explanation")
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """A domain error that knows its HTTP status and problem type."""

    status = 400
    slug = "bad-request"
    title = "Bad request"
    headers: dict[str, str] | None = None
    """Response headers the answer must carry (e.g. `WWW-Authenticate` on a 401)."""

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[FieldError] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors) if errors is not None else None
        self.extra = extra


class BadRequest(ProblemError):
    pass


class NotFound(ProblemError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(ProblemError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class NotAcceptable(ProblemError):
    status = 406
    slug = "not-acceptable"
    title = "Not acceptable"


class PreconditionFailed(ProblemError):
    status = 412
    slug = "precondition-failed"
    title = "Precondition failed"


class PreconditionRequired(ProblemError):
    status = 428
    slug = "precondition-required"
    title = "Precondition required"


class Unauthorized(ProblemError):
    status = 401
    slug = "unauthorized"
    title = "Unauthorized"

    def __init__(self, detail: str, *, invalid_token: bool = False) -> None:
        super().__init__(detail)
        # RFC 6750 §3: tell a client whose key was refused apart from one that sent none.
        challenge = 'Bearer realm="sanctions-tracker"'
        self.headers = {
            "WWW-Authenticate": challenge + (', error="invalid_token"' if invalid_token else "")
        }


class Forbidden(ProblemError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"


class ValidationFailed(ProblemError):
    status = 422
    slug = "validation-error"
    title = "Validation failed"

    def __init__(self, errors: Sequence[FieldError], detail: str | None = None) -> None:
        count = len(errors)
        summary = detail or (
            errors[0].message if count == 1 else f"{count} fields are invalid; see `errors`."
        )
        super().__init__(summary, errors=errors)


def field_error(pointer: str, message: str, location: str = "body") -> FieldError:
    return FieldError(pointer=pointer, message=message, location=location)


def json_pointer(path: Sequence[str | int]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str,
    request: Request,
    *,
    errors: Sequence[FieldError] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    state = request.scope.setdefault("state", {})
    state["problem"] = PROBLEM_BASE + slug  # for the request's log line
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": problem_instance(request.url.path, state.get("request_id")),
    }
    if errors is not None:
        body["errors"] = [error.model_dump() for error in errors]
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def problem_instance(path: str, request_id: str | None) -> str:
    """The occurrence of a problem: the path asked for, and the request's id as the fragment
    (`/v1/actors/x#request=0f3c...`), the id that its log lines and `X-Request-ID` carry."""
    return f"{path}#request={request_id}" if request_id else path


def _pydantic_message(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


def request_validation_errors(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for error in exc.errors():
        location, *path = error.get("loc", ("body",))
        if location == "body":
            errors.append(field_error(json_pointer(path), _pydantic_message(error)))
        else:
            errors.append(field_error(json_pointer(path), _pydantic_message(error), str(location)))
    return errors


_STATUS_SLUGS = {
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("payload-too-large", "Payload too large"),
    414: ("uri-too-long", "URI too long"),
    429: ("too-many-requests", "Too many requests"),
    503: ("service-unavailable", "Service unavailable"),
}

# SQLITE_BUSY and SQLITE_LOCKED, the primary result codes behind "database is locked" and
# "database table is locked"; extended codes (SQLITE_BUSY_SNAPSHOT, ...) carry them in the low byte.
_SQLITE_BUSY_CODES = frozenset({5, 6})
_BUSY = (1, "The database is busy with other writes; nothing was written. Retry in a moment.")
_POOL_EXHAUSTED = (1, "Every database connection is in use. Retry in a moment.")
_COLLIDED = (1, "The write collided with a concurrent one; nothing was written. Retry it.")
_UNREACHABLE = (5, "The database cannot be reached at the moment. Retry in a moment.")
_OVERLOADED = (5, "The database cannot answer at the moment. Retry in a moment.")


def database_unavailable(exc: Exception) -> tuple[int, str] | None:
    """Seconds to wait and why, when `exc` is a passing database condition: SQLite's write lock
    still taken; a PostgreSQL serialization failure or deadlock, an unreachable server or a lost
    connection; every pooled connection in use. None for any other database error, which is a
    bug and answered as a 500."""
    if isinstance(exc, PoolTimeoutError):
        return _POOL_EXHAUSTED
    if not isinstance(exc, DBAPIError):
        return None
    if isinstance(exc.orig, sqlite3.Error):
        code = getattr(exc.orig, "sqlite_errorcode", None)
        if code is not None:
            return _BUSY if code & 0xFF in _SQLITE_BUSY_CODES else None
        return _BUSY if "is locked" in str(exc.orig) else None
    if not (exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)):
        return None
    # PostgreSQL: class 40 is a serialization failure or deadlock, 08 and 57P a connection
    # lost or refused (a failed connection attempt has no SQLSTATE at all).
    sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
    if sqlstate.startswith("40"):
        return _COLLIDED
    if exc.connection_invalidated or not sqlstate or sqlstate.startswith(("08", "57P")):
        return _UNREACHABLE
    return _OVERLOADED


def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    # The middleware that gave the request its id is inside the handler that calls this one,
    # so the id comes from the request's state and its answer's header is set here.
    state = request.scope.setdefault("state", {})
    request_id = state.setdefault("request_id", uuid.uuid4().hex)
    logger.exception(
        "unexpected error (request id %s)",
        request_id,
        exc_info=exc,
        extra={"request_id": request_id},
    )
    return problem_response(
        500,
        "internal-error",
        "Internal server error",
        f"An unexpected error occurred. Request id: {request_id}.",
        request,
        extra={"request_id": request_id},
        headers={"X-Request-ID": request_id},
    )


def allowed_methods(request: Request) -> str:
    """Every method some route offers at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in iter_route_contexts(list(request.app.routes)):
        path_format = getattr(route, "path_format", None)
        if path_format and route.methods and compile_path(path_format)[0].match(request.url.path):
            methods |= set(route.methods)
    return ", ".join(sorted(methods))


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _domain(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.slug,
            exc.title,
            exc.detail,
            request,
            errors=exc.errors,
            extra=exc.extra,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = request_validation_errors(exc)
        failure = ValidationFailed(errors)
        return problem_response(
            422, failure.slug, failure.title, failure.detail, request, errors=errors
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        logger.info("integrity error turned into 409: %s", exc.orig)
        return problem_response(
            409,
            "conflict",
            "Conflict",
            "The write conflicts with stored data (a uniqueness or reference rule).",
            request,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug, title = _STATUS_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"No route matches {request.url.path}."
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        if exc.status_code == 400 and slug == "http-error":
            slug, title = "bad-request", "Bad request"
        return problem_response(exc.status_code, slug, title, detail, request, headers=headers)

    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeoutError)
    async def _database(request: Request, exc: Exception) -> JSONResponse:
        unavailable = database_unavailable(exc)
        if unavailable is None:
            raise exc  # on to the opaque 500 below, and to the server's error log
        retry_after, detail = unavailable
        logger.warning("database unavailable, answered 503: %s", getattr(exc, "orig", exc))
        return problem_response(
            503,
            "service-unavailable",
            "Service unavailable",
            detail,
            request,
            headers={"Retry-After": str(retry_after)},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return _internal_error(request, exc)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry for a route's documented problem answers."""
    descriptions = {
        400: "Bad request (e.g. a malformed cursor)",
        401: "Unauthorized: no API key, or an unknown, expired or revoked one",
        403: "Forbidden: the API key's role does not allow this operation",
        404: "Not found",
        406: "Not acceptable: `Accept` names no media type offered here",
        409: "Conflict",
        412: "Precondition failed: `If-Match` does not match the record's current `ETag`",
        422: "Validation failed",
        428: "Precondition required: this server wants `If-Match` on every change",
    }
    return {
        status: {
            "model": Problem,
            "description": descriptions.get(status, "Problem"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def pydantic_errors(exc: ValidationError, prefix: str = "") -> list[FieldError]:
    """A pydantic ValidationError as field errors, their pointers below `prefix`."""
    return [
        field_error(prefix + json_pointer(error["loc"]), _pydantic_message(dict(error)))
        for error in exc.errors()
    ]
