"""Who is asking and whether they may: one dependency for the whole app, one more per role.

`authorize` runs before every operation. It reads the `Authorization: Bearer KEY` header,
checks the key against the store, and requires a role by method: reads are open (or need a
`reader` key with `require_read_key`), writes need an `editor` key. Routers that need more add
`require_role(Role.admin)`.
"""

from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from sqlalchemy.orm import Session

from sanctions_tracker.auth import service
from sanctions_tracker.auth.service import Identity
from sanctions_tracker.config import settings_of
from sanctions_tracker.db import SessionDep, in_session_thread
from sanctions_tracker.models.trust import Role
from sanctions_tracker.problems import Forbidden, Unauthorized

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Paths anyone may call, key or no key: probes, documentation, problem types, the explorer page
# (its scripts then read the API as the browser's user may).
PUBLIC_PATHS = frozenset({"/", "/healthz", "/readyz", "/docs", "/redoc", "/problems/{slug}"})
# POSTs that only compute an answer from their body and write nothing: they need what a read does.
READ_LIKE_PATHS = frozenset({"/v1/extract"})
# Query parameters that look like a key; a key in a URL ends up in logs and browser history.
QUERY_KEY_PARAMETERS = frozenset(
    {"api_key", "apikey", "api-key", "key", "access_token", "token", "bearer"}
)
MISSING_KEY = "This operation needs an API key: send it as `Authorization: Bearer KEY`."


def is_public(route: object) -> bool:
    return getattr(route, "path", None) in PUBLIC_PATHS


def is_read_like(route: object) -> bool:
    return getattr(route, "path", None) in READ_LIKE_PATHS


def method_role(method: str, *, require_read_key: bool, read_like: bool = False) -> Role | None:
    """The role a method needs on any non-public operation; None when anyone may call it."""
    if read_like or method.upper() in READ_METHODS:
        return Role.reader if require_read_key else None
    return Role.editor


async def current_identity(request: Request, session: SessionDep) -> Identity | None:
    """The key sent with the request, checked against the store; None when none was sent.

    A key that is sent is always checked, even where no key is needed: a client with a dead
    key learns it at once instead of silently reading anonymously."""
    if is_public(request.scope.get("route")):
        return None
    leaked = sorted(name for name in request.query_params if name.lower() in QUERY_KEY_PARAMETERS)
    if leaked:
        raise Unauthorized(
            f"API keys are never accepted in the URL (`{leaked[0]}=`): send the key in the "
            "`Authorization: Bearer KEY` header, and treat the one in the URL as exposed."
        )
    header = request.headers.get("authorization")
    if header is None:
        session.info.pop("writer", None)
        request.state.api_key = None
        return None
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise Unauthorized(
            f"Only `Authorization: Bearer KEY` is accepted, not the {scheme or 'empty'!r} scheme."
        )
    if not secret.strip():
        raise Unauthorized("The `Authorization: Bearer` header carries no key.")
    identity = await in_session_thread(session, _authenticate, session, secret.strip())
    session.info["writer"] = identity.name
    request.state.api_key = identity
    return identity


def _authenticate(session: Session, secret: str) -> Identity:
    """The key's check, committed at once: between this trip to the thread pool and the
    route's, the request holds no connection, or waiting requests could hold every thread
    while those holding the connections wait for a thread."""
    identity = service.authenticate(session, secret)
    session.commit()
    return identity


IdentityDep = Annotated[Identity | None, Depends(current_identity)]


def _require(identity: Identity | None, needed: Role) -> Identity:
    if identity is None:
        raise Unauthorized(MISSING_KEY)
    if not identity.allows(needed):
        raise Forbidden(
            f"This operation needs a key with the {needed.value} role; key {identity.name!r} "
            f"has the {identity.role.value} role.",
            required_role=needed.value,
            role=identity.role.value,
        )
    return identity


async def authorize(request: Request, identity: IdentityDep) -> None:
    """The app-wide check: a role by HTTP method, nothing on public paths."""
    if is_public(request.scope.get("route")):
        return
    require_read_key = settings_of(request.app).require_read_key
    read_like = is_read_like(request.scope.get("route"))
    needed = method_role(request.method, require_read_key=require_read_key, read_like=read_like)
    if needed is not None:
        _require(identity, needed)


class RoleRequirement:
    """A dependency that lets only keys with `role` (or a higher one) through; answers the
    caller's identity."""

    def __init__(self, role: Role) -> None:
        self.role = role

    async def __call__(self, identity: IdentityDep) -> Identity:
        return _require(identity, self.role)


def require_role(role: Role) -> RoleRequirement:
    """For routes that need more than their method does, e.g. audit and key management:
    `dependencies=[Depends(require_role(Role.admin))]`."""
    return RoleRequirement(role)


def _highest(roles: Iterable[Role | None]) -> Role | None:
    present = [role for role in roles if role is not None]
    return max(present, key=service.RANK.__getitem__) if present else None


def declared_role(dependant: Dependant) -> Role | None:
    """The highest role an operation's `require_role` dependencies ask for, if any."""
    roles: list[Role | None] = []
    for sub in dependant.dependencies:
        if isinstance(sub.call, RoleRequirement):
            roles.append(sub.call.role)
        roles.append(declared_role(sub))
    return _highest(roles)


def operation_role(route: object, method: str, *, require_read_key: bool) -> Role | None:
    """The role an operation (a route, or FastAPI's `RouteContext` of an included one) needs,
    from its method and its `require_role` dependencies."""
    if is_public(route):
        return None
    dependant = getattr(route, "dependant", None)
    declared = declared_role(dependant) if isinstance(dependant, Dependant) else None
    role = method_role(method, require_read_key=require_read_key, read_like=is_read_like(route))
    return _highest([role, declared])
