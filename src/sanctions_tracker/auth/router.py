from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from sanctions_tracker.auth import service
from sanctions_tracker.auth.dependencies import require_role
from sanctions_tracker.auth.schemas import KeyCreate, KeyCreated, KeyName, KeyRead
from sanctions_tracker.db import SessionDep
from sanctions_tracker.models import ApiKey
from sanctions_tracker.models.trust import Role
from sanctions_tracker.pagination import Page
from sanctions_tracker.problems import problem_responses
from sanctions_tracker.routing import OneTripRoute

router = APIRouter(
    route_class=OneTripRoute,
    prefix="/v1/keys",
    tags=["keys"],
    dependencies=[Depends(require_role(Role.admin))],
)

NamePath = Annotated[KeyName, Path(description="The key's name")]


def to_read(key: ApiKey) -> KeyRead:
    return KeyRead(
        name=key.name,
        role=Role(key.role),
        prefix=key.prefix,
        status=service.status(key),
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        expires_at=key.expires_at,
        revoked_at=key.revoked_at,
    )


@router.post(
    "",
    summary="Create an API key",
    status_code=201,
    response_model=KeyCreated,
    responses=problem_responses(409, 422),
)
def create_key(
    body: KeyCreate, request: Request, response: Response, session: SessionDep
) -> KeyCreated:
    """Answers the new key in `key`, **the only time it is shown**: the server keeps only its
    SHA-256. Names are unique for good, revoked keys included, so the history's writer names
    stay unambiguous."""
    key, secret = service.create_key(
        session,
        name=body.name,
        role=body.role,
        expires_at=service.expiry_in(body.expires_in_days),
    )
    response.headers["Location"] = str(request.url_for("get_key", name=key.name))
    return KeyCreated(**to_read(key).model_dump(), key=secret)


@router.get("", summary="List API keys", response_model=Page[KeyRead])
def list_keys(session: SessionDep) -> Page[KeyRead]:
    """Every key ever made, revoked and expired ones included, by name; never the secrets."""
    keys = [to_read(key) for key in service.list_keys(session)]
    return Page[KeyRead](items=keys, total=len(keys), next_cursor=None)


@router.get(
    "/{name}", summary="Get an API key", response_model=KeyRead, responses=problem_responses(404)
)
def get_key(name: NamePath, session: SessionDep) -> KeyRead:
    return to_read(service.get_key(session, name))


@router.delete(
    "/{name}",
    summary="Revoke an API key",
    status_code=204,
    response_class=Response,
    responses=problem_responses(404),
)
def revoke_key(name: NamePath, session: SessionDep) -> None:
    """The key stops working from the very next request. It stays listed, with `revoked_at`,
    and its name is not reused. Revoking a revoked key again is a 204 that changes nothing."""
    service.revoke_key(session, name)
