"""RFC 9457 problem details: the one exception family and the handlers that render it."""

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

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
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = [error.model_dump() for error in errors]
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


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


_STATUS_SLUGS = {404: ("not-found", "Not found"), 405: ("method-not-allowed", "Method not allowed")}


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _domain(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(
            exc.status, exc.slug, exc.title, exc.detail, request, errors=exc.errors, extra=exc.extra
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
        return problem_response(
            exc.status_code, slug, title, detail, request, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        logger.exception("unexpected error (request id %s)", request_id, exc_info=exc)
        return problem_response(
            500,
            "internal-error",
            "Internal server error",
            f"An unexpected error occurred. Request id: {request_id}.",
            request,
            extra={"request_id": request_id},
        )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry for a route's documented problem answers."""
    descriptions = {
        400: "Bad request (e.g. a malformed cursor)",
        404: "Not found",
        406: "Not acceptable: `Accept` names no media type offered here",
        409: "Conflict",
        422: "Validation failed",
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
