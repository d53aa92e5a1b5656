"""Engagements as their API answers them, read in bulk from plain SQL rows.

Reading a page through ORM relationship loaders costs about a millisecond per relationship
(cache keys, identity map, one object per link row). Here one query reads every list and the
parent of all the engagements asked for at once (a UNION ALL of the link tables, each row
tagged with the list it belongs to), whatever the page size; the rows a list page already
holds are used as they are."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    Text,
    bindparam,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from sanctions_tracker.engagements.schemas import EngagementRead
from sanctions_tracker.models import (
    Actor,
    Engagement,
    EngagementCountry,
    EngagementOrganization,
    EngagementParticipant,
    EngagementSanctionsRound,
    EngagementSector,
    EngagementSource,
    EngagementTopic,
    Organization,
    SanctionsRound,
    Sector,
    Source,
)
from sanctions_tracker.record_types import RecordType, chunks, not_found, ref_target

# The engagement ids a statement reads: a list bound at execution, so each statement is
# compiled once whatever the number of ids.
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_ENGAGEMENTS = Engagement.__table__

Document = dict[str, Any]


def read_ref(session: Session, record_type: RecordType, ref: str) -> EngagementRead:
    """The engagement named by key or id (`ref` in a path), or a 404."""
    return EngagementRead.model_validate(document_ref(session, record_type, ref))


# The lookups by key and by id, built once: building a statement per request cost more than
# running it (about 0.16 ms against 0.06 ms on SQLite).
_LOOKUPS = {
    "key": select(_ENGAGEMENTS).where(_ENGAGEMENTS.c.key == bindparam("ref", type_=String)),
    "id": select(_ENGAGEMENTS).where(_ENGAGEMENTS.c.id == bindparam("ref", type_=Integer)),
}


def document_ref(session: Session, record_type: RecordType, ref: str) -> Document:
    """`read_ref`'s answer as a document (see `documents`)."""
    target = ref_target(ref)
    row = None
    if target is not None:
        column, value = target
        row = session.execute(_LOOKUPS[column], {"ref": value}).first()
    if row is None:
        raise not_found(record_type, ref)
    return documents(session, [row])[0]


def read_rows(session: Session, rows: Sequence[Any]) -> list[EngagementRead]:
    """The answers for `rows` (engagements, as ORM objects or rows), in their order."""
    return [EngagementRead.model_validate(document) for document in documents(session, rows)]


def read_ids(session: Session, ids: Iterable[int]) -> dict[int, EngagementRead]:
    """The answers for the engagements with these ids, by id; ids not stored are left out."""
    rows: list[Any] = []
    for chunk in chunks(sorted(set(ids))):
        rows += session.execute(select(_ENGAGEMENTS).where(_ENGAGEMENTS.c.id.in_(chunk))).all()
    return {answer.id: answer for answer in read_rows(session, rows)}


def documents(session: Session, rows: Sequence[Any]) -> list[Document]:
    """The answers for `rows` as plain dicts with the fields, order and values of
    `EngagementRead` (enums as their values, dates as dates): what a list page or a file
    writes, without validating again what the database already holds. Serialized by
    `pydantic_core.to_json`, a document gives the same bytes as its model."""
    lists: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for chunk in chunks([row.id for row in rows]):
        for item in session.execute(_lists(), {"ids": list(chunk)}).all():
            lists[item[0], item[1]].append(_SHAPES[item[0]](item))
    return [_document(row, lists) for row in rows]


# Columns of the `_lists()` rows: list, engagement_id, position, ref_id, ref_key, ref_name, text.
def _ref(item: Any) -> dict[str, Any]:
    return {"id": item[3], "key": item[4], "name": item[5]}


_SHAPES = {
    "countries": lambda item: item[6],
    "topics": lambda item: item[6],
    "organizations": _ref,
    "participants": lambda item: {"actor": _ref(item), "role": item[6]},
    "sectors": _ref,
    "sanctions_rounds": _ref,
    "sources": lambda item: {"source": _ref(item), "quote": item[6]},
    "legs": _ref,
    "parent": _ref,
}


@cache
def _lists() -> CompoundSelect[Any]:
    """Every list item of the engagements `:ids` as (list, engagement_id, position, ref_id,
    ref_key, ref_name, text), ordered by list, engagement and position in the list."""
    no_int: ColumnElement[Any] = null().cast(Integer)
    no_text: ColumnElement[Any] = null().cast(String)

    def link(name: str, table: Any, *columns: ColumnElement[Any]) -> Select[Any]:
        return select(
            literal(name, String).label("list"),
            table.c.engagement_id.label("engagement_id"),
            table.c.ordinal.label("position"),
            *columns,
        ).where(table.c.engagement_id.in_(_IDS))

    def ref_columns(target: Any, name: Any, text: Any = None) -> list[ColumnElement[Any]]:
        return [
            target.c.id.label("ref_id"),
            target.c.key.label("ref_key"),
            name.label("ref_name"),
            (no_text if text is None else text.cast(Text)).label("text"),
        ]

    def joined(name: str, table: Any, target: Any, foreign: Any, *rest: Any) -> Select[Any]:
        return link(name, table, *ref_columns(target, *rest)).join(target, target.c.id == foreign)

    def plain(name: str, table: Any, value: Any) -> Select[Any]:
        return link(
            name,
            table,
            no_int.label("ref_id"),
            no_text.label("ref_key"),
            no_text.label("ref_name"),
            value.cast(Text).label("text"),
        )

    countries, topics = EngagementCountry.__table__, EngagementTopic.__table__
    organizations, participants = EngagementOrganization.__table__, EngagementParticipant.__table__
    sectors, rounds = EngagementSector.__table__, EngagementSanctionsRound.__table__
    sources = EngagementSource.__table__
    actor, organization, sector = Actor.__table__, Organization.__table__, Sector.__table__
    sanctions_round, source = SanctionsRound.__table__, Source.__table__
    legs, parent = _ENGAGEMENTS.alias("leg"), _ENGAGEMENTS.alias("parent")
    return union_all(
        plain("countries", countries, countries.c.country),
        plain("topics", topics, topics.c.topic),
        joined(
            "organizations",
            organizations,
            organization,
            organizations.c.organization_id,
            organization.c.name,
        ),
        joined(
            "participants",
            participants,
            actor,
            participants.c.actor_id,
            actor.c.name,
            participants.c.role,
        ),
        joined("sectors", sectors, sector, sectors.c.sector_id, sector.c.name),
        joined(
            "sanctions_rounds",
            rounds,
            sanctions_round,
            rounds.c.sanctions_round_id,
            sanctions_round.c.title,
        ),
        joined("sources", sources, source, sources.c.source_id, source.c.title, sources.c.quote),
        select(
            literal("legs", String).label("list"),
            legs.c.parent_id.label("engagement_id"),
            # Legs come in the order travelled: by start date (its ISO text sorts as the
            # date does on both databases), then by id.
            no_int.label("position"),
            legs.c.id.label("ref_id"),
            legs.c.key.label("ref_key"),
            legs.c.title.label("ref_name"),
            legs.c.start_on.cast(String).label("text"),
        ).where(legs.c.parent_id.in_(_IDS)),
        select(
            literal("parent", String).label("list"),
            _ENGAGEMENTS.c.id.label("engagement_id"),
            no_int.label("position"),
            parent.c.id.label("ref_id"),
            parent.c.key.label("ref_key"),
            parent.c.title.label("ref_name"),
            no_text.label("text"),
        )
        .join(parent, parent.c.id == _ENGAGEMENTS.c.parent_id)
        .where(_ENGAGEMENTS.c.id.in_(_IDS)),
    ).order_by("list", "engagement_id", "position", "text", "ref_id")


def _document(row: Any, lists: dict[tuple[str, int], list[Any]]) -> Document:
    engagement_id = row.id
    located = (
        row.location_city is not None
        or row.location_country is not None
        or row.location_latitude is not None
    )
    parent = lists.get(("parent", engagement_id))
    return {
        "id": engagement_id,
        "key": row.key,
        "kind": row.kind,
        "title": row.title,
        "summary": row.summary,
        "start_date": row.start_on,
        "end_date": row.end_on,
        "date_precision": row.date_precision,
        "status": row.status,
        "location": {
            "city": row.location_city,
            "country": row.location_country,
            "latitude": row.location_latitude,
            "longitude": row.location_longitude,
        }
        if located
        else None,
        "countries": lists.get(("countries", engagement_id), []),
        "organizations": lists.get(("organizations", engagement_id), []),
        "participants": lists.get(("participants", engagement_id), []),
        "topics": lists.get(("topics", engagement_id), []),
        "sectors": lists.get(("sectors", engagement_id), []),
        "sanctions_rounds": lists.get(("sanctions_rounds", engagement_id), []),
        "parent": parent[0] if parent else None,
        "legs": lists.get(("legs", engagement_id), []),
        "sources": lists.get(("sources", engagement_id), []),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "version": row.version,
    }
