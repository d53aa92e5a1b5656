"""The outermost middleware: a request id for every request, its log line and its metrics.

Pure ASGI and cheap: a header lookup, a context variable, two metric updates and one log
record per request; no thread-pool trip, no body buffering."""

import logging
import os
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sanctions_tracker.observability import logs, metrics

REQUEST_ID_HEADER = b"x-request-id"
# A client's id is taken as it is when it is a sane token: short, and only characters that
# need no escaping in a log line, a header or the problem's `instance` URI.
REQUEST_ID_PATTERN = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


def new_request_id() -> str:
    return os.urandom(16).hex()


def request_id_of(scope: Scope) -> str:
    """The client's `X-Request-ID` when it is a sane token, else a new random one."""
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            if REQUEST_ID_PATTERN.fullmatch(value):
                return str(value.decode("ascii"))
            break
    return new_request_id()


def route_template(scope: Scope, root_path: str) -> str:
    """The matched route's path template (`/v1/engagements/{ref}`), a mount's prefix with
    `{path}`, or `unmatched`: never the raw path."""
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    if isinstance(template, str):
        return template
    mounted = str(scope.get("root_path", ""))
    if mounted != root_path and mounted.startswith(root_path):
        return mounted[len(root_path) :] + "/{path}"
    return metrics.UNMATCHED_ROUTE


class ObservabilityMiddleware:
    """Take or make the request id (returned in `X-Request-ID`, kept in `request.state` and in
    `logs.current_request_id`), then count, time and log the request once it is answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(scope)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        root_path = str(scope.get("root_path", ""))
        token = logs.current_request_id.set(request_id)
        id_header = (REQUEST_ID_HEADER, request_id.encode("ascii"))
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    header
                    for header in message.get("headers", ())
                    if header[0].lower() != REQUEST_ID_HEADER
                ]
                headers.append(id_header)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except BaseException:
            # Unless the answer had begun, the app's error handler (outside) answers a 500.
            status = status or 500
            raise
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope, root_path)
            metrics.observe_request(route, scope["method"], status, seconds)
            _log(scope, state, request_id, route, status, seconds)
            logs.current_request_id.reset(token)


def _log(
    scope: Scope, state: dict[str, Any], request_id: str, route: str, status: int, seconds: float
) -> None:
    level = logging.ERROR if status >= 500 else logging.INFO
    if not logs.request_lines_at(level):
        return
    identity = state.get("api_key")
    client = scope.get("client")
    duration_ms = round(seconds * 1000, 3)
    fields: dict[str, Any] = {
        "method": scope["method"],
        "path": scope["path"],
        "route": route,
        "status": status,
        "duration_ms": duration_ms,
        "key_name": getattr(identity, "name", None),
        "client": client[0] if client else None,
    }
    problem = state.get("problem")
    if problem is not None:
        fields["problem"] = problem
    message = f"{scope['method']} {scope['path']} {status} {duration_ms} ms"
    logs.log_request(level, message, request_id, fields)
