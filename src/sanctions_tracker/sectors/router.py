from collections.abc import Sequence
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from sanctions_tracker import crud
from sanctions_tracker.db import SessionDep
from sanctions_tracker.exports import specs
from sanctions_tracker.history import preconditions
from sanctions_tracker.history.preconditions import IfMatch, guard
from sanctions_tracker.listing import Listing, ListRequest, table_exports
from sanctions_tracker.models import Sector
from sanctions_tracker.pagination import Page
from sanctions_tracker.params import (
    RefPath,
    Refs,
    Text,
    check_refs,
)
from sanctions_tracker.problems import problem_responses
from sanctions_tracker.record_types import get_by_ref
from sanctions_tracker.routing import OneTripRoute
from sanctions_tracker.sectors import service
from sanctions_tracker.sectors.schemas import SectorPatch, SectorRead, SectorRecord

router = APIRouter(route_class=OneTripRoute, prefix="/v1/sectors", tags=["sectors"])
RECORD_TYPE = service.RECORD_TYPE


def _read(session: SessionDep, sector: Sector) -> SectorRead:
    return service.to_read(sector, service.children_of(session, [sector])[sector.id])


def _read_batch(session: Session, sectors: Sequence[Sector]) -> list[SectorRead]:
    children = service.children_of(session, sectors)
    return [service.to_read(sector, children[sector.id]) for sector in sectors]


LISTING = Listing(
    name="sectors",
    page_type=Page[SectorRead],
    tiebreak=Sector.id,
    sorts=service.SORTS,
    default_sort=service.DEFAULT_SORT,
    read=_read_batch,
    options=service.load_options,
    facets=service.FACETS,
    exports=table_exports(specs.SECTOR_COLUMNS),
)


@router.get(
    "",
    summary="List sectors",
    response_model=Page[SectorRead],
    responses=LISTING.responses(),
)
def list_sectors(
    session: SessionDep,
    *,
    parent: Annotated[Refs, Query(description="Direct children of this sector")] = None,
    q: Annotated[
        Text,
        Query(
            description="Full-text search in the name and description, "
            "as in `/v1/search`: words in any form (`sanction` finds `sanctions`), "
            '`"a phrase"`, `adey*`, `oil OR gas`, `-gas`; a query that cannot be read is a 400',
        ),
    ] = None,
    listing: Annotated[ListRequest[SectorRead], Depends(LISTING.parameters())],
) -> Page[SectorRead] | Response:
    """The sector tree, flat: each sector names its parent and children."""
    query = service.list_query(session, parent=check_refs(parent, "parent"), q=q)
    return listing.answer(session, query)


@router.post(
    "",
    summary="Create a sector",
    status_code=201,
    response_model=SectorRead,
    responses=problem_responses(409, 422),
)
def create_sector(
    record: SectorRecord, request: Request, response: Response, session: SessionDep
) -> SectorRead:
    """Fields as in the bundle format; `parent` names the parent sector by key."""
    crud.create(session, RECORD_TYPE, record)
    response.headers["Location"] = str(request.url_for("get_sector", ref=record.key))
    return _read(session, get_by_ref(session, RECORD_TYPE, record.key))


def _get(session: Session, ref: str) -> SectorRead:
    """The record as its GET answers it; `If-Match` is checked against this."""
    return _read(session, get_by_ref(session, RECORD_TYPE, ref))


@router.get(
    "/{ref}",
    summary="Get a sector",
    response_model=SectorRead,
    responses=problem_responses(404),
)
def get_sector(ref: RefPath, session: SessionDep) -> Response:
    """`ref` is the sector's key or its integer id."""
    return preconditions.answer(_get(session, ref))


@router.patch(
    "/{ref}",
    summary="Change a sector",
    response_model=SectorRead,
    responses=problem_responses(404, 409, 412, 422, 428),
)
def patch_sector(
    ref: RefPath, changes: SectorPatch, session: SessionDep, if_match: IfMatch
) -> Response:
    """Only the fields sent change. A parent that would make the sector its own ancestor is
    a 422."""
    current = partial(_get, session, ref)
    record = crud.patch(session, RECORD_TYPE, ref, changes, precondition=guard(if_match, current))
    return preconditions.answer(_get(session, record.key))


@router.delete(
    "/{ref}",
    summary="Delete a sector",
    status_code=204,
    response_class=Response,
    responses=problem_responses(404, 409, 412, 428),
)
def delete_sector(ref: RefPath, session: SessionDep, if_match: IfMatch) -> None:
    """Refused with 409, naming them, while child sectors, rounds or engagements refer to it."""
    current = partial(_get, session, ref)
    crud.remove(session, RECORD_TYPE, ref, precondition=guard(if_match, current))
