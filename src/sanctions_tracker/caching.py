"""Conditional GETs: an `ETag` on every successful read, `304 Not Modified` when it still matches.

The tag is a digest of the answer's bytes, so a write changes exactly the tags of the answers
whose content it changes, and nothing else. Streamed exports set their own tag before the first
byte (see `exports`) and are passed through untouched, apart from the 304 check."""

import hashlib
from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHEABLE_METHODS = frozenset({"GET", "HEAD"})
# Headers a 304 keeps (RFC 9110 §15.4.5); the body and its framing go.
KEPT_ON_304 = ("etag", "cache-control", "vary", "content-location", "date", "expires", "link")


def body_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _opaque(tag: str) -> str:
    return tag.strip().removeprefix("W/")


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison, as RFC 9110 prescribes for If-None-Match; `*` matches any tag."""
    if not if_none_match:
        return False
    candidates = [candidate.strip() for candidate in if_none_match.split(",")]
    return "*" in candidates or _opaque(etag) in {_opaque(tag) for tag in candidates}


def not_modified_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name, value in headers if name.decode("latin-1") in KEPT_ON_304]


class ETagMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in CACHEABLE_METHODS:
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match")
        start: Message | None = None
        chunks: list[bytes] = []
        passing_through = False
        answered = False

        async def send_with_etag(message: Message) -> None:
            nonlocal start, passing_through, answered
            if answered:  # a 304 went out; whatever the app still sends is dropped
                return
            if passing_through:
                await send(message)
                return
            if message["type"] == "http.response.start":
                start = message
                headers = MutableHeaders(raw=message["headers"])
                if message["status"] != 200 or "etag" in headers:
                    passing_through = True
                    if "etag" in headers and etag_matches(if_none_match, headers["etag"]):
                        answered = True
                        await _send_not_modified(send, message)
                        return
                    await send(message)
                    return
                headers.setdefault("cache-control", "no-cache")
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            headers = MutableHeaders(raw=start["headers"])
            headers["etag"] = body_etag(body)
            if etag_matches(if_none_match, headers["etag"]):
                await _send_not_modified(send, start)
                return
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_with_etag)


async def _send_not_modified(send: Send, start: Message) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 304,
            "headers": not_modified_headers(start["headers"]),
        }
    )
    await send({"type": "http.response.body", "body": b""})
