from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from sanctions_tracker import crud
from sanctions_tracker.db import SessionDep
from sanctions_tracker.engagements import service
from sanctions_tracker.engagements.dependencies import EngagementFilterParams
from sanctions_tracker.engagements.schemas import (
    EngagementPatch,
    EngagementRead,
    EngagementRecord,
)
from sanctions_tracker.models import Engagement
from sanctions_tracker.pagination import DEFAULT_LIMIT, Page, answer_page, paginate
from sanctions_tracker.params import (
    Cursor,
    Limit,
    RefPath,
    sort_description,
)
from sanctions_tracker.problems import problem_responses
from sanctions_tracker.record_types import get_by_ref

router = APIRouter(prefix="/v1/engagements", tags=["engagements"])
RECORD_TYPE = service.RECORD_TYPE


@router.get(
    "",
    summary="List engagements",
    response_model=Page[EngagementRead],
    responses=problem_responses(400, 422),
)
def list_engagements(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: EngagementFilterParams,
    sort: Annotated[str, Query(description=sort_description(service.SORTS))] = service.DEFAULT_SORT,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[EngagementRead]:
    """Engagements, latest first. `from`/`to` keep those whose dates overlap the range (both
    bounds inclusive; an engagement without `end_date` lasts one day). Filters combine with AND;
    the values of a repeated filter with OR."""
    query = service.list_query(session, filters)
    page = paginate(
        session,
        query,
        tiebreak=Engagement.id,
        sorts=service.SORTS,
        sort=sort,
        cursor=cursor,
        limit=limit,
        options=service.read_options(),
    )
    return answer_page(request, response, Page[EngagementRead], page, service.to_read)


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
    return service.to_read(get_by_ref(session, RECORD_TYPE, record.key, service.read_options()))


@router.get(
    "/{ref}",
    summary="Get an engagement",
    response_model=EngagementRead,
    responses=problem_responses(404),
)
def get_engagement(ref: RefPath, session: SessionDep) -> EngagementRead:
    """`ref` is the engagement's key or its integer id. A trip lists its `legs`."""
    return service.to_read(get_by_ref(session, RECORD_TYPE, ref, service.read_options()))


@router.patch(
    "/{ref}",
    summary="Change an engagement",
    response_model=EngagementRead,
    responses=problem_responses(404, 409, 422),
)
def patch_engagement(ref: RefPath, changes: EngagementPatch, session: SessionDep) -> EngagementRead:
    """Only the fields sent change; a list sent replaces the stored list whole. A parent that
    would make the engagement its own ancestor is a 422."""
    record = crud.patch(session, RECORD_TYPE, ref, changes)
    return service.to_read(get_by_ref(session, RECORD_TYPE, record.key, service.read_options()))


@router.delete(
    "/{ref}",
    summary="Delete an engagement",
    status_code=204,
    response_class=Response,
    responses=problem_responses(404, 409),
)
def delete_engagement(ref: RefPath, session: SessionDep) -> None:
    """A trip whose legs still name it as parent is not deleted: 409 names the legs."""
    crud.remove(session, RECORD_TYPE, ref)
