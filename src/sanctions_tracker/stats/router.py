from typing import Annotated, Any

from fastapi import APIRouter, Query

from sanctions_tracker.db import SessionDep
from sanctions_tracker.engagements.dependencies import EngagementFilterParams
from sanctions_tracker.problems import problem_responses
from sanctions_tracker.routing import OneTripRoute
from sanctions_tracker.sanctions_rounds.dependencies import SanctionsRoundFilterParams
from sanctions_tracker.stats import service
from sanctions_tracker.stats.schemas import Stats

router = APIRouter(route_class=OneTripRoute, prefix="/v1/stats", tags=["stats"])


def _group_by(subject: service.Subject, examples: dict[str, list[str]]) -> Any:
    names = ", ".join(f"`{name}`" for name in subject.allowed)
    return Query(
        description=f"One or two of {names}; comma-separated (`month,kind`) or repeated "
        "(`group_by=month&group_by=kind`). At most one of them a time unit.",
        openapi_examples={
            "+".join(value): {"summary": summary, "value": value}
            for summary, value in examples.items()
        },
    )


EngagementGroupBy = Annotated[
    list[str],
    _group_by(
        service.ENGAGEMENTS,
        {
            "per month": ["month"],
            "per ISO week and kind": ["week", "kind"],
            "per actor": ["actor"],
        },
    ),
]
SanctionsRoundGroupBy = Annotated[
    list[str],
    _group_by(
        service.SANCTIONS_ROUNDS,
        {
            "per month and imposing jurisdiction": ["month", "imposed_by"],
            "per quarter": ["quarter"],
            "per measure": ["measure"],
        },
    ),
]

COMMON = """
Time units: `day` (`2022-03-28`), `week` (ISO 8601 week of its ISO year: 2021-01-03 falls in
`2020-W53`), `month` (`2022-03`), `quarter` (`2022-Q1`), `year` (`2022`).

A record counts once in every bucket it belongs to: one with two values of a multi-valued
dimension counts under each, and with two dimensions once per combination, so the counts can add
up to more than the number of records. A record with no value for a dimension (no actor, no
sector) is in none of its buckets. A `sector` bucket counts the records naming that very sector;
records naming only a sector below it count under that one, not under its parent (the `sector`
*filter*, by contrast, includes the sectors below).

The filters decide which records count; values of the grouped dimension beyond the filtered one
still appear (`country=US&group_by=country` counts the other parties of US engagements too).

**Holes are filled.** With a time unit the periods run without gaps, each with its count or 0:
from the period of `from` (or of the first matching record, when it is earlier or `from` is not
given) to the period of `to` (or of the last matching record, when it is later or `to` is not
given). With a second dimension, every period holds a bucket for every value of it that occurs
anywhere in the answer. When nothing matches, the periods of `from` to `to` are zero-filled if both
are given, otherwise the answer is empty. Without a time unit nothing is filled in.

**Order:** by period, then by the other value; without a time unit, by count (highest first),
then by value.

A request needing more than 10,000 buckets is refused with a 422: narrow the range or use a
coarser unit. An unknown, repeated or third dimension, or a second time unit, is a 422 pointing at
`/group_by/N` (N counts names after splitting on commas).
"""


ENGAGEMENTS = (
    """Engagements counted per `group_by` bucket, with the engagement list's filters.

An engagement is placed in time by its `start_date`. `from`/`to` keep, as in the list, the
engagements whose span overlaps the range, so one that started before `from` counts in the
period of its start, and the filled periods reach back to it.
"""
    + COMMON
)

SANCTIONS_ROUNDS = (
    """Sanctions rounds counted per `group_by` bucket, with the round list's filters.

A round is placed in time by its `announced_on` date; `from`/`to` bound that date (inclusive).
A round imposed by two jurisdictions counts once for each under `imposed_by`.
"""
    + COMMON
)


@router.get(
    "/engagements",
    summary="Count engagements per period and value",
    description=ENGAGEMENTS,
    response_model=Stats,
    responses=problem_responses(400, 422),
)
def engagement_stats(
    session: SessionDep, filters: EngagementFilterParams, group_by: EngagementGroupBy
) -> Stats:
    return service.engagement_stats(session, filters, group_by)


@router.get(
    "/sanctions-rounds",
    summary="Count sanctions rounds per period and value",
    description=SANCTIONS_ROUNDS,
    response_model=Stats,
    responses=problem_responses(400, 422),
)
def sanctions_round_stats(
    session: SessionDep, filters: SanctionsRoundFilterParams, group_by: SanctionsRoundGroupBy
) -> Stats:
    return service.sanctions_round_stats(session, filters, group_by)
