"""One trip to the thread pool per request.

FastAPI runs each plain `def` route, each plain dependency and the check of each answer in a
worker thread of its own. Every trip costs a thread hand-off, which on a small machine costs
more than a simple query, so the dependencies here are `async` and do no I/O, and
`OneTripRoute` sends a plain route to the thread pool once: the route, then the commit of its
request session, in the same thread. The answer is checked and serialised on the event loop.
A SQLite read makes no trip at all: its route runs on the event loop (`db.reads_on_event_loop`).
"""

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from sanctions_tracker.db import ON_EVENT_LOOP, REQUEST_SESSION


class OneTripRoute(APIRoute):
    """An `APIRoute` whose plain `def` endpoint runs in the thread pool together with the
    commit of its request session (see the module's docstring)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, one_trip(endpoint), **kwargs)


def one_trip(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """`endpoint` as a coroutine function with the same signature (FastAPI reads the original
    through `__wrapped__`); coroutine and generator functions are left as they are."""
    if (
        inspect.iscoroutinefunction(endpoint)
        or inspect.isasyncgenfunction(endpoint)
        or inspect.isgeneratorfunction(endpoint)
    ):
        return endpoint

    @functools.wraps(endpoint)
    async def in_one_trip(*args: Any, **kwargs: Any) -> Any:
        if any(_on_event_loop(value) for value in kwargs.values()):
            return _run_and_commit(endpoint, args, kwargs)
        return await run_in_threadpool(_run_and_commit, endpoint, args, kwargs)

    return in_one_trip


def _on_event_loop(value: Any) -> bool:
    """Whether `value` is a request session whose work runs on the event loop (SQLite reads,
    see `db.reads_on_event_loop`): then the route runs there too, with no trip at all."""
    return isinstance(value, Session) and bool(value.info.get(ON_EVENT_LOOP))


def _run_and_commit(
    endpoint: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """The route, then the commit of its request session, or its rollback on an error, as
    `get_session` would do on its way out. Either way the connection goes back to the pool
    before the thread does: a request that held a connection while it waited for a thread
    could, with enough others waiting for a connection in every thread, wait forever."""
    sessions = [
        value
        for value in kwargs.values()
        if isinstance(value, Session) and value.info.get(REQUEST_SESSION)
    ]
    try:
        answer = endpoint(*args, **kwargs)
        for session in sessions:
            if session.in_transaction():
                session.commit()
    except BaseException:
        for session in sessions:
            session.rollback()
        raise
    return answer
