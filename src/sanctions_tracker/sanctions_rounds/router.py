from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from sanctions_tracker import crud
from sanctions_tracker.db import SessionDep
from sanctions_tracker.exports import ftm, specs
from sanctions_tracker.exports.formats import ExportFormat
from sanctions_tracker.history import preconditions
from sanctions_tracker.history.preconditions import IfMatch, guard
from sanctions_tracker.listing import Export, Listing, ListRequest, each, table_exports
from sanctions_tracker.models import SanctionsRound
from sanctions_tracker.pagination import Page
from sanctions_tracker.params import RefPath
from sanctions_tracker.problems import problem_responses
from sanctions_tracker.record_types import get_by_ref
from sanctions_tracker.routing import OneTripRoute
from sanctions_tracker.sanctions_rounds import service
from sanctions_tracker.sanctions_rounds.dependencies import SanctionsRoundFilterParams
from sanctions_tracker.sanctions_rounds.schemas import (
    SanctionsRoundPatch,
    SanctionsRoundRead,
    SanctionsRoundRecord,
)

router = APIRouter(
    route_class=OneTripRoute, prefix="/v1/sanctions-rounds", tags=["sanctions rounds"]
)
RECORD_TYPE = service.RECORD_TYPE


LISTING = Listing(
    name="sanctions-rounds",
    page_type=Page[SanctionsRoundRead],
    tiebreak=SanctionsRound.id,
    sorts=service.SORTS,
    default_sort=service.DEFAULT_SORT,
    read=each(service.to_read),
    options=service.load_options,
    facets=service.FACETS,
    exports=table_exports(specs.SANCTIONS_ROUND_COLUMNS)
    | {ExportFormat.ftm: Export(ftm.write_entities, prepare=ftm.sanctions_rounds)},
)


@router.get(
    "",
    summary="List sanctions rounds",
    response_model=Page[SanctionsRoundRead],
    responses=LISTING.responses(),
)
def list_sanctions_rounds(
    session: SessionDep,
    filters: SanctionsRoundFilterParams,
    listing: Annotated[ListRequest[SanctionsRoundRead], Depends(LISTING.parameters())],
) -> Page[SanctionsRoundRead] | Response:
    """Sanctions rounds, most recently announced first. Filters combine with AND; the values of
    a repeated filter with OR."""
    return listing.answer(session, service.list_query(session, filters))


@router.post(
    "",
    summary="Create a sanctions round",
    status_code=201,
    response_model=SanctionsRoundRead,
    responses=problem_responses(409, 422),
)
def create_sanctions_round(
    record: SanctionsRoundRecord, request: Request, response: Response, session: SessionDep
) -> SanctionsRoundRead:
    """Fields as in the bundle format; sectors and sources are named by key."""
    crud.create(session, RECORD_TYPE, record)
    response.headers["Location"] = str(request.url_for("get_sanctions_round", ref=record.key))
    return service.to_read(get_by_ref(session, RECORD_TYPE, record.key))


def _get(session: Session, ref: str) -> SanctionsRoundRead:
    """The record as its GET answers it; `If-Match` is checked against this."""
    return service.to_read(get_by_ref(session, RECORD_TYPE, ref))


@router.get(
    "/{ref}",
    summary="Get a sanctions round",
    response_model=SanctionsRoundRead,
    responses=problem_responses(404),
)
def get_sanctions_round(ref: RefPath, session: SessionDep) -> Response:
    """`ref` is the round's key or its integer id."""
    return preconditions.answer(_get(session, ref))


@router.patch(
    "/{ref}",
    summary="Change a sanctions round",
    response_model=SanctionsRoundRead,
    responses=problem_responses(404, 409, 412, 422, 428),
)
def patch_sanctions_round(
    ref: RefPath, changes: SanctionsRoundPatch, session: SessionDep, if_match: IfMatch
) -> Response:
    """Only the fields sent change; a list sent replaces the stored list whole."""
    current = partial(_get, session, ref)
    record = crud.patch(session, RECORD_TYPE, ref, changes, precondition=guard(if_match, current))
    return preconditions.answer(_get(session, record.key))


@router.delete(
    "/{ref}",
    summary="Delete a sanctions round",
    status_code=204,
    response_class=Response,
    responses=problem_responses(404, 409, 412, 428),
)
def delete_sanctions_round(ref: RefPath, session: SessionDep, if_match: IfMatch) -> None:
    """Refused with 409, naming them, while engagements refer to the round."""
    current = partial(_get, session, ref)
    crud.remove(session, RECORD_TYPE, ref, precondition=guard(if_match, current))
