from collections.abc import Iterator
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from sanctions_tracker.db import SessionDep, StreamSessionDep
from sanctions_tracker.exports import specs
from sanctions_tracker.exports.csv_writer import write_csv
from sanctions_tracker.exports.formats import ExportFormat, file_content, negotiate
from sanctions_tracker.exports.geojson import write_geojson
from sanctions_tracker.exports.ics import write_ics
from sanctions_tracker.exports.ndjson import write_ndjson
from sanctions_tracker.exports.stream import download
from sanctions_tracker.listing import begin_snapshot
from sanctions_tracker.pagination import DEFAULT_LIMIT, check_span, set_link_header
from sanctions_tracker.params import (
    Codes,
    Cursor,
    IsoDate,
    Limit,
    Refs,
    Text,
    check_codes,
    check_refs,
)
from sanctions_tracker.problems import problem_responses
from sanctions_tracker.routing import OneTripRoute
from sanctions_tracker.timeline import service
from sanctions_tracker.timeline.schemas import ItemType, Order, TimelinePage

router = APIRouter(route_class=OneTripRoute, prefix="/v1/timeline", tags=["timeline"])


TimelineFormat = Literal["json", "csv", "ndjson", "geojson", "ics"]
"""The files a timeline is offered as: its items are not records, so not FtM or PLOVER."""
FORMATS = [ExportFormat(name) for name in get_args(TimelineFormat)]
FILE_NAME = "timeline"
FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The page, or every matching item as a file",
        "content": file_content(FORMATS[1:]),
    }
}
RESPONSES = FILES | problem_responses(400, 406, 422)


def _write(
    export_format: ExportFormat, session: Session, filters: service.TimelineFilters, order: Order
) -> Iterator[bytes]:
    """The file's bytes; maps and calendars hold the engagements among the items (the located
    ones for GeoJSON), CSV and NDJSON every item."""
    if export_format is ExportFormat.geojson:
        return write_geojson(
            service.every_engagement(session, filters, order), specs.engagement_feature
        )
    if export_format is ExportFormat.ics:
        return write_ics(
            service.every_engagement(session, filters, order),
            specs.engagement_event,
            "Sanctions tracker timeline",
        )
    if export_format is ExportFormat.csv:
        return write_csv(service.every_item(session, filters, order), specs.TIMELINE_COLUMNS)
    return write_ndjson(service.every_item(session, filters, order))


@router.get(
    "",
    summary="Engagements and sanctions rounds in one chronological stream",
    response_model=TimelinePage,
    responses=RESPONSES,
)
def timeline(
    request: Request,
    response: Response,
    session: SessionDep,
    stream_session: StreamSessionDep,
    order: Annotated[Order, Query(description="`desc`: latest first; `asc`: oldest first")] = (
        Order.desc
    ),
    types: Annotated[
        list[ItemType] | None, Query(alias="type", description="Only items of these types")
    ] = None,
    date_from: Annotated[
        IsoDate | None,
        Query(
            alias="from",
            description="Engagements whose span reaches this day or later; "
            "rounds announced on or after it (inclusive)",
        ),
    ] = None,
    date_to: Annotated[
        IsoDate | None,
        Query(
            alias="to",
            description="Engagements starting on or before this day; "
            "rounds announced on or before it (inclusive)",
        ),
    ] = None,
    country: Annotated[
        Codes,
        Query(description="A party to the engagement, or imposing or targeted in the round"),
    ] = None,
    actor: Annotated[
        Refs,
        Query(description="Engagements with this participant (rounds have none, so they drop)"),
    ] = None,
    sector: Annotated[
        Refs, Query(description="Naming this sector or any sector below it in the tree")
    ] = None,
    q: Annotated[Text, Query(description="Full-text search over the items' text")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    format: Annotated[
        TimelineFormat | None,
        Query(
            description="`json` (the default, one page); `csv` or `ndjson` (every matching item, "
            "not paged); `geojson` or `ics` (the located engagements among them as a map, or "
            "all of them as an all-day calendar). Without it, the `Accept` header chooses."
        ),
    ] = None,
) -> TimelinePage | Response:
    """One stream of dated items: an engagement is dated by its `start_date`, a sanctions round
    by its `announced_on`. Items on the same day are ordered engagements first, then by id
    (reversed for `order=desc`). Each item has a `type` and the fields a dashboard card needs;
    follow `next_cursor` for more, or ask for a file of every item with `format`."""
    check_span(date_from, date_to)
    filters = service.TimelineFilters(
        types=types,
        country=check_codes(country, "country"),
        actor=check_refs(actor, "actor"),
        sector=check_refs(sector, "sector"),
        date_from=date_from,
        date_to=date_to,
        q=q,
    )
    requested = ExportFormat(format) if format else None
    chosen = negotiate(requested, request.headers.get("accept"), FORMATS)
    if chosen is not ExportFormat.json:
        begin_snapshot(stream_session)
        return download(
            request,
            session,
            service.file_rows(session, filters),
            _write(chosen, stream_session, filters, order),
            chosen,
            FILE_NAME,
        )
    response.headers["Vary"] = "Accept"
    page = service.page(session, filters, order, cursor, limit)
    set_link_header(request, response, page.next_cursor)
    return TimelinePage(items=list(page.rows), total=page.total, next_cursor=page.next_cursor)
