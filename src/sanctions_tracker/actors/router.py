from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from sanctions_tracker import crud
from sanctions_tracker.actors import service
from sanctions_tracker.actors.schemas import ActorPatch, ActorRead, ActorRecord
from sanctions_tracker.db import SessionDep
from sanctions_tracker.exports import ftm, specs
from sanctions_tracker.exports.formats import ExportFormat
from sanctions_tracker.history import preconditions
from sanctions_tracker.history.preconditions import IfMatch, guard
from sanctions_tracker.listing import Export, Listing, ListRequest, each, table_exports
from sanctions_tracker.models import Actor
from sanctions_tracker.pagination import Page
from sanctions_tracker.params import (
    Codes,
    IsoDate,
    RefPath,
    Refs,
    Storable,
    Text,
    check_codes,
    check_refs,
)
from sanctions_tracker.problems import problem_responses
from sanctions_tracker.record_types import get_by_ref
from sanctions_tracker.routing import OneTripRoute

router = APIRouter(route_class=OneTripRoute, prefix="/v1/actors", tags=["actors"])
RECORD_TYPE = service.RECORD_TYPE


LISTING = Listing(
    name="actors",
    page_type=Page[ActorRead],
    tiebreak=Actor.id,
    sorts=service.SORTS,
    default_sort=service.DEFAULT_SORT,
    read=each(service.to_read),
    options=service.load_options,
    facets=service.FACETS,
    exports=table_exports(specs.ACTOR_COLUMNS)
    | {ExportFormat.ftm: Export(ftm.write_entities, prepare=ftm.actors)},
)


@router.get(
    "",
    summary="List actors",
    response_model=Page[ActorRead],
    responses=LISTING.responses(),
)
def list_actors(
    session: SessionDep,
    *,
    country: Codes = None,
    organization: Annotated[Refs, Query(description="Held a position in this organization")] = None,
    position: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Held a position with exactly this title (case-insensitive), "
            "e.g. `Foreign Secretary`",
        ),
        Storable,
    ] = None,
    on: Annotated[
        IsoDate | None,
        Query(
            description="Held the position on this day: start_date <= on <= end_date, "
            "an unknown start or end counting as open"
        ),
    ] = None,
    q: Annotated[
        Text,
        Query(
            description="Full-text search in the name, aliases and position titles, "
            "as in `/v1/search`: words in any form (`sanction` finds `sanctions`), "
            '`"a phrase"`, `adey*`, `oil OR gas`, `-gas`; a query that cannot be read is a 400',
        ),
    ] = None,
    listing: Annotated[ListRequest[ActorRead], Depends(LISTING.parameters())],
) -> Page[ActorRead] | Response:
    """People, with the positions they held.

    `organization`, `position` and `on` apply to one and the same position, so "who was the UK
    Foreign Secretary on 1 March 2022" is
    `?country=GB&position=Foreign%20Secretary&on=2022-03-01`.
    """
    query = service.list_query(
        session,
        country=check_codes(country, "country"),
        organization=check_refs(organization, "organization"),
        position=position,
        on=on,
        q=q,
    )
    return listing.answer(session, query)


@router.post(
    "",
    summary="Create an actor",
    status_code=201,
    response_model=ActorRead,
    responses=problem_responses(409, 422),
)
def create_actor(
    record: ActorRecord, request: Request, response: Response, session: SessionDep
) -> ActorRead:
    """Fields as in the bundle format; positions name their organization by key."""
    crud.create(session, RECORD_TYPE, record)
    response.headers["Location"] = str(request.url_for("get_actor", ref=record.key))
    return service.to_read(get_by_ref(session, RECORD_TYPE, record.key))


def _get(session: Session, ref: str) -> ActorRead:
    """The record as its GET answers it; `If-Match` is checked against this."""
    return service.to_read(get_by_ref(session, RECORD_TYPE, ref))


@router.get(
    "/{ref}",
    summary="Get an actor",
    response_model=ActorRead,
    responses=problem_responses(404),
)
def get_actor(ref: RefPath, session: SessionDep) -> Response:
    """`ref` is the actor's key or its integer id."""
    return preconditions.answer(_get(session, ref))


@router.patch(
    "/{ref}",
    summary="Change an actor",
    response_model=ActorRead,
    responses=problem_responses(404, 409, 412, 422, 428),
)
def patch_actor(
    ref: RefPath, changes: ActorPatch, session: SessionDep, if_match: IfMatch
) -> Response:
    """Only the fields sent change; `positions` or `aliases` sent replace the stored list whole."""
    current = partial(_get, session, ref)
    record = crud.patch(session, RECORD_TYPE, ref, changes, precondition=guard(if_match, current))
    return preconditions.answer(_get(session, record.key))


@router.delete(
    "/{ref}",
    summary="Delete an actor",
    status_code=204,
    response_class=Response,
    responses=problem_responses(404, 409, 412, 428),
)
def delete_actor(ref: RefPath, session: SessionDep, if_match: IfMatch) -> None:
    """Refused with 409, naming them, while engagements list the actor as a participant."""
    current = partial(_get, session, ref)
    crud.remove(session, RECORD_TYPE, ref, precondition=guard(if_match, current))
