"""The coordination view: each round against a target beside the other jurisdictions' rounds
announced near it and the engagements that preceded it, with summaries per pair of jurisdictions
and per jurisdiction.

Rounds are few (tens of thousands at most, a target's fewer), so every round against the target
is read once, with its imposers and sectors, and the rounds near each other are found in Python
over the rounds sorted by day (`rounds`); the engagements, which can number millions, are read by
`preceding`."""

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from statistics import median

from sqlalchemy.orm import Session

from sanctions_tracker.coordination import preceding
from sanctions_tracker.coordination.rounds import Round, near, rounds_against
from sanctions_tracker.coordination.schemas import (
    Coordination,
    CoordinationJurisdiction,
    CoordinationPair,
    CoordinationRound,
    PrecedingEngagement,
    RelatedRound,
    SharedSector,
)
from sanctions_tracker.enums import RoundStatus
from sanctions_tracker.models import SanctionsRound
from sanctions_tracker.pagination import encode_cursor, keyset
from sanctions_tracker.sanctions_rounds import service as sanctions_rounds

DEFAULT_WINDOW = 14
MAX_WINDOW = 90
DEFAULT_LIMIT = 100
DEFAULT_ENGAGEMENT_LIMIT = 50
SHARED_SECTORS_LISTED = 5

ORDER = keyset({"announced_on": SanctionsRound.announced_on}, "announced_on", SanctionsRound.id)
"""The focal rounds' order, announced_on then id, as the cursors record it."""


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
    rounds = rounds_against(session, target) if focal_ids else []
    focal = [round_ for round_ in rounds if round_.id in focal_ids]

    remaining = [round_ for round_ in focal if after is None or round_.position > after]
    page = remaining[:limit]
    next_cursor = None
    if len(remaining) > limit and page:
        next_cursor = encode_cursor(ORDER.sort, *page[-1].position)

    days = [round_.day for round_ in rounds]
    closest = preceding.closest_leads(session, focal_query, focal, window)
    listed = preceding.preceding_engagements(session, page, window, engagement_limit)
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


def _round_answer(
    round_: Round,
    rounds: Sequence[Round],
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
        for other in near(rounds, days, round_.day, window, window)
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


def _pairs(focal: Sequence[Round], rounds: Sequence[Round], window: int) -> list[CoordinationPair]:
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
    focal: Sequence[Round], closest: dict[int, int]
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
