from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from sanctions_tracker import crud
from sanctions_tracker.db import SessionDep
from sanctions_tracker.enums import OrganizationKind
from sanctions_tracker.exports import ftm, specs
from sanctions_tracker.exports.formats import ExportFormat
from sanctions_tracker.history import preconditions
from sanctions_tracker.history.preconditions import IfMatch, guard
from sanctions_tracker.listing import Export, Listing, ListRequest, each, table_exports
from sanctions_tracker.models import Organization
from sanctions_tracker.organizations import service
from sanctions_tracker.organizations.schemas import (
    OrganizationPatch,
    OrganizationRead,
    OrganizationRecord,
)
from sanctions_tracker.pagination import Page
from sanctions_tracker.params import (
    Codes,
    RefPath,
    Refs,
    Text,
    check_codes,
    check_refs,
)
from sanctions_tracker.problems import problem_responses
from sanctions_tracker.record_types import get_by_ref
from sanctions_tracker.routing import OneTripRoute

router = APIRouter(route_class=OneTripRoute, prefix="/v1/organizations", tags=["organizations"])
RECORD_TYPE = service.RECORD_TYPE


LISTING = Listing(
    name="organizations",
    page_type=Page[OrganizationRead],
    tiebreak=Organization.id,
    sorts=service.SORTS,
    default_sort=service.DEFAULT_SORT,
    read=each(service.to_read),
    options=service.load_options,
    facets=service.FACETS,
    exports=table_exports(specs.ORGANIZATION_COLUMNS)
    | {ExportFormat.ftm: Export(ftm.write_entities, prepare=ftm.organizations)},
)


@router.get(
    "",
    summary="List organizations",
    response_model=Page[OrganizationRead],
    responses=LISTING.responses(),
)
def list_organizations(
    session: SessionDep,
    *,
    kind: Annotated[list[OrganizationKind] | None, Query(description="Any of these kinds")] = None,
    country: Codes = None,
    parent: Annotated[Refs, Query(description="Direct children of this organization")] = None,
    q: Annotated[
        Text,
        Query(
            description="Full-text search in the name and aliases, "
            "as in `/v1/search`: words in any form (`sanction` finds `sanctions`), "
            '`"a phrase"`, `adey*`, `oil OR gas`, `-gas`; a query that cannot be read is a 400',
        ),
    ] = None,
    listing: Annotated[ListRequest[OrganizationRead], Depends(LISTING.parameters())],
) -> Page[OrganizationRead] | Response:
    """Ministries, alliances, blocs, media and companies, by name."""
    query = service.list_query(
        session,
        kind=kind,
        country=check_codes(country, "country"),
        parent=check_refs(parent, "parent"),
        q=q,
    )
    return listing.answer(session, query)


@router.post(
    "",
    summary="Create an organization",
    status_code=201,
    response_model=OrganizationRead,
    responses=problem_responses(409, 422),
)
def create_organization(
    record: OrganizationRecord, request: Request, response: Response, session: SessionDep
) -> OrganizationRead:
    """Fields as in the bundle format; `parent` names another organization by key."""
    crud.create(session, RECORD_TYPE, record)
    response.headers["Location"] = str(request.url_for("get_organization", ref=record.key))
    return service.to_read(get_by_ref(session, RECORD_TYPE, record.key))


def _get(session: Session, ref: str) -> OrganizationRead:
    """The record as its GET answers it; `If-Match` is checked against this."""
    return service.to_read(get_by_ref(session, RECORD_TYPE, ref))


@router.get(
    "/{ref}",
    summary="Get an organization",
    response_model=OrganizationRead,
    responses=problem_responses(404),
)
def get_organization(ref: RefPath, session: SessionDep) -> Response:
    """`ref` is the organization's key or its integer id."""
    return preconditions.answer(_get(session, ref))


@router.patch(
    "/{ref}",
    summary="Change an organization",
    response_model=OrganizationRead,
    responses=problem_responses(404, 409, 412, 422, 428),
)
def patch_organization(
    ref: RefPath, changes: OrganizationPatch, session: SessionDep, if_match: IfMatch
) -> Response:
    """Only the fields sent change; a list sent replaces the stored list whole."""
    current = partial(_get, session, ref)
    record = crud.patch(session, RECORD_TYPE, ref, changes, precondition=guard(if_match, current))
    return preconditions.answer(_get(session, record.key))


@router.delete(
    "/{ref}",
    summary="Delete an organization",
    status_code=204,
    response_class=Response,
    responses=problem_responses(404, 409, 412, 428),
)
def delete_organization(ref: RefPath, session: SessionDep, if_match: IfMatch) -> None:
    """Refused with 409, naming them, while child organizations, positions or engagements
    refer to it."""
    current = partial(_get, session, ref)
    crud.remove(session, RECORD_TYPE, ref, precondition=guard(if_match, current))
