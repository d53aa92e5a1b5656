import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from sanctions_tracker.engagements.schemas import Location, ParticipantRead
from sanctions_tracker.enums import (
    DatePrecision,
    EngagementKind,
    EngagementStatus,
    Measure,
    RoundStatus,
)
from sanctions_tracker.fields import Ref


class ItemType(StrEnum):
    engagement = "engagement"
    sanctions_round = "sanctions_round"


class Order(StrEnum):
    desc = "desc"
    asc = "asc"


class EngagementItem(BaseModel):
    """An engagement on the timeline, dated by its start."""

    type: Literal["engagement"] = "engagement"
    date: dt.date
    id: int
    key: str
    title: str
    summary: str | None
    kind: EngagementKind
    status: EngagementStatus
    start_date: dt.date
    end_date: dt.date | None
    date_precision: DatePrecision
    location: Location | None
    countries: list[str]
    participants: list[ParticipantRead]
    organizations: list[Ref]
    sectors: list[Ref]
    parent: Ref | None


class SanctionsRoundItem(BaseModel):
    """A sanctions round on the timeline, dated by its announcement."""

    type: Literal["sanctions_round"] = "sanctions_round"
    date: dt.date
    id: int
    key: str
    title: str
    summary: str | None
    status: RoundStatus
    announced_on: dt.date
    effective_on: dt.date | None
    imposed_by: list[str]
    targets: list[str]
    measures: list[Measure]
    sectors: list[Ref]
    legal_basis: str | None
    designations: int | None


TimelineItem = Annotated[EngagementItem | SanctionsRoundItem, Field(discriminator="type")]


class TimelinePage(BaseModel):
    """One page of the timeline: follow `next_cursor` (or the `Link: rel="next"` header)."""

    items: list[TimelineItem]
    total: int = Field(description="How many items match the filters, over all pages")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last"
    )
