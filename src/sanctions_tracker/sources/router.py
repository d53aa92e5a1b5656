from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from sanctions_tracker import crud
from sanctions_tracker.db import SessionDep
from sanctions_tracker.enums import SourceKind
from sanctions_tracker.exports import specs
from sanctions_tracker.history import preconditions
from sanctions_tracker.history.preconditions import IfMatch, guard
from sanctions_tracker.listing import Listing, ListRequest, each, table_exports
from sanctions_tracker.models import Source
from sanctions_tracker.pagination import Page
from sanctions_tracker.params import IsoDate, RefPath, Storable, Text
from sanctions_tracker.problems import problem_responses
from sanctions_tracker.record_types import get_by_ref
from sanctions_tracker.routing import OneTripRoute
from sanctions_tracker.sources import service
from sanctions_tracker.sources.schemas import SourcePatch, SourceRead, SourceRecord

router = APIRouter(route_class=OneTripRoute, prefix="/v1/sources", tags=["sources"])
RECORD_TYPE = service.RECORD_TYPE


LISTING = Listing(
    name="sources",
    page_type=Page[SourceRead],
    tiebreak=Source.id,
    sorts=service.SORTS,
    default_sort=service.DEFAULT_SORT,
    read=each(service.to_read),
    facets=service.FACETS,
    exports=table_exports(specs.SOURCE_COLUMNS),
)


@router.get(
    "",
    summary="List sources",
    response_model=Page[SourceRead],
    responses=LISTING.responses(),
)
def list_sources(
    session: SessionDep,
    *,
    kind: Annotated[list[SourceKind] | None, Query(description="Any of these kinds")] = None,
    publisher: Annotated[
        str | None, Query(description="Text contained in the publisher"), Storable
    ] = None,
    date_from: Annotated[
        IsoDate | None, Query(alias="from", description="Published on or after (inclusive)")
    ] = None,
    date_to: Annotated[
        IsoDate | None, Query(alias="to", description="Published on or before (inclusive)")
    ] = None,
    q: Annotated[
        Text,
        Query(
            description="Full-text search in the title, publisher and authors, "
            "as in `/v1/search`: words in any form (`sanction` finds `sanctions`), "
            '`"a phrase"`, `adey*`, `oil OR gas`, `-gas`; a query that cannot be read is a 400',
        ),
    ] = None,
    listing: Annotated[ListRequest[SourceRead], Depends(LISTING.parameters())],
) -> Page[SourceRead] | Response:
    """The articles, statements, press releases and legal acts cited by records, newest first."""
    query = service.list_query(
        kind=kind, publisher=publisher, date_from=date_from, date_to=date_to, q=q
    )
    return listing.answer(session, query)


@router.post(
    "",
    summary="Create a source",
    status_code=201,
    response_model=SourceRead,
    responses=problem_responses(409, 422),
)
def create_source(
    record: SourceRecord, request: Request, response: Response, session: SessionDep
) -> SourceRead:
    """Fields as in the bundle format. A key that is already taken is a 409."""
    crud.create(session, RECORD_TYPE, record)
    response.headers["Location"] = str(request.url_for("get_source", ref=record.key))
    return service.to_read(get_by_ref(session, RECORD_TYPE, record.key))


def _get(session: Session, ref: str) -> SourceRead:
    """The record as its GET answers it; `If-Match` is checked against this."""
    return service.to_read(get_by_ref(session, RECORD_TYPE, ref))


@router.get(
    "/{ref}",
    summary="Get a source",
    response_model=SourceRead,
    responses=problem_responses(404),
)
def get_source(ref: RefPath, session: SessionDep) -> Response:
    """`ref` is the source's key or its integer id."""
    return preconditions.answer(_get(session, ref))


@router.patch(
    "/{ref}",
    summary="Change a source",
    response_model=SourceRead,
    responses=problem_responses(404, 409, 412, 422, 428),
)
def patch_source(
    ref: RefPath, changes: SourcePatch, session: SessionDep, if_match: IfMatch
) -> Response:
    """Only the fields sent change; a list sent replaces the stored list whole."""
    current = partial(_get, session, ref)
    record = crud.patch(session, RECORD_TYPE, ref, changes, precondition=guard(if_match, current))
    return preconditions.answer(_get(session, record.key))


@router.delete(
    "/{ref}",
    summary="Delete a source",
    status_code=204,
    response_class=Response,
    responses=problem_responses(404, 409, 412, 428),
)
def delete_source(ref: RefPath, session: SessionDep, if_match: IfMatch) -> None:
    """A source still cited by a round or an engagement is not deleted: 409 names the citers."""
    current = partial(_get, session, ref)
    crud.remove(session, RECORD_TYPE, ref, precondition=guard(if_match, current))
