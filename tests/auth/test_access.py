"""Every operation the app serves against every identity, with reads open and with reads needing a
key: the expected status of each pair comes from the rules below, written out independently of the
code. The operations are read from the app's routes, so a new one cannot escape the table."""

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from sanctions_tracker.app import create_app
from sanctions_tracker.config import Settings, get_settings
from tests.conftest import IDENTITIES, ClientAs

# Anyone, whatever key they send (or fail to): probes, documentation, problem types, assets and
# the explorer page (its scripts read the API as whoever uses the page may).
PUBLIC = {
    "/",
    "/healthz",
    "/readyz",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/problems/{slug}",
    "/static",
}
# Key management and the audit (a record's history, which names the writers).
ADMIN_ONLY = re.compile(r"^/v1/keys(/|$)|^/v1/[a-z-]+/\{ref\}/history$")
# Webhook subscriptions hold URLs: even reading them needs an editor.
EDITOR_ONLY = re.compile(r"^/v1/subscriptions(/|$)")
READS = {"GET", "HEAD", "OPTIONS"}
# POSTs that compute an answer and write nothing (drafting records from a text): as reads.
READ_LIKE = {("POST", "/v1/extract")}
RANK = {"reader": 0, "editor": 1, "admin": 2}
ASSET = "/static/vendor/swagger-ui/swagger-ui.css"


def served_operations() -> list[tuple[str, str]]:
    operations = []
    for route in iter_route_contexts(create_app().routes):
        if isinstance(route.original_route, Mount):
            operations.append(("GET", str(route.original_route.path)))
            continue
        operations += [(method, str(route.path_format)) for method in route.methods - {"HEAD"}]
    return sorted(operations, key=lambda operation: (operation[1], operation[0]))


OPERATIONS = served_operations()


def needed_role(method: str, path: str, *, require_read_key: bool) -> str | None:
    """`public`, a role, or None for an operation anyone may call but whose keys are checked."""
    if path in PUBLIC:
        return "public"
    if ADMIN_ONLY.search(path):
        return "admin"
    if EDITOR_ONLY.search(path):
        return "editor"
    if method in READS or (method, path) in READ_LIKE:
        return "reader" if require_read_key else None
    return "editor"


def expected_status(identity: str, needed: str | None, allowed: int) -> int:
    """`allowed` is what a caller who passes the checks gets (the admin's answer)."""
    if needed == "public":
        return allowed
    if identity in ("revoked", "expired"):
        return 401  # a dead key is refused even where no key is needed
    if needed is None:
        return allowed
    if identity == "anonymous":
        return 401
    return allowed if RANK[identity] >= RANK[needed] else 403


def request_target(path: str) -> str:
    if path == "/static":
        return ASSET
    # A record that does not exist and an empty body: no answer writes anything.
    return re.sub(r"\{[^}]+\}", "no-such-thing", path)


def test_the_table_covers_what_the_issue_names() -> None:
    paths = {path for _, path in OPERATIONS}

    assert {"/v1/engagements", "/v1/import", "/v1/export", "/v1/keys", "/v1/keys/{name}"} <= paths
    assert ("DELETE", "/v1/engagements/{ref}") in OPERATIONS
    assert len(OPERATIONS) > 50


@pytest.mark.parametrize("require_read_key", [False, True], ids=["open-reads", "read-key"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[" ".join(o) for o in OPERATIONS])
def test_every_operation_against_every_identity(
    app: FastAPI, client_as: ClientAs, method: str, path: str, require_read_key: bool
) -> None:
    # Metrics open to any address, so that only keys decide here (the address rule has its own
    # tests in tests/observability).
    app.dependency_overrides[get_settings] = lambda: Settings(
        require_read_key=require_read_key, metrics_access="open"
    )
    target = request_target(path)
    body = {} if method in {"POST", "PUT", "PATCH"} else None
    needed = needed_role(method, path, require_read_key=require_read_key)

    allowed = client_as("admin").request(method, target, json=body).status_code
    assert allowed not in (401, 403), f"{method} {path}: the admin got {allowed}"
    answers = {}
    for identity in IDENTITIES:
        answer = client_as(identity).request(method, target, json=body)
        answers[identity] = answer.status_code
        if answer.status_code in (401, 403):
            assert answer.headers["content-type"] == "application/problem+json"
        if answer.status_code == 401:
            assert answer.headers["www-authenticate"].startswith("Bearer ")

    assert answers == {
        identity: expected_status(identity, needed, allowed) for identity in IDENTITIES
    }
