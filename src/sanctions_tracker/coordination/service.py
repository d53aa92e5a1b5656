"""The coordination view: each round against a target beside the other jurisdictions' rounds
announced near it and the engagements that preceded it, with summaries per pair of jurisdictions
and per jurisdiction.

Rounds are few (tens of thousands at most, a target's fewer), so every round against the target
is read once, with its imposers and sectors, and the rounds near each other are found in Python
over the rounds sorted by day. Engagements can number millions and are never read whole:
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

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from statistics import median
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
from sanctions_tracker.coordination.schemas import (
    Coordination,
    CoordinationJurisdiction,
    CoordinationPair,
    CoordinationRound,
    PrecedingEngagement,
    RelatedRound,
    SharedSector,
)
from sanctions_tracker.enums import EngagementKind, EngagementStatus, RoundStatus
from sanctions_tracker.models import (
    Engagement,
    EngagementCountry,
    EngagementSanctionsRound,
    SanctionsRound,
    SanctionsRoundImposer,
    SanctionsRoundSector,
    SanctionsRoundTarget,
    Sector,
)
from sanctions_tracker.pagination import encode_cursor, keyset
from sanctions_tracker.sanctions_rounds import service as sanctions_rounds

DEFAULT_WINDOW = 14
MAX_WINDOW = 90
DEFAULT_LIMIT = 100
DEFAULT_ENGAGEMENT_LIMIT = 50
SHARED_SECTORS_LISTED = 5
IDS_PER_STATEMENT = 5_000
MASK_BITS = 62
"""How many jurisdictions an engagement's bit mask tells apart (SQL integers have 64 bits);
with more imposing jurisdictions than that, engagements are counted round by round instead."""

ORDER = keyset({"announced_on": SanctionsRound.announced_on}, "announced_on", SanctionsRound.id)
"""The focal rounds' order, announced_on then id, as the cursors record it."""


@dataclass
class _Round:
    id: int
    key: str
    title: str
    day: date
    status: str
    imposers: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)

    @property
    def position(self) -> tuple[date, int]:
        return self.day, self.id


@dataclass
class _Pair:
    lags: list[int] = field(default_factory=list)
    sectors: Counter[str] = field(default_factory=Counter)


def coordination(
    session: Session,
    target: str,
    filters: sanctions_rounds.SanctionsRoundFilters,
    *,
    window: int = DEFAULT_WINDOW,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    engagement_limit: int = DEFAULT_ENGAGEMENT_LIMIT,
) -> Coordination:
    after = ORDER.decode(cursor) if cursor is not None else None  # a bad cursor: 400 first
    focal_query = sanctions_rounds.list_query(session, replace(filters, target=[target]))
    focal_ids = set(session.scalars(focal_query.with_only_columns(SanctionsRound.id)))
    rounds = _rounds_against(session, target) if focal_ids else []
    focal = [round_ for round_ in rounds if round_.id in focal_ids]

    remaining = [round_ for round_ in focal if after is None or round_.position > after]
    page = remaining[:limit]
    next_cursor = None
    if len(remaining) > limit and page:
        next_cursor = encode_cursor(ORDER.sort, *page[-1].position)

    days = [round_.day for round_ in rounds]
    closest = _closest_leads(session, focal_query, focal, window)
    countries = sorted({code for round_ in page for code in round_.imposers})
    if len(countries) <= MASK_BITS:
        activity = _activity(session, countries, page, window)
        counts, since = activity.counts_and_bounds(page, window, engagement_limit)
        found = _preceding_engagements(session, page, window, engagement_limit, since)
        listed = {key: (found.get(key, ([], 0))[0], count) for key, count in counts.items()}
    else:
        listed = _preceding_engagements(session, page, window, engagement_limit)
    return Coordination(
        target=target,
        window=window,
        date_from=filters.date_from,
        date_to=filters.date_to,
        rounds=[
            _round_answer(round_, rounds, days, window, *listed.get(round_.id, ([], 0)))
            for round_ in page
        ],
        pairs=_pairs(focal, rounds, window),
        jurisdictions=_jurisdictions(focal, closest),
        total=len(focal),
        next_cursor=next_cursor,
    )


def _rounds_against(session: Session, target: str) -> list[_Round]:
    """Every round whose targets include `target`, whatever its status, by day then id."""
    ids = select(SanctionsRoundTarget.sanctions_round_id).where(
        SanctionsRoundTarget.country == target
    )
    rounds = {
        row.id: _Round(row.id, row.key, row.title, row.announced_on, row.status)
        for row in session.execute(
            select(
                SanctionsRound.id,
                SanctionsRound.key,
                SanctionsRound.title,
                SanctionsRound.announced_on,
                SanctionsRound.status,
            ).where(SanctionsRound.id.in_(ids))
        )
    }
    imposers = select(SanctionsRoundImposer.sanctions_round_id, SanctionsRoundImposer.country)
    for round_id, country in session.execute(
        imposers.where(SanctionsRoundImposer.sanctions_round_id.in_(ids)).order_by(
            SanctionsRoundImposer.sanctions_round_id, SanctionsRoundImposer.ordinal
        )
    ):
        rounds[round_id].imposers.append(country)
    sectors = select(SanctionsRoundSector.sanctions_round_id, Sector.key).join(
        Sector, Sector.id == SanctionsRoundSector.sector_id
    )
    for round_id, key in session.execute(
        sectors.where(SanctionsRoundSector.sanctions_round_id.in_(ids)).order_by(
            SanctionsRoundSector.sanctions_round_id, SanctionsRoundSector.ordinal
        )
    ):
        rounds[round_id].sectors.append(key)
    return sorted(rounds.values(), key=lambda round_: round_.position)


def _near(
    rounds: Sequence[_Round], days: Sequence[date], day: date, before: int, after: int
) -> Sequence[_Round]:
    """The rounds announced from `before` days before `day` to `after` days after it."""
    first = bisect_left(days, day - timedelta(days=before))
    last = bisect_right(days, day + timedelta(days=after))
    return rounds[first:last]


def _round_answer(
    round_: _Round,
    rounds: Sequence[_Round],
    days: Sequence[date],
    window: int,
    engagements: list[PrecedingEngagement],
    engagement_count: int,
) -> CoordinationRound:
    own = set(round_.imposers)
    related = [
        RelatedRound(
            key=other.key,
            title=other.title,
            announced_on=other.day,
            imposed_by=other.imposers,
            lag_days=(other.day - round_.day).days,
            shared_sectors=[key for key in round_.sectors if key in other.sectors],
            url=_round_url(other.key),
        )
        for other in _near(rounds, days, round_.day, window, window)
        if other.id != round_.id and not own.issuperset(other.imposers)
    ]
    related.sort(key=lambda item: (item.lag_days, item.key))
    return CoordinationRound(
        key=round_.key,
        title=round_.title,
        announced_on=round_.day,
        status=RoundStatus(round_.status),
        imposed_by=round_.imposers,
        sectors=round_.sectors,
        url=_round_url(round_.key),
        related_rounds=related,
        preceding_engagements=engagements,
        preceding_engagement_count=engagement_count,
    )


def _round_url(key: str) -> str:
    return f"/v1/sanctions-rounds/{key}"


def _pairs(
    focal: Sequence[_Round], rounds: Sequence[_Round], window: int
) -> list[CoordinationPair]:
    # The days of every round against the target, per imposer and per (imposer, sector): the
    # first round of a follower on or after a day, and whether one names a sector, are bisections.
    days: dict[str, list[date]] = defaultdict(list)
    sector_days: dict[tuple[str, str], list[date]] = defaultdict(list)
    for round_ in rounds:  # by day, so every list is sorted
        for code in round_.imposers:
            days[code].append(round_.day)
            for key in round_.sectors:
                sector_days[code, key].append(round_.day)

    def first_on_or_after(found: list[date], day: date) -> date | None:
        index = bisect_left(found, day)
        if index < len(found) and (found[index] - day).days <= window:
            return found[index]
        return None

    leader_rounds: Counter[str] = Counter()
    pairs: dict[tuple[str, str], _Pair] = defaultdict(_Pair)
    for round_ in focal:
        own = set(round_.imposers)
        leader_rounds.update(own)
        for follower, follower_days in days.items():
            # A follower is not an imposer of the round, so none of its rounds is this one.
            if (
                follower in own
                or (next_day := first_on_or_after(follower_days, round_.day)) is None
            ):
                continue
            shared = {
                key
                for key in round_.sectors
                if first_on_or_after(sector_days.get((follower, key), []), round_.day)
            }
            for leader in own:
                pair = pairs[leader, follower]
                pair.lags.append((next_day - round_.day).days)
                pair.sectors.update(shared)
    answer = [
        CoordinationPair(
            leader=leader,
            follower=follower,
            leader_rounds=leader_rounds[leader],
            times=len(pair.lags),
            median_lag_days=median(pair.lags),
            shared_sectors=_top_sectors(pair.sectors),
        )
        for (leader, follower), pair in pairs.items()
    ]
    answer.sort(key=lambda pair: (-pair.times, pair.leader, pair.follower))
    return answer


def _top_sectors(counts: Counter[str]) -> list[SharedSector]:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [SharedSector(sector=key, count=count) for key, count in ranked[:SHARED_SECTORS_LISTED]]


def _jurisdictions(
    focal: Sequence[_Round], closest: dict[int, int]
) -> list[CoordinationJurisdiction]:
    rounds: Counter[str] = Counter()
    leads: dict[str, list[int]] = defaultdict(list)
    for round_ in focal:
        rounds.update(round_.imposers)
        if round_.id in closest:
            for code in round_.imposers:
                leads[code].append(closest[round_.id])
    answer = [
        CoordinationJurisdiction(
            jurisdiction=code,
            rounds=count,
            preceded=len(leads[code]),
            preceded_share=len(leads[code]) / count,
            median_lead_days=median(leads[code]) if leads[code] else None,
        )
        for code, count in rounds.items()
    ]
    answer.sort(key=lambda item: (-item.rounds, item.jurisdiction))
    return answer


@dataclass
class _Activity:
    """How many engagements started on each day with each combination of the jurisdictions in
    `bits` among their parties (a bit mask), over the days the focal rounds' windows span."""

    bits: dict[str, int]
    days: dict[date, Counter[int]]

    def leads(self, round_: _Round, window: int) -> Iterator[tuple[int, int]]:
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
        self, page: Sequence[_Round], window: int, engagement_limit: int
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
    session: Session, countries: Sequence[str], page: Sequence[_Round], window: int
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


def _closest_leads(
    session: Session, focal_query: Select[Any], focal: Sequence[_Round], window: int
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


def _preceding_engagements(
    session: Session,
    page: Sequence[_Round],
    window: int,
    engagement_limit: int,
    since: dict[int, date] | None = None,
) -> dict[int, tuple[list[PrecedingEngagement], int]]:
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
    answer: dict[int, tuple[list[PrecedingEngagement], int]] = {
        row.round_id: ([], row.total) for row in rows
    }
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
