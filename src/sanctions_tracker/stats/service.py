"""Counts of engagements and sanctions rounds per period and per value, holes filled with zeros.

One GROUP BY (date, value) query over the filtered records; dates are rolled up into periods in
Python, so both databases give the same answer without dialect date functions."""

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from sanctions_tracker.engagements import service as engagements
from sanctions_tracker.models import (
    Actor,
    Engagement,
    EngagementCountry,
    EngagementOrganization,
    EngagementParticipant,
    EngagementSector,
    EngagementTopic,
    Organization,
    SanctionsRound,
    SanctionsRoundImposer,
    SanctionsRoundMeasure,
    SanctionsRoundSector,
    SanctionsRoundTarget,
    Sector,
)
from sanctions_tracker.problems import FieldError, ValidationFailed, field_error
from sanctions_tracker.sanctions_rounds import service as sanctions_rounds
from sanctions_tracker.stats.periods import UNITS, Unit
from sanctions_tracker.stats.schemas import Stats, StatsBucket

MAX_DIMENSIONS = 2
MAX_BUCKETS = 10_000


@dataclass(frozen=True)
class Dimension:
    """A value of a record, reached through `joins` when it lives in a link table."""

    column: Any
    joins: Sequence[tuple[Any, Any]] = ()


@dataclass(frozen=True)
class Subject:
    """What is counted, the day that places it in time, and what it can be grouped by."""

    model: Any
    day: Any
    dimensions: dict[str, Dimension] = field(default_factory=dict)

    @property
    def allowed(self) -> list[str]:
        return [*UNITS, *self.dimensions]


ENGAGEMENTS = Subject(
    Engagement,
    Engagement.start_on,
    {
        "kind": Dimension(Engagement.kind),
        "status": Dimension(Engagement.status),
        "country": Dimension(
            EngagementCountry.country,
            [(EngagementCountry, EngagementCountry.engagement_id == Engagement.id)],
        ),
        "actor": Dimension(
            Actor.key,
            [
                (EngagementParticipant, EngagementParticipant.engagement_id == Engagement.id),
                (Actor, Actor.id == EngagementParticipant.actor_id),
            ],
        ),
        "organization": Dimension(
            Organization.key,
            [
                (EngagementOrganization, EngagementOrganization.engagement_id == Engagement.id),
                (Organization, Organization.id == EngagementOrganization.organization_id),
            ],
        ),
        "sector": Dimension(
            Sector.key,
            [
                (EngagementSector, EngagementSector.engagement_id == Engagement.id),
                (Sector, Sector.id == EngagementSector.sector_id),
            ],
        ),
        "topic": Dimension(
            EngagementTopic.topic,
            [(EngagementTopic, EngagementTopic.engagement_id == Engagement.id)],
        ),
    },
)


def _round_link(link: Any) -> tuple[Any, Any]:
    return link, link.sanctions_round_id == SanctionsRound.id


SANCTIONS_ROUNDS = Subject(
    SanctionsRound,
    SanctionsRound.announced_on,
    {
        "imposed_by": Dimension(
            SanctionsRoundImposer.country,
            [_round_link(SanctionsRoundImposer)],
        ),
        "target": Dimension(
            SanctionsRoundTarget.country,
            [_round_link(SanctionsRoundTarget)],
        ),
        "measure": Dimension(
            SanctionsRoundMeasure.measure,
            [_round_link(SanctionsRoundMeasure)],
        ),
        "sector": Dimension(
            Sector.key,
            [
                _round_link(SanctionsRoundSector),
                (Sector, Sector.id == SanctionsRoundSector.sector_id),
            ],
        ),
        "status": Dimension(SanctionsRound.status),
    },
)


def parse_group_by(values: Sequence[str], subject: Subject) -> list[str]:
    """The dimension names, from repeated parameters and comma-separated lists alike.

    Error pointers count the names after splitting (`group_by=month,kind` names `/group_by/1`
    for `kind`)."""
    names = [name.strip() for value in values for name in value.split(",")]
    allowed = subject.allowed
    errors: list[FieldError] = []
    for index, name in enumerate(names):
        earlier = names[:index]
        if name not in allowed:
            message = f"unknown dimension {name!r}; choose from {', '.join(allowed)}"
        elif name in earlier:
            message = f"{name!r} is named twice"
        elif name in UNITS and any(other in UNITS for other in earlier):
            message = f"at most one time dimension ({', '.join(UNITS)}) at a time"
        elif index >= MAX_DIMENSIONS:
            message = f"at most {MAX_DIMENSIONS} dimensions; {name!r} is one too many"
        else:
            continue
        errors.append(field_error(f"/group_by/{index}", message, "query"))
    if errors:
        raise ValidationFailed(errors)
    return names


def engagement_stats(
    session: Session, filters: engagements.EngagementFilters, group_by: Sequence[str]
) -> Stats:
    names = parse_group_by(group_by, ENGAGEMENTS)
    ids = engagements.list_query(session, filters).with_only_columns(Engagement.id)
    return count(session, ENGAGEMENTS, ids, names, filters.date_from, filters.date_to)


def sanctions_round_stats(
    session: Session, filters: sanctions_rounds.SanctionsRoundFilters, group_by: Sequence[str]
) -> Stats:
    names = parse_group_by(group_by, SANCTIONS_ROUNDS)
    ids = sanctions_rounds.list_query(session, filters).with_only_columns(SanctionsRound.id)
    return count(session, SANCTIONS_ROUNDS, ids, names, filters.date_from, filters.date_to)


Values = tuple[str, ...]


def count(
    session: Session,
    subject: Subject,
    ids: Select[Any],
    names: list[str],
    date_from: date | None,
    date_to: date | None,
) -> Stats:
    """Counts of the records whose ids `ids` selects, per bucket of `names`."""
    unit = next((UNITS[name] for name in names if name in UNITS), None)
    dimensions = [subject.dimensions[name] for name in names if name not in UNITS]
    in_sql = unit is not None and unit.sql is not None
    columns: list[Any] = []
    if unit is not None:
        columns.append(unit.sql(subject.day).label("period") if unit.sql else subject.day)
    columns += [dimension.column for dimension in dimensions]
    query = select(*columns, func.count()).select_from(subject.model)
    for dimension in dimensions:
        for target, onclause in dimension.joins:
            query = query.join(target, onclause)
    query = _of(query, subject, ids).group_by(*columns)

    counts: Counter[tuple[int, Values]] = Counter()
    for row in session.execute(query):
        keys: list[Any] = list(row)
        number: int = keys.pop()
        period = 0
        if unit is not None:
            when = keys.pop(0)
            period = int(when) if in_sql else unit.number(when)
        counts[(period, tuple(str(value) for value in keys))] += number

    if unit is None:
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0][1]))
        buckets = [_bucket(names, None, 0, values, number) for (_, values), number in ranked]
        return Stats(group_by=names, buckets=buckets)

    span = _span(session, subject, ids, date_from, date_to)
    if span is None:
        return Stats(group_by=names, buckets=[])
    first, last = unit.number(span[0]), unit.number(span[1])
    # Every series runs over every period: the values seen anywhere in the answer.
    series = sorted({values for _, values in counts}) if dimensions else [()]
    size = (last - first + 1) * len(series)
    if size > MAX_BUCKETS:
        raise _too_many(unit, first, last, len(series) if dimensions else None, size)
    buckets = [
        _bucket(names, unit, period, values, counts.get((period, values), 0))
        for period in range(first, last + 1)
        for values in series
    ]
    return Stats(group_by=names, buckets=buckets)


def _span(
    session: Session,
    subject: Subject,
    ids: Select[Any],
    date_from: date | None,
    date_to: date | None,
) -> tuple[date, date] | None:
    """The days to fill: from `from` (or the first matching record, when earlier or when there
    is no `from`) to `to` (or the last matching record, when later or when there is no `to`)."""
    first, last = session.execute(
        _of(select(func.min(subject.day), func.max(subject.day)), subject, ids)
    ).one()
    if first is None:
        return (date_from, date_to) if date_from and date_to else None
    return min(filter(None, (date_from, first))), max(filter(None, (date_to, last)))


def _of(query: Select[Any], subject: Subject, ids: Select[Any]) -> Select[Any]:
    """`query` kept to the records `ids` selects; all of them need no condition at all."""
    if ids.whereclause is None:
        return query
    return query.where(subject.model.id.in_(ids))


def _bucket(
    names: list[str], unit: Unit | None, period: int, values: Values, number: int
) -> StatsBucket:
    remaining: Iterator[str] = iter(values)
    key = {
        name: unit.label(period) if unit and name == unit.name else next(remaining)
        for name in names
    }
    return StatsBucket(key=key, count=number)


def _too_many(unit: Unit, first: int, last: int, values: int | None, size: int) -> ValidationFailed:
    periods = f"{last - first + 1:,} {unit.name}s from {unit.label(first)} to {unit.label(last)}"
    times = f" for each of {values:,} values" if values is not None else ""
    return ValidationFailed(
        [
            field_error(
                "/group_by",
                f"the answer would hold {size:,} buckets ({periods}{times}), more than "
                f"{MAX_BUCKETS:,}: narrow the range with `from` and `to` or other filters, "
                "or group by a coarser unit (week, month, quarter, year)",
                "query",
            )
        ]
    )
