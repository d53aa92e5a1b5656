"""The engagements that preceded each round: those starting in the `window` days up to its day
whose parties include one of its imposing jurisdictions. Engagements can number millions and are
never read whole:
- the summaries need only each focal round's closest engagement: for each (jurisdiction, day)
  of the focal rounds, one correlated subquery reads the engagements backwards from that day
  through their date index and stops at the first with that jurisdiction among its parties;
- the page's rounds get their counts from one pass per span of overlapping windows, which
  answers how many engagements started on each day with each combination of the page's
  jurisdictions among their parties (a bit mask), at most days x combinations rows; each day
  is read once however many windows hold it, where a join per round would read it once per
  round;
- from those counts each round knows the day by which its closest `engagement_limit` have
  started, and one query joins each round to the engagements from that day to its own whose
  parties include one of its imposers, ranking them per round with a window function.
A page imposed by more jurisdictions than a mask holds is counted round by round instead."""

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session

from sanctions_tracker.coordination.days import bytewise, days_before, days_between
from sanctions_tracker.coordination.rounds import Round
from sanctions_tracker.coordination.schemas import PrecedingEngagement
from sanctions_tracker.enums import EngagementKind, EngagementStatus
from sanctions_tracker.models import (
    Engagement,
    EngagementCountry,
    EngagementSanctionsRound,
    SanctionsRound,
    SanctionsRoundImposer,
)

IDS_PER_STATEMENT = 5_000
MASK_BITS = 62
"""How many jurisdictions an engagement's bit mask tells apart (SQL integers have 64 bits);
with more imposing jurisdictions than that, engagements are counted round by round instead."""

Listed = dict[int, tuple[list[PrecedingEngagement], int]]
"""Per round id: its closest preceding engagements, and how many there are in all."""


def preceding_engagements(
    session: Session, page: Sequence[Round], window: int, engagement_limit: int
) -> Listed:
    """The page's rounds' closest `engagement_limit` preceding engagements and their counts
    (rounds without any are left out)."""
    countries = sorted({code for round_ in page for code in round_.imposers})
    if len(countries) > MASK_BITS:
        return _listed(session, page, window, engagement_limit)
    activity = _activity(session, countries, page, window)
    counts, since = activity.counts_and_bounds(page, window, engagement_limit)
    found = _listed(session, page, window, engagement_limit, since)
    return {key: (found.get(key, ([], 0))[0], count) for key, count in counts.items()}


@dataclass
class _Activity:
    """How many engagements started on each day with each combination of the jurisdictions in
    `bits` among their parties (a bit mask), over the days the focal rounds' windows span."""

    bits: dict[str, int]
    days: dict[date, Counter[int]]

    def leads(self, round_: Round, window: int) -> Iterator[tuple[int, int]]:
        """(lead_days, preceding engagements starting that day) for each day of the round's
        window that has any, closest first."""
        mask = sum(self.bits[code] for code in round_.imposers)
        for lead in range(window + 1):
            on_day = self.days.get(round_.day - timedelta(days=lead))
            if on_day:
                number = sum(count for bits, count in on_day.items() if bits & mask)
                if number:
                    yield lead, number

    def counts_and_bounds(
        self, page: Sequence[Round], window: int, engagement_limit: int
    ) -> tuple[dict[int, int], dict[int, date]]:
        """Each round's preceding engagement count, and the first day that must be read for
        its closest `engagement_limit` (the day by which that many have started, going back),
        for the rounds with any to list."""
        counts: dict[int, int] = {}
        since: dict[int, date] = {}
        for round_ in page:
            total = 0
            for lead, number in self.leads(round_, window):
                total += number
                if round_.id not in since and engagement_limit and total >= engagement_limit:
                    since[round_.id] = round_.day - timedelta(days=lead)
            counts[round_.id] = total
            if total and engagement_limit and round_.id not in since:
                since[round_.id] = round_.day - timedelta(days=window)
        return counts, since


def _activity(
    session: Session, countries: Sequence[str], page: Sequence[Round], window: int
) -> _Activity:
    """One pass over the engagements starting in the page's rounds' windows (each day read
    once, however many of the windows hold it) whose parties include a jurisdiction imposing one of
    them; the answer is at most (days x combinations of jurisdictions) rows, however many
    engagements there are."""
    bits = {code: 1 << index for index, code in enumerate(countries)}
    bit = case(
        {code: literal(value, BigInteger()) for code, value in bits.items()},
        value=EngagementCountry.country,
        else_=literal(0, BigInteger()),
    )
    days: dict[date, Counter[int]] = defaultdict(Counter)
    # One statement per span: with the spans OR-ed, SQLite reads the whole date index.
    windows = [(round_.day - timedelta(days=window), round_.day, round_.id) for round_ in page]
    for first, last, _ in _merged(windows):
        for day, mask, number in session.execute(_masks_per_day(bit, first, last)):
            days[day][int(mask)] += number  # PostgreSQL sums bigints as numeric
    return _Activity(bits, days)


def _masks_per_day(bit: ColumnElement[Any], first: date, last: date) -> Select[Any]:
    """(day, mask, engagements) for the engagements starting from `first` to `last` with any of
    the jurisdictions `bit` gives a bit to among their parties."""
    # Each link row of an engagement is a different jurisdiction, so the sum is a bit mask.
    # The parties are not filtered in WHERE, which would tempt the planner to read every
    # engagement of the jurisdictions (by the country index) rather than the days' engagements.
    per_engagement = (
        select(Engagement.start_on.label("day"), func.sum(bit).label("mask"))
        .join(EngagementCountry, EngagementCountry.engagement_id == Engagement.id)
        .where(Engagement.start_on >= first, Engagement.start_on <= last)
        .group_by(Engagement.id, Engagement.start_on)
        .having(func.sum(bit) > 0)
        .subquery("per_engagement")
    )
    return select(per_engagement.c.day, per_engagement.c.mask, func.count()).group_by(
        per_engagement.c.day, per_engagement.c.mask
    )


def closest_leads(
    session: Session, focal_query: Select[Any], focal: Sequence[Round], window: int
) -> dict[int, int]:
    """Each focal round's smallest `lead_days`, for the rounds with a preceding engagement.

    For each (jurisdiction, day) of the focal rounds, the latest day an engagement of that
    jurisdiction started in the window before it: read backwards from the day through the
    engagements' date index, stopping at the first one of that jurisdiction."""
    if not focal:
        return {}
    days = (
        select(
            SanctionsRoundImposer.country.label("country"),
            SanctionsRound.announced_on.label("day"),
        )
        .join(SanctionsRound, SanctionsRound.id == SanctionsRoundImposer.sanctions_round_id)
        .where(SanctionsRound.id.in_(focal_query.with_only_columns(SanctionsRound.id)))
        .distinct()
        .subquery("days")
    )
    latest = (
        select(Engagement.start_on)
        .where(
            Engagement.start_on <= days.c.day,
            Engagement.start_on >= days_before(days.c.day, window),
            exists()
            .where(
                EngagementCountry.engagement_id == Engagement.id,
                EngagementCountry.country == days.c.country,
            )
            .correlate_except(EngagementCountry),  # `days` is two levels up
        )
        .order_by(Engagement.start_on.desc())
        .limit(1)
        .scalar_subquery()
    )
    found = {
        (country, day): (day - start_on).days
        for country, day, start_on in session.execute(
            select(days.c.country, days.c.day, latest.label("latest"))
        )
        if start_on is not None
    }
    closest: dict[int, int] = {}
    for round_ in focal:
        leads = [found[code, round_.day] for code in round_.imposers if (code, round_.day) in found]
        if leads:
            closest[round_.id] = min(leads)
    return closest


def _listed(
    session: Session,
    page: Sequence[Round],
    window: int,
    engagement_limit: int,
    since: dict[int, date] | None = None,
) -> Listed:
    """For each round of the page that has any: its closest `engagement_limit` preceding
    engagements and how many there are in all. With `since`, only the rounds it names are read,
    each from its day in `since` on, and the counts are of those days only."""
    if since is not None:
        page = [round_ for round_ in page if round_.id in since]
    firsts = {
        round_.id: since[round_.id] if since is not None else round_.day - timedelta(days=window)
        for round_ in page
    }
    rows: list[Any] = []
    # One statement per span of overlapping windows, which bounds the engagements read by
    # constant dates: PostgreSQL, given only each round's own bounds, reads them all.
    for first, last, ids in _merged([(firsts[r.id], r.day, r.id) for r in page]):
        rows += session.execute(
            _ranked(ids, {key: firsts[key] for key in ids}, first, last, engagement_limit)
        ).all()
    kept = [row for row in rows if row.rank <= engagement_limit]
    countries = _countries(session, [row.engagement_id for row in kept])
    answer: Listed = {row.round_id: ([], row.total) for row in rows}
    for row in sorted(kept, key=lambda row: (row.lead, row.key)):
        answer[row.round_id][0].append(
            PrecedingEngagement(
                key=row.key,
                title=row.title,
                kind=EngagementKind(row.kind),
                status=EngagementStatus(row.status),
                start_on=row.start_on,
                countries=countries[row.engagement_id],
                lead_days=row.lead,
                names_round=bool(row.names_round),
                url=f"/v1/engagements/{row.key}",
            )
        )
    return answer


def _ranked(
    ids: Sequence[int], firsts: dict[int, date], first: date, last: date, engagement_limit: int
) -> Select[Any]:
    """The preceding engagements of the rounds `ids`, each from its day in `firsts` to its
    own, all from `first` to `last`: ranked per round (closest first, then by key), counted,
    the first `engagement_limit` kept (or the first, for its count, when that is 0)."""
    rounds = (
        select(SanctionsRound.id, SanctionsRound.announced_on)
        .where(SanctionsRound.id.in_(ids))
        .subquery("focal")
    )
    first_day = case(
        {round_id: literal(day, Date()) for round_id, day in firsts.items()},
        value=rounds.c.id,
    )
    lead = days_between(rounds.c.announced_on, Engagement.start_on)
    # An engagement with two of the round's imposers among its parties counts once.
    by_an_imposer = exists().where(
        EngagementCountry.engagement_id == Engagement.id,
        SanctionsRoundImposer.sanctions_round_id == rounds.c.id,
        SanctionsRoundImposer.country == EngagementCountry.country,
    )
    ranked = (
        select(
            rounds.c.id.label("round_id"),
            Engagement.id.label("engagement_id"),
            lead.label("lead"),
            func.row_number()
            .over(partition_by=rounds.c.id, order_by=(lead, bytewise(Engagement.key)))
            .label("rank"),
            func.count().over(partition_by=rounds.c.id).label("total"),
        )
        .select_from(rounds)
        .join(
            Engagement,
            and_(
                Engagement.start_on >= first,
                Engagement.start_on <= last,
                Engagement.start_on >= first_day,
                Engagement.start_on <= rounds.c.announced_on,
            ),
        )
        .where(by_an_imposer)
        .subquery("ranked")
    )
    names_round = exists().where(
        EngagementSanctionsRound.engagement_id == ranked.c.engagement_id,
        EngagementSanctionsRound.sanctions_round_id == ranked.c.round_id,
    )
    return (
        select(
            ranked.c.round_id,
            ranked.c.engagement_id,
            ranked.c.lead,
            ranked.c.total,
            ranked.c.rank,
            Engagement.key,
            Engagement.title,
            Engagement.kind,
            Engagement.status,
            Engagement.start_on,
            names_round.label("names_round"),
        )
        .join(Engagement, Engagement.id == ranked.c.engagement_id)
        .where(ranked.c.rank <= max(engagement_limit, 1))
    )


def _merged(windows: Sequence[tuple[date, date, int]]) -> list[tuple[date, date, list[int]]]:
    """The (first, last, id) windows merged where they overlap or touch: (first, last, ids)."""
    spans: list[tuple[date, date, list[int]]] = []
    for first, last, key in sorted(windows):
        if spans and first <= spans[-1][1] + timedelta(days=1):
            spans[-1] = (spans[-1][0], max(last, spans[-1][1]), [*spans[-1][2], key])
        else:
            spans.append((first, last, [key]))
    return spans


def _countries(session: Session, engagement_ids: Sequence[int]) -> dict[int, list[str]]:
    """The parties of each engagement, in its order; read in chunks, since a page may list
    `limit` x `engagement_limit` of them, more than a statement may bind."""
    found: dict[int, list[str]] = defaultdict(list)
    wanted = sorted(set(engagement_ids))
    for start in range(0, len(wanted), IDS_PER_STATEMENT):
        chunk = wanted[start : start + IDS_PER_STATEMENT]
        for engagement_id, country in session.execute(
            select(EngagementCountry.engagement_id, EngagementCountry.country)
            .where(EngagementCountry.engagement_id.in_(chunk))
            .order_by(EngagementCountry.engagement_id, EngagementCountry.ordinal)
        ):
            found[engagement_id].append(country)
    return found
