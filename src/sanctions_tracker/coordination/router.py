from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from sanctions_tracker.coordination import service
from sanctions_tracker.coordination.schemas import Coordination
from sanctions_tracker.db import SessionDep
from sanctions_tracker.pagination import MAX_LIMIT, check_span, set_link_header
from sanctions_tracker.params import Codes, Cursor, IsoDate, Refs, check_codes, check_refs
from sanctions_tracker.problems import ValidationFailed, field_error, problem_responses
from sanctions_tracker.routing import OneTripRoute
from sanctions_tracker.sanctions_rounds.service import SanctionsRoundFilters

router = APIRouter(route_class=OneTripRoute, prefix="/v1/coordination", tags=["coordination"])


def _one_code(request: Request, value: str) -> str:
    """The target as the other code filters check it, its problem pointing at `/target`; a
    repeated target is refused rather than read as its last value."""
    if len(request.query_params.getlist("target")) > 1:
        message = "give exactly one target; the view compares jurisdictions against one country"
        raise ValidationFailed([field_error("/target", message, "query")])
    try:
        (code,) = check_codes([value], "target") or [value]
    except ValidationFailed as failed:
        errors = [error.model_copy(update={"pointer": "/target"}) for error in failed.errors or []]
        raise ValidationFailed(errors) from None
    return code


@router.get(
    "",
    summary="Who moves together against a target, and who talked first",
    response_model=Coordination,
    responses=problem_responses(400, 422),
)
def coordination(
    request: Request,
    response: Response,
    session: SessionDep,
    target: Annotated[
        str,
        Query(
            description="The targeted country: one ISO 3166-1 alpha-2 code, or EU "
            "(case-insensitive)",
            examples=["RU"],
        ),
    ],
    window: Annotated[
        int,
        Query(
            ge=0,
            le=service.MAX_WINDOW,
            description=f"Days either side of a round (0 to {service.MAX_WINDOW}): how far "
            "apart two rounds may be to count as related, and how many days before a round an "
            "engagement may start to count as preceding it",
        ),
    ] = service.DEFAULT_WINDOW,
    date_from: Annotated[
        IsoDate | None,
        Query(alias="from", description="Focal rounds announced on or after (inclusive)"),
    ] = None,
    date_to: Annotated[
        IsoDate | None,
        Query(alias="to", description="Focal rounds announced on or before (inclusive)"),
    ] = None,
    imposed_by: Annotated[
        Codes, Query(description="Focal rounds imposed by any of these jurisdictions")
    ] = None,
    sector: Annotated[
        Refs,
        Query(description="Focal rounds targeting this sector or any sector below it in the tree"),
    ] = None,
    limit: Annotated[
        int,
        Query(
            ge=0,
            le=MAX_LIMIT,
            description=f"Focal rounds per page, at most {MAX_LIMIT}; 0 answers only the "
            "summaries and `total`",
        ),
    ] = service.DEFAULT_LIMIT,
    cursor: Cursor = None,
    engagement_limit: Annotated[
        int,
        Query(
            ge=0,
            le=MAX_LIMIT,
            description=f"Preceding engagements listed per round, closest first, at most "
            f"{MAX_LIMIT} (`preceding_engagement_count` always counts them all)",
        ),
    ] = service.DEFAULT_ENGAGEMENT_LIMIT,
) -> Coordination:
    """For the sanctions rounds against one target: which other jurisdictions acted against the
    same target around the same days, and which engagements of the imposing jurisdictions came
    just before. All days are calendar days; every bound below is inclusive.

    **Focal rounds** are the rounds whose targets include `target` and that match `from`, `to`,
    `imposed_by` and `sector`, which mean exactly what they mean on `/v1/sanctions-rounds`
    (`from`/`to` bound `announced_on`; `sector` includes the sectors below). `rounds` pages
    through them by `announced_on`, then id; follow `next_cursor` (or the `Link: rel="next"`
    header) with the other parameters unchanged. `pairs` and `jurisdictions` always summarise
    every focal round, whichever page is asked for.

    **`related_rounds`** of a focal round R: every other round against the same target (any
    status; not narrowed by `from`, `to`, `imposed_by` or `sector`) announced at most `window`
    days before or after R, with at least one imposing jurisdiction that is not one of R's.
    `lag_days` is its `announced_on` minus R's (negative: it came first; 0: the same day).
    `shared_sectors` are the sector keys both rounds name, matched exactly (a parent sector does
    not match its children), in R's order. Ordered by `lag_days`, then key.

    **`preceding_engagements`** of R: engagements of any status (trips and each of their legs
    count as engagements of their own) starting from `window` days before R's `announced_on` up
    to that very day, whose `countries` include at least one of R's imposing jurisdictions.
    `lead_days` is R's `announced_on` minus the engagement's `start_on` (0 to `window`);
    `names_round` tells whether the engagement lists R in its `sanctions_rounds`. The closest
    `engagement_limit` are listed (by `lead_days`, then key); `preceding_engagement_count`
    counts all of them.

    **`pairs`**: for each ordered pair of jurisdictions A (leader) and B (follower):
    `leader_rounds` counts the focal rounds A imposed; `times` counts those of them, not also
    imposed by B, that B followed with a round of its own against the target 0 to `window` days
    later (the same day counts as following); `median_lag_days` is the median, over those times,
    of the days to B's first such round (with an even number of times, the mean of the middle
    two); `shared_sectors` counts, for each sector key, how many of those times R shared it with
    any of B's following rounds (the 5 most frequent, then by key). Only pairs with `times` of at
    least 1 are listed: by `times` (highest first), then leader, then follower.

    **`jurisdictions`**: each jurisdiction imposing a focal round, alone or jointly, with how
    many focal rounds it imposed (`rounds`), how many of those had at least one preceding
    engagement as defined above (`preceded`, and `preceded_share` = `preceded` / `rounds`), and
    the median, over those preceded rounds, of the closest engagement's `lead_days`. Ordered by
    `rounds` (highest first), then code.

    A `target` or `imposed_by` code that does not exist, more than one `target`, a `window`
    outside 0 to 90, or `to` before `from` is a 422; a cursor this endpoint did not issue is a
    400. A `sector` that does not exist matches no round, as on the sanctions-round list."""
    filters = SanctionsRoundFilters(
        imposed_by=check_codes(imposed_by, "imposed_by"),
        sector=check_refs(sector, "sector"),
        date_from=date_from,
        date_to=date_to,
    )
    check_span(date_from, date_to)
    answer = service.coordination(
        session,
        _one_code(request, target),
        filters,
        window=window,
        cursor=cursor,
        limit=limit,
        engagement_limit=engagement_limit,
    )
    set_link_header(request, response, answer.next_cursor)
    return answer
