"""The FastAPI application: routers, problem handlers, offline docs, health checks."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from importlib.resources import files
from typing import Any

from anyio import to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from sanctions_tracker import __version__, collector, idempotency, migrations
from sanctions_tracker.actors.router import router as actors_router
from sanctions_tracker.auth.dependencies import authorize
from sanctions_tracker.auth.middleware import NoStoreWithCredentialsMiddleware
from sanctions_tracker.auth.openapi import document_security
from sanctions_tracker.auth.router import router as keys_router
from sanctions_tracker.bundles.router import router as bundles_router
from sanctions_tracker.caching import ETagMiddleware
from sanctions_tracker.config import Settings, get_settings, settings_of
from sanctions_tracker.coordination.router import router as coordination_router
from sanctions_tracker.countries.router import router as countries_router
from sanctions_tracker.db import SessionDep, get_session, sessionmaker_of
from sanctions_tracker.engagements.router import router as engagements_router
from sanctions_tracker.explorer.router import router as explorer_router
from sanctions_tracker.extraction.router import router as extraction_router
from sanctions_tracker.history.router import router as history_router
from sanctions_tracker.limits import SQLiteWriteGate, install_limits, rate_limit_exempt
from sanctions_tracker.network.router import router as network_router
from sanctions_tracker.observability import logs, metrics
from sanctions_tracker.observability.middleware import ObservabilityMiddleware
from sanctions_tracker.observability.router import router as metrics_router
from sanctions_tracker.organizations.router import router as organizations_router
from sanctions_tracker.problems import (
    PROBLEM_MEDIA_TYPE,
    PROBLEM_TYPES,
    NotFound,
    Problem,
    install_problem_handlers,
    problem_response,
)
from sanctions_tracker.routing import OneTripRoute
from sanctions_tracker.sanctions_rounds.router import router as sanctions_rounds_router
from sanctions_tracker.search.router import router as search_router
from sanctions_tracker.sectors.router import router as sectors_router
from sanctions_tracker.sources.router import router as sources_router
from sanctions_tracker.stats.router import router as stats_router
from sanctions_tracker.timeline.router import router as timeline_router
from sanctions_tracker.webhooks import worker as webhooks_worker
from sanctions_tracker.webhooks.router import router as webhooks_router

DESCRIPTION = """
Who engaged whom, when and where; which sanctions rounds were imposed by whom on whom; which
sectors they hit; and the source behind every record.

* Every list is cursor-paginated: `{"items": [...], "total": N, "next_cursor": ...}` plus a
  `Link: <...>; rel="next"` header. Repeat a filter for "any of" (`?country=US&country=GB`).
* `{ref}` in a path is a record's key or its integer id.
* Errors are RFC 9457 `application/problem+json` documents; validation errors list every field
  with a JSON Pointer.
* Every answer carries an `X-Request-ID` (the one sent, when it is 1-128 letters, digits, `.`,
  `_`, `:` or `-`; else a new one); a problem's `instance` is the path with that id as its
  fragment (`/v1/actors/x#request=...`): quote it when reporting a problem.
* Lists take `facets=` (counts over the whole filtered set) and `format=csv|ndjson|geojson|ics`
  (or an `Accept` header) for a streamed file of every matching record.
* Every successful `GET` has an `ETag`; send it back as `If-None-Match` for a `304`.
* A record's `ETag` starts with its `version`; send it in `If-Match` with a `PATCH` or `DELETE`
  and the write happens only if nobody changed the record since (else `412`, nothing written).
* Every write is recorded: `GET /v1/{collection}/{ref}/history` lists a record's versions, and
  `GET /v1/changes?since=SEQ` is a feed of all changes for services that mirror the data.
* `POST /v1/import` and `GET /v1/export` speak the `sanctions-tracker-bundle/1` format.
* Limits: a body over 1 MiB is a `413` (an import may be 50 MiB), a path and query string over
  8 KiB a `414`; each API key (or, without one, each client address) has a request quota per
  minute, told by the `RateLimit-Policy` and `RateLimit` headers, and past it gets a `429` with
  `Retry-After`. A database that is busy or unreachable gives a `503` with `Retry-After`.
* Writes and imports need an API key with the `editor` role, sent as
  `Authorization: Bearer KEY` (the **Authorize** button); reads are open unless the server
  requires a `reader` key; key management and audit need `admin`. No key: `401`; a role too
  low: `403`.
"""

TAGS = [
    {
        "name": "engagements",
        "description": "Calls, meetings, visits, trips and their legs, "
        "summits, ministerials and statements.",
    },
    {"name": "sanctions rounds", "description": "Who imposed which measures on whom, and when."},
    {"name": "actors", "description": "People, with the positions they held."},
    {"name": "organizations", "description": "Ministries, alliances, blocs, media, companies."},
    {"name": "sectors", "description": "The sector tree that rounds target."},
    {"name": "sources", "description": "Articles, statements, press releases, legal acts."},
    {"name": "countries", "description": "ISO 3166-1 countries plus EU (read-only)."},
    {
        "name": "timeline",
        "description": "Engagements and sanctions rounds in one chronological stream.",
    },
    {"name": "stats", "description": "Counts per period and value, holes filled with zeros."},
    {"name": "network", "description": "Who engaged whom, as nodes and weighted edges."},
    {
        "name": "coordination",
        "description": "Rounds against one target beside other jurisdictions' rounds near them "
        "and the engagements just before them.",
    },
    {"name": "search", "description": "Full-text search across every record type."},
    {"name": "bundles", "description": "Import and export in the bundle format."},
    {
        "name": "extraction",
        "description": "Draft records from an article's text, for review before an import.",
    },
    {
        "name": "changes",
        "description": "Every committed write, in order: a feed for services that mirror the data.",
    },
    {"name": "keys", "description": "API keys and their roles (admin only)."},
    {
        "name": "webhooks",
        "description": "Subscriptions: changes POSTed to your URL, signed, at least once.",
    },
    {"name": "operations", "description": "Health, readiness and metrics."},
]


# A problem's `instance` is the path and the request's id (see `problems.problem_instance`).
EXAMPLE_INSTANCE_FRAGMENT = "#request=5f0c1c2a9e4b4d7f8a6b3c2d1e0f9a8b"

PROBLEM_EXAMPLES: dict[str, dict[str, Any]] = {
    "400": {
        "type": "/problems/bad-request",
        "title": "Bad request",
        "status": 400,
        "detail": "The cursor is malformed: pass `next_cursor` from a previous page unchanged.",
    },
    "401": {
        "type": "/problems/unauthorized",
        "title": "Unauthorized",
        "status": 401,
        "detail": "This operation needs an API key: send it as `Authorization: Bearer KEY`.",
    },
    "403": {
        "type": "/problems/forbidden",
        "title": "Forbidden",
        "status": 403,
        "detail": "This operation needs a key with the editor role; key 'analyst' has the "
        "reader role.",
        "required_role": "editor",
        "role": "reader",
    },
    "404": {
        "type": "/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": "No engagement with key '2022-04-01-blinken-truss-cal'.",
    },
    "406": {
        "type": "/problems/not-acceptable",
        "title": "Not acceptable",
        "status": 406,
        "detail": "None of the media types in Accept is offered here; ask for one of "
        "application/json, text/csv, application/x-ndjson.",
        "supported": ["application/json", "text/csv", "application/x-ndjson"],
    },
    "409": {
        "type": "/problems/conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "Actor 'liz-truss' is still referred to by engagements "
        "'2022-04-01-blinken-truss-call'; change or delete those first.",
        "referenced_by": [
            {
                "type": "engagements",
                "key": "2022-04-01-blinken-truss-call",
                "name": "Blinken and Truss discuss further actions against Russia",
            }
        ],
        "referenced_by_total": 1,
    },
    "412": {
        "type": "/problems/precondition-failed",
        "title": "Precondition failed",
        "status": 412,
        "detail": 'The record has changed since it was read: its ETag is now "4-9c1d2e3f4a5b6c7d", '
        'not "3-5f2b8c0e4a1d9e77". Nothing was written; GET it again, reapply the change and '
        "retry with the new ETag.",
    },
    "413": {
        "type": "/problems/payload-too-large",
        "title": "Payload too large",
        "status": 413,
        "detail": "A request body may be at most 1048576 bytes long. Imports (POST /v1/import) "
        "have their own, larger limit.",
        "max_bytes": 1048576,
    },
    "414": {
        "type": "/problems/uri-too-long",
        "title": "URI too long",
        "status": 414,
        "detail": "The path and query string may be at most 8192 bytes long.",
        "max_bytes": 8192,
    },
    "429": {
        "type": "/problems/too-many-requests",
        "title": "Too many requests",
        "status": 429,
        "detail": "This API key may make 600 requests per 60 seconds; retry in 1 s.",
    },
    "428": {
        "type": "/problems/precondition-required",
        "title": "Precondition required",
        "status": 428,
        "detail": "This server requires If-Match on every PATCH and DELETE: GET the record and "
        "send its ETag back in If-Match.",
    },
    "422": {
        "type": "/problems/validation-error",
        "title": "Validation failed",
        "status": 422,
        "detail": "2 fields are invalid; see `errors`.",
        "errors": [
            {
                "pointer": "/participants/0/actor",
                "location": "body",
                "message": "unknown actor 'antony-blinkn': neither in this request nor stored",
            },
            {
                "pointer": "/countries/1",
                "location": "body",
                "message": "'UK' is not an ISO 3166-1 code; use 'GB'",
            },
        ],
    },
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application. `settings` (default: from the environment) set its limits and answer
    its `get_settings` dependency, so a test can configure one app and leave the process's be."""
    settings = settings or get_settings()
    logs.configure_if_unconfigured(settings.log_format, settings.log_level)
    app = FastAPI(
        title="Sanctions Diplomacy Tracker",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        docs_url=None,
        redoc_url=None,
        separate_input_output_schemas=False,
        # Every operation, present and future, goes through the key check; it lets the
        # probes, the docs and the problem types through itself.
        dependencies=[Depends(authorize)],
        lifespan=partial(_lifespan, settings=settings),
    )
    app.router.route_class = OneTripRoute
    if settings is not get_settings():
        app.dependency_overrides[get_settings] = lambda: settings
    install_problem_handlers(app)
    # Starlette runs the middleware added last first. Idempotency sits outside the ETag one (it
    # stores answers as the client gets them) and inside the limits, so a request refused for
    # its size or rate is never remembered, and a replay still counts against the rate limit.
    # The SQLite write gate sits outside idempotency (which writes in worker threads of its own)
    # and inside the limits, so a refused request never waits for its turn.
    app.add_middleware(ETagMiddleware)
    app.add_middleware(idempotency.IdempotencyMiddleware)
    app.add_middleware(SQLiteWriteGate)
    install_limits(app, settings)
    # Outside the limits, so that no middleware inside can put back a cacheable Cache-Control.
    app.add_middleware(NoStoreWithCredentialsMiddleware)
    # Outermost: every answer, refusals by the limits included, is counted, logged and carries
    # the request id.
    app.add_middleware(ObservabilityMiddleware)
    static = files("sanctions_tracker") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    # Probes first: FastAPI tries the routes in order, and a probe must stay cheap.
    _add_operations(app)
    app.include_router(metrics_router)
    for router in ROUTERS:
        app.include_router(router)
    _add_docs(app)
    app.include_router(explorer_router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI, *, settings: Settings) -> AsyncIterator[None]:
    """Size the thread pool that runs the routes' database work (see `routing`), tune the
    garbage collector for this process (see `collector`), follow the database pool's use for
    the metrics, and run the webhook sender beside the requests when the settings say so.
    On the way out, the sender stops and this process's live gauges (and the backlog, read
    through an engine about to be disposed) leave the metrics."""
    to_thread.current_default_thread_limiter().total_tokens = settings.threads
    collector.tune()
    backlog: Callable[[], int] | None = None
    if get_session not in app.dependency_overrides:  # else a test serves its own session
        bind = sessionmaker_of(app).kw.get("bind")
        if isinstance(bind, Engine):
            metrics.watch_engine(bind)
            backlog = wire_webhook_metrics(sessionmaker_of(app))
    sender = webhooks_worker.start_for(app, settings)
    try:
        yield
    finally:
        if sender is not None:
            await to_thread.run_sync(sender.stop, settings.webhook_timeout_seconds + 5)
        if backlog is not None:
            metrics.unregister_webhook_backlog(backlog)
        metrics.process_stopped()


WEBHOOK_OUTCOMES = {"delivered": "delivered", "retried": "retrying", "given_up": "failed"}
"""The sender's verdicts as the delivery metric names its outcomes."""


def wire_webhook_metrics(sessions: sessionmaker[Session]) -> Callable[[], int]:
    """Feed the webhook metrics: each attempt's outcome as it is settled, and the backlog
    (deliveries waiting) read from the database at each scrape. Answers the backlog reader,
    for the caller to unregister when its engine goes."""

    def backlog() -> int:
        with sessions() as session:
            return webhooks_worker.backlog(session)

    metrics.register_webhook_backlog(backlog)
    if _count_webhook_attempt not in webhooks_worker.LISTENERS:
        webhooks_worker.LISTENERS.append(_count_webhook_attempt)
    return backlog


def _count_webhook_attempt(verdict: str, _status_code: int | None) -> None:
    if verdict in WEBHOOK_OUTCOMES:
        metrics.count_webhook_delivery(WEBHOOK_OUTCOMES[verdict])


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, with every 4xx answer described as the problem+json it really is."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
            separate_input_output_schemas=False,
        )
        idempotency.document(schema)
        settings = settings_of(app)
        document_security(schema, app.routes, require_read_key=settings.require_read_key)
        _document_limits(schema)
        for path, path_item in schema["paths"].items():
            for operation in path_item.values():
                if "requestBody" in operation:  # a body that is not JSON at all
                    operation["responses"].setdefault(
                        "400", {"description": "Bad request: the body is not readable JSON"}
                    )
                for status, answer in operation.get("responses", {}).items():
                    if status.startswith("4"):
                        answer["content"] = {
                            PROBLEM_MEDIA_TYPE: {
                                "schema": {"$ref": "#/components/schemas/Problem"},
                                "example": PROBLEM_EXAMPLES.get(status, {})
                                | {"instance": path + EXAMPLE_INSTANCE_FRAGMENT},
                            }
                        }
                        if status == "422":
                            answer["description"] = "Validation failed"
                body = operation.get("requestBody", {}).get("content", {}).get("application/json")
                if body and "$ref" in body["schema"] and len(body["schema"]) > 1:
                    body["schema"] = {"$ref": body["schema"]["$ref"]}
        for unused in ("HTTPValidationError", "ValidationError"):
            schema["components"]["schemas"].pop(unused, None)
        app.openapi_schema = schema
    return app.openapi_schema


ROUTERS = [
    engagements_router,
    sanctions_rounds_router,
    actors_router,
    organizations_router,
    sectors_router,
    sources_router,
    countries_router,
    search_router,
    timeline_router,
    stats_router,
    network_router,
    coordination_router,
    bundles_router,
    extraction_router,
    history_router,
    keys_router,
    webhooks_router,
]


def _add_docs(app: FastAPI) -> None:
    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title} - Swagger UI",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title=f"{app.title} - ReDoc",
            redoc_js_url="/static/vendor/redoc/redoc.standalone.js",
            redoc_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
            with_google_fonts=False,
        )

    @app.get("/problems/{slug}", include_in_schema=False)
    def problem_type(slug: str) -> dict[str, str]:
        if slug not in PROBLEM_TYPES:
            raise NotFound(f"No problem type {slug!r}.")
        return {"type": f"/problems/{slug}", "description": PROBLEM_TYPES[slug]}


def _add_operations(app: FastAPI) -> None:
    @app.get("/healthz", tags=["operations"], summary="Liveness")
    async def healthz() -> dict[str, str]:
        """200 while the process serves requests; it does not touch the database."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="Readiness",
        responses={503: {"model": Problem, "description": "Database unreachable or not migrated"}},
    )
    def readyz(session: SessionDep, request: Request) -> Any:
        """200 only when the database answers and is migrated to the newest revision."""
        head = migrations.head_revision()
        try:
            current = migrations.current_revision(session.connection())
        except SQLAlchemyError as exc:
            session.rollback()
            return _not_ready(f"The database is unreachable: {type(exc).__name__}.", request)
        if current != head:
            detail = f"The database is at revision {current}, not at head {head}."
            return _not_ready(detail, request)
        return {"status": "ready", "revision": current}


def _document_limits(schema: dict[str, Any]) -> None:
    """The 413 of every operation that takes a body and the 429 of every rate-limited one."""
    for path, path_item in schema["paths"].items():
        if rate_limit_exempt(path):
            continue
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation:
                responses.setdefault("413", {"description": "Payload too large"})
            responses.setdefault("414", {"description": "URI too long: path and query too long"})
            responses.setdefault(
                "429",
                {
                    "description": "Too many requests: the key's or address's quota is used up",
                    "headers": {
                        name: {"description": description, "schema": {"type": kind}}
                        for name, description, kind in RATE_LIMIT_HEADERS
                    },
                },
            )


RATE_LIMIT_HEADERS = [
    ("Retry-After", "Seconds until the next request is allowed", "integer"),
    ("RateLimit-Policy", 'The quota: `"key";q=600;w=60` (600 requests per 60 s)', "string"),
    ("RateLimit", 'What is left: `"key";r=0;t=60` (0 requests, all back in 60 s)', "string"),
]


def _not_ready(detail: str, request: Request) -> JSONResponse:
    return problem_response(
        503, "not-ready", "Not ready", detail, request, headers={"Retry-After": "5"}
    )
