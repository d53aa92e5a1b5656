from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from sanctions_tracker import crud
from sanctions_tracker.db import SessionDep
from sanctions_tracker.engagements import reader, service
from sanctions_tracker.engagements.dependencies import EngagementFilterParams
from sanctions_tracker.engagements.schemas import (
    EngagementPatch,
    EngagementRead,
    EngagementRecord,
)
from sanctions_tracker.exports import ftm, plover, specs
from sanctions_tracker.exports.formats import ExportFormat
from sanctions_tracker.exports.geojson import write_geojson
from sanctions_tracker.exports.ics import write_ics
from sanctions_tracker.history import preconditions
from sanctions_tracker.history.preconditions import IfMatch, guard
from sanctions_tracker.listing import Export, Listing, ListRequest, table_exports
from sanctions_tracker.models import Engagement
from sanctions_tracker.pagination import Page
from sanctions_tracker.params import RefPath
from sanctions_tracker.problems import problem_responses
from sanctions_tracker.routing import OneTripRoute

router = APIRouter(route_class=OneTripRoute, prefix="/v1/engagements", tags=["engagements"])
RECORD_TYPE = service.RECORD_TYPE


LISTING = Listing(
    name="engagements",
    page_type=Page[EngagementRead],
    tiebreak=Engagement.id,
    sorts=service.SORTS,
    default_sort=service.DEFAULT_SORT,
    read=reader.read_rows,
    columns=tuple(Engagement.__table__.c),
    documents=reader.documents,
    facets=service.FACETS,
    exports=table_exports(specs.ENGAGEMENT_COLUMNS)
    | {
        ExportFormat.geojson: Export(
            partial(write_geojson, feature=specs.engagement_feature),
            where=Engagement.location_latitude.is_not(None),
        ),
        ExportFormat.ics: Export(
            partial(write_ics, event=specs.engagement_event, name="Sanctions tracker engagements")
        ),
        ExportFormat.ftm: Export(ftm.write_entities, prepare=ftm.engagements),
        ExportFormat.plover: Export(
            plover.write_events,
            where=Engagement.kind.in_(plover.CONSULTATIONS),
            prepare=plover.events,
        ),
    },
)


@router.get(
    "",
    summary="List engagements",
    response_model=Page[EngagementRead],
    responses=LISTING.responses(),
)
def list_engagements(
    session: SessionDep,
    filters: EngagementFilterParams,
    listing: Annotated[ListRequest[EngagementRead], Depends(LISTING.parameters())],
) -> Page[EngagementRead] | Response:
    """Engagements, latest first. `from`/`to` keep those whose dates overlap the range (both
    bounds inclusive; an engagement without `end_date` lasts one day). Filters combine with AND;
    the values of a repeated filter with OR."""
    return listing.answer(session, service.list_query(session, filters))


@router.post(
    "",
    summary="Create an engagement",
    status_code=201,
    response_model=EngagementRead,
    responses=problem_responses(409, 422),
)
def create_engagement(
    record: EngagementRecord, request: Request, response: Response, session: SessionDep
) -> EngagementRead:
    """Fields as in the bundle format; references are keys. A trip's legs name it as `parent`.
    A location's coordinates, when left out, are filled from the gazetteer."""
    crud.create(session, RECORD_TYPE, record)
    response.headers["Location"] = str(request.url_for("get_engagement", ref=record.key))
    return _get(session, record.key)


def _get(session: Session, ref: str) -> EngagementRead:
    """The record as its GET answers it; `If-Match` is checked against this."""
    return reader.read_ref(session, RECORD_TYPE, ref)


@router.get(
    "/{ref}",
    summary="Get an engagement",
    response_model=EngagementRead,
    responses=problem_responses(404),
)
def get_engagement(ref: RefPath, session: SessionDep) -> Response:
    """`ref` is the engagement's key or its integer id. A trip lists its `legs`."""
    return preconditions.answer_document(reader.document_ref(session, RECORD_TYPE, ref))


@router.patch(
    "/{ref}",
    summary="Change an engagement",
    response_model=EngagementRead,
    responses=problem_responses(404, 409, 412, 422, 428),
)
def patch_engagement(
    ref: RefPath, changes: EngagementPatch, session: SessionDep, if_match: IfMatch
) -> Response:
    """Only the fields sent change; a list sent replaces the stored list whole. A parent that
    would make the engagement its own ancestor is a 422."""
    current = partial(_get, session, ref)
    record = crud.patch(session, RECORD_TYPE, ref, changes, precondition=guard(if_match, current))
    return preconditions.answer(_get(session, record.key))


@router.delete(
    "/{ref}",
    summary="Delete an engagement",
    status_code=204,
    response_class=Response,
    responses=problem_responses(404, 409, 412, 428),
)
def delete_engagement(ref: RefPath, session: SessionDep, if_match: IfMatch) -> None:
    """A trip whose legs still name it as parent is not deleted: 409 names the legs."""
    current = partial(_get, session, ref)
    crud.remove(session, RECORD_TYPE, ref, precondition=guard(if_match, current))
