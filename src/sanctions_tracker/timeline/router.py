from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from sanctions_tracker.db import SessionDep
from sanctions_tracker.pagination import DEFAULT_LIMIT, set_link_header
from sanctions_tracker.params import Codes, Cursor, Limit, Refs, Text, check_codes, check_refs
from sanctions_tracker.problems import ValidationFailed, field_error, problem_responses
from sanctions_tracker.timeline import service
from sanctions_tracker.timeline.schemas import ItemType, Order, TimelinePage

router = APIRouter(prefix="/v1/timeline", tags=["views"])


@router.get(
    "",
    summary="Engagements and sanctions rounds in one chronological stream",
    response_model=TimelinePage,
    responses=problem_responses(400, 422),
)
def timeline(
    request: Request,
    response: Response,
    session: SessionDep,
    order: Annotated[Order, Query(description="`desc`: latest first; `asc`: oldest first")] = (
        Order.desc
    ),
    types: Annotated[
        list[ItemType] | None, Query(alias="type", description="Only items of these types")
    ] = None,
    date_from: Annotated[
        date | None,
        Query(
            alias="from",
            description="Engagements whose span reaches this day or later; "
            "rounds announced on or after it (inclusive)",
        ),
    ] = None,
    date_to: Annotated[
        date | None,
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
) -> TimelinePage:
    """One stream of dated items: an engagement is dated by its `start_date`, a sanctions round
    by its `announced_on`. Items on the same day are ordered engagements first, then by id
    (reversed for `order=desc`). Each item has a `type` and the fields a dashboard card needs;
    follow `next_cursor` for more."""
    if date_from is not None and date_to is not None and date_to < date_from:
        raise ValidationFailed([field_error("/to", "`to` must not be before `from`", "query")])
    filters = service.TimelineFilters(
        types=types,
        country=check_codes(country, "country"),
        actor=check_refs(actor, "actor"),
        sector=check_refs(sector, "sector"),
        date_from=date_from,
        date_to=date_to,
        q=q,
    )
    page = service.page(session, filters, order, cursor, limit)
    set_link_header(request, response, page.next_cursor)
    return TimelinePage(items=list(page.rows), total=page.total, next_cursor=page.next_cursor)
