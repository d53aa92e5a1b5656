"""The rounds against one target, read once with their imposers and sectors, and found near a
day by bisection over their sorted days."""

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanctions_tracker.models import (
    SanctionsRound,
    SanctionsRoundImposer,
    SanctionsRoundSector,
    SanctionsRoundTarget,
    Sector,
)


@dataclass
class Round:
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


def rounds_against(session: Session, target: str) -> list[Round]:
    """Every round whose targets include `target`, whatever its status, by day then id."""
    ids = select(SanctionsRoundTarget.sanctions_round_id).where(
        SanctionsRoundTarget.country == target
    )
    rounds = {
        row.id: Round(row.id, row.key, row.title, row.announced_on, row.status)
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


def near(
    rounds: Sequence[Round], days: Sequence[date], day: date, before: int, after: int
) -> Sequence[Round]:
    """The rounds announced from `before` days before `day` to `after` days after it."""
    first = bisect_left(days, day - timedelta(days=before))
    last = bisect_right(days, day + timedelta(days=after))
    return rounds[first:last]
