"""Safe concurrent edits: a record's GET answers an `ETag`, and `PATCH` or `DELETE` with a stale
one in `If-Match` is refused with 412 instead of overwriting what the client never saw.

The tag is `"{version}-{digest}"`: the record's version, and the first 16 hex digits of the
SHA-256 of the JSON answer. The digest makes the tag change when only an embedded name
changes (renaming an actor changes the engagements that show the name), as conditional GETs
require; the version makes every write of the record itself visible in the tag."""

import hashlib
from collections.abc import Callable
from typing import Annotated, Any, Protocol

from fastapi import Depends, Header, Request, Response
from pydantic_core import to_json

from sanctions_tracker.config import settings_of
from sanctions_tracker.problems import PreconditionFailed, PreconditionRequired


class VersionedRead(Protocol):
    """A single-record answer: any `<Thing>Read` model."""

    version: int

    def model_dump_json(self) -> str: ...


def render(read: VersionedRead) -> tuple[bytes, str]:
    """The JSON body of a single-record answer and its entity tag."""
    body = read.model_dump_json().encode()
    return body, _tag(read.version, body)


def _tag(version: int, body: bytes) -> str:
    return f'"{version}-{hashlib.sha256(body).hexdigest()[:16]}"'


def answer(read: VersionedRead) -> Response:
    """A single-record answer (GET or PATCH) with its `ETag`; the caching middleware keeps the
    tag and still answers a matching `If-None-Match` with 304."""
    body, tag = render(read)
    return _answer(body, tag)


def answer_document(document: dict[str, Any]) -> Response:
    """`answer` for a record read as a plain document of its Read model's fields, which
    `to_json` writes byte for byte as the model would (so the tags agree)."""
    body = to_json(document)
    return _answer(body, _tag(document["version"], body))


def _answer(body: bytes, tag: str) -> Response:
    return Response(
        body, media_type="application/json", headers={"ETag": tag, "Cache-Control": "no-cache"}
    )


async def read_if_match(
    request: Request,
    if_match: Annotated[
        str | None,
        Header(
            description="The `ETag` of the record as you last read it (or `*` for any "
            "version): the change is made only if the record is still exactly that, else 412 "
            "and nothing changes. Required (428 without it) when the server is configured so.",
            examples=['"3-5f2b8c0e4a1d9e77"'],
        ),
    ] = None,
) -> str | None:
    if if_match is None and settings_of(request.app).require_if_match:
        raise PreconditionRequired(
            "This server requires If-Match on every PATCH and DELETE: GET the record and send "
            "its ETag back in If-Match."
        )
    return if_match


IfMatch = Annotated[str | None, Depends(read_if_match)]
"""The request's `If-Match` header; a 428 when it is required and missing."""


def guard(if_match: str | None, current: Callable[[], VersionedRead]) -> Callable[[], None]:
    """The check a write makes once the record is locked: `current` reads the record as its GET
    answers it. Tags compare strongly (a weak `W/` tag never matches); `*` matches any version
    of an existing record."""

    def check() -> None:
        if if_match is None:
            return
        sent = [tag.strip() for tag in if_match.split(",")]
        if "*" in sent:
            return
        _, tag = render(current())
        if tag not in sent:
            raise PreconditionFailed(
                f"The record has changed since it was read: its ETag is now {tag}, not "
                f"{if_match.strip()}. Nothing was written; GET it again, reapply the change "
                "and retry with the new ETag."
            )

    return check
