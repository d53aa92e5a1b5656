"""The timeline: engagements and sanctions rounds merged into one dated stream."""

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import Select, Table, func, literal, or_, select, tuple_, union_all
from sqlalchemy.orm import Session

from sanctions_tracker.engagements import reader as engagement_reader
from sanctions_tracker.engagements import service as engagements
from sanctions_tracker.engagements.schemas import EngagementRead
from sanctions_tracker.models import (
    Engagement,
    SanctionsRound,
    SanctionsRoundImposer,
    SanctionsRoundTarget,
)
from sanctions_tracker.pagination import BATCH_SIZE, PageRows
from sanctions_tracker.problems import BadRequest
from sanctions_tracker.record_types import MAX_ID
from sanctions_tracker.sanctions_rounds import service as sanctions_rounds
from sanctions_tracker.timeline.schemas import (
    EngagementItem,
    ItemType,
    Order,
    SanctionsRoundItem,
)

Item = EngagementItem | SanctionsRoundItem


@dataclass(frozen=True)
class TimelineFilters:
    types: list[ItemType] | None = None
    country: list[str] | None = None
    actor: list[str] | None = None
    sector: list[str] | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None


@dataclass(frozen=True)
class Position:
    """Where a page ends: the last item's (date, type, id)."""

    day: date
    type: ItemType
    id: int


def _engagement_rows(session: Session, filters: TimelineFilters) -> Select[str, date, int]:
    query = engagements.list_query(
        session,
        engagements.EngagementFilters(
            country=filters.country,
            actor=filters.actor,
            sector=filters.sector,
            date_from=filters.date_from,
            date_to=filters.date_to,
            q=filters.q,
        ),
    )
    return query.with_only_columns(
        literal(ItemType.engagement.value).label("type"),
        Engagement.start_on.label("day"),
        Engagement.id.label("id"),
    )


def _round_rows(session: Session, filters: TimelineFilters) -> Select[str, date, int]:
    query = sanctions_rounds.list_query(
        session,
        sanctions_rounds.SanctionsRoundFilters(
            sector=filters.sector,
            date_from=filters.date_from,
            date_to=filters.date_to,
            q=filters.q,
        ),
    )
    if filters.country:
        query = query.where(
            or_(
                SanctionsRound.id.in_(
                    select(SanctionsRoundImposer.sanctions_round_id).where(
                        SanctionsRoundImposer.country.in_(filters.country)
                    )
                ),
                SanctionsRound.id.in_(
                    select(SanctionsRoundTarget.sanctions_round_id).where(
                        SanctionsRoundTarget.country.in_(filters.country)
                    )
                ),
            )
        )
    return query.with_only_columns(
        literal(ItemType.sanctions_round.value).label("type"),
        SanctionsRound.announced_on.label("day"),
        SanctionsRound.id.label("id"),
    )


def timeline_rows(session: Session, filters: TimelineFilters) -> Any:
    """`(type, day, id)` of every matching item, as a subquery. Rounds have no participants,
    so an `actor` filter leaves only engagements."""
    wanted = set(filters.types or ItemType)
    parts: list[Select[str, date, int]] = []
    if ItemType.engagement in wanted:
        parts.append(_engagement_rows(session, filters))
    if ItemType.sanctions_round in wanted and not filters.actor:
        parts.append(_round_rows(session, filters))
    if not parts:
        empty = select(
            literal("").label("type"), literal(date.min).label("day"), literal(0).label("id")
        ).where(literal(False))
        return empty.subquery("timeline")
    return union_all(*parts).subquery("timeline")


def encode_cursor(order: Order, position: Position) -> str:
    payload = {
        "o": order.value,
        "d": position.day.isoformat(),
        "t": position.type,
        "i": position.id,
    }
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order: Order) -> Position:
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(payload, dict):
            raise ValueError("not an object")
        if payload.get("o") != order.value:
            raise BadRequest(
                f"This cursor belongs to order={payload.get('o')!r}, not order={order.value!r}; "
                "keep the same order while paging."
            )
        row_id = payload["i"]
        if not isinstance(row_id, int) or isinstance(row_id, bool) or not 0 <= row_id <= MAX_ID:
            raise ValueError("not an id")
        return Position(date.fromisoformat(payload["d"]), ItemType(payload["t"]), row_id)
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeError) as error:
        raise BadRequest(
            "The cursor is malformed: pass `next_cursor` from a previous page unchanged."
        ) from error


def ordered(rows: Any, order: Order, after: Position | None = None) -> Select[Any]:
    """The items in timeline order, ties broken by type then id; from `after` on, exclusive."""
    key = tuple_(rows.c.day, rows.c.type, rows.c.id)
    query = select(rows.c.type, rows.c.day, rows.c.id)
    if after is not None:
        bound = tuple_(
            literal(after.day, rows.c.day.type),
            literal(after.type.value, rows.c.type.type),
            literal(after.id, rows.c.id.type),
        )
        query = query.where(key < bound if order is Order.desc else key > bound)
    columns = (rows.c.day, rows.c.type, rows.c.id)
    if order is Order.desc:
        return query.order_by(*(column.desc() for column in columns))
    return query.order_by(*columns)


def page(
    session: Session, filters: TimelineFilters, order: Order, cursor: str | None, limit: int
) -> PageRows:
    rows = timeline_rows(session, filters)
    total = session.scalar(select(func.count()).select_from(rows)) or 0
    after = decode_cursor(cursor, order) if cursor is not None else None
    found = session.execute(ordered(rows, order, after).limit(limit + 1)).all()
    next_cursor = None
    if len(found) > limit:
        found = found[:limit]
        last = found[-1]
        next_cursor = encode_cursor(order, Position(last.day, ItemType(last.type), last.id))
    return PageRows(
        items(session, [(ItemType(row.type), row.id) for row in found]), total, next_cursor
    )


def items(session: Session, positions: Sequence[tuple[ItemType, int]]) -> list[Item]:
    """The cards for `(type, id)` pairs, in the given order, each type loaded in one go."""
    wanted_engagements = [row_id for kind, row_id in positions if kind is ItemType.engagement]
    wanted_rounds = [row_id for kind, row_id in positions if kind is ItemType.sanctions_round]
    cards: dict[tuple[ItemType, int], Item] = {}
    for row_id, read in _engagement_reads(session, wanted_engagements).items():
        cards[ItemType.engagement, row_id] = EngagementItem(
            date=read.start_date, **_fields(read, _ENGAGEMENT_FIELDS)
        )
    if wanted_rounds:
        for sanctions_round in session.scalars(
            select(SanctionsRound)
            .where(SanctionsRound.id.in_(wanted_rounds))
            .options(*sanctions_rounds.load_options())
        ):
            round_read = sanctions_rounds.to_read(sanctions_round)
            cards[ItemType.sanctions_round, sanctions_round.id] = SanctionsRoundItem(
                date=round_read.announced_on, **_fields(round_read, _ROUND_FIELDS)
            )
    return [cards[position] for position in positions]


def _engagement_reads(session: Session, ids: Sequence[int]) -> dict[int, EngagementRead]:
    """The engagements `ids`, whole, loaded in one go."""
    return engagement_reader.read_ids(session, ids)


def _fields(read: BaseModel, names: set[str]) -> dict[str, Any]:
    return {name: getattr(read, name) for name in names}


_ENGAGEMENT_FIELDS = set(EngagementItem.model_fields) - {"type", "date"}
_ROUND_FIELDS = set(SanctionsRoundItem.model_fields) - {"type", "date"}


def positions_in_batches(
    session: Session, filters: TimelineFilters, order: Order, size: int = BATCH_SIZE
) -> Iterator[list[tuple[ItemType, int]]]:
    """Every matching `(type, id)` in timeline order, `size` at a time, fetched by position."""
    rows = timeline_rows(session, filters)
    after: Position | None = None
    while True:
        found = session.execute(ordered(rows, order, after).limit(size)).all()
        if not found:
            return
        yield [(ItemType(row.type), row.id) for row in found]
        if len(found) < size:
            return
        last = found[-1]
        after = Position(last.day, ItemType(last.type), last.id)


def every_item(session: Session, filters: TimelineFilters, order: Order) -> Iterator[Item]:
    """Every matching item as a card, one batch in memory at a time."""
    for positions in positions_in_batches(session, filters, order):
        yield from items(session, positions)
        session.expunge_all()


def every_engagement(
    session: Session, filters: TimelineFilters, order: Order
) -> Iterator[EngagementRead]:
    """The engagements among the matching items, whole (for maps and calendars)."""
    only_engagements = replace(filters, types=[ItemType.engagement])
    for positions in positions_in_batches(session, only_engagements, order):
        ids = [row_id for _, row_id in positions]
        loaded = _engagement_reads(session, ids)
        yield from (loaded[row_id] for row_id in ids)
        session.expunge_all()


def file_rows(session: Session, filters: TimelineFilters) -> list[tuple[Table, Select[Any]]]:
    """The ids behind a timeline file, per table, for its ETag."""
    rows = timeline_rows(session, filters)
    return [
        (
            cast(Table, Engagement.__table__),
            select(rows.c.id).where(rows.c.type == ItemType.engagement.value),
        ),
        (
            cast(Table, SanctionsRound.__table__),
            select(rows.c.id).where(rows.c.type == ItemType.sanctions_round.value),
        ),
    ]
