"""Sectors: a tree; a filter on a sector takes in all of its descendants."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from sanctions_tracker.facets import parent_facet
from sanctions_tracker.fields import Ref
from sanctions_tracker.models import (
    Engagement,
    EngagementSector,
    SanctionsRound,
    SanctionsRoundSector,
    Sector,
)
from sanctions_tracker.record_types import (
    RecordType,
    Reference,
    Referrer,
    Resolver,
    ids_for_refs,
)
from sanctions_tracker.search import index as search_index
from sanctions_tracker.search import service as search
from sanctions_tracker.sectors.schemas import SectorRead, SectorRecord

SORTS = {
    "name": Sector.name,
    "key": Sector.key,
    "created_at": Sector.created_at,
    "updated_at": Sector.updated_at,
    "id": Sector.id,
}
DEFAULT_SORT = "name"


def ref(sector: Sector) -> Ref:
    return Ref(id=sector.id, key=sector.key, name=sector.name)


def load_options() -> list[LoaderOption]:
    return [selectinload(Sector.parent)]


def to_record(sector: Sector) -> SectorRecord:
    return SectorRecord(
        key=sector.key,
        name=sector.name,
        parent=sector.parent.key if sector.parent else None,
        description=sector.description,
    )


def to_read(sector: Sector, children: list[Sector]) -> SectorRead:
    return SectorRead(
        id=sector.id,
        key=sector.key,
        name=sector.name,
        parent=ref(sector.parent) if sector.parent else None,
        description=sector.description,
        children=[ref(child) for child in children],
        created_at=sector.created_at,
        updated_at=sector.updated_at,
        version=sector.version,
    )


def children_of(session: Session, sectors: Iterable[Sector]) -> dict[int, list[Sector]]:
    ids = [sector.id for sector in sectors]
    found: dict[int, list[Sector]] = {sector_id: [] for sector_id in ids}
    if ids:
        query = select(Sector).where(Sector.parent_id.in_(ids)).order_by(Sector.name, Sector.id)
        for child in session.scalars(query):
            assert child.parent_id is not None
            found[child.parent_id].append(child)
    return found


def apply_fields(sector: Sector, record: SectorRecord) -> None:
    sector.key = record.key
    sector.name = record.name
    sector.description = record.description


def apply_references(
    session: Session, sector: Sector, record: SectorRecord, resolve: Resolver
) -> None:
    sector.parent_id = resolve("sectors", record.parent) if record.parent else None


def references(record: SectorRecord) -> list[Reference]:
    return [("/parent", "sectors", record.parent)] if record.parent else []


def referrers(session: Session, sector: Sector) -> list[Referrer]:
    children = session.execute(
        select(Sector.key, Sector.name).where(Sector.parent_id == sector.id).order_by(Sector.key)
    ).all()
    rounds = session.execute(
        select(SanctionsRound.key, SanctionsRound.title)
        .join(SanctionsRoundSector)
        .where(SanctionsRoundSector.sector_id == sector.id)
        .order_by(SanctionsRound.key)
    ).all()
    engagements = session.execute(
        select(Engagement.key, Engagement.title)
        .join(EngagementSector)
        .where(EngagementSector.sector_id == sector.id)
        .order_by(Engagement.key)
    ).all()
    return (
        [Referrer("sectors", key, name) for key, name in children]
        + [Referrer("sanctions_rounds", key, title) for key, title in rounds]
        + [Referrer("engagements", key, title) for key, title in engagements]
    )


def search_text(sector: Sector) -> tuple[str, str | None]:
    return sector.name, search_index.body(sector.description)


RECORD_TYPE = RecordType(
    name="sectors",
    singular="sector",
    model=Sector,
    record_schema=SectorRecord,
    load_options=load_options,
    to_record=to_record,
    apply_fields=apply_fields,
    apply_references=apply_references,
    references=references,
    referrers=referrers,
    parent_of=lambda record: record.parent,
    search_text=search_text,
)


def with_descendants(session: Session, refs: Iterable[str]) -> list[int]:
    """Ids of the named sectors and every sector below them (the tree is walked level by level)."""
    found = set(ids_for_refs(session, Sector, refs))
    frontier = set(found)
    while frontier:
        children = set(session.scalars(select(Sector.id).where(Sector.parent_id.in_(frontier))))
        frontier = children - found
        found |= frontier
    return sorted(found)


def list_query(
    session: Session, *, parent: list[str] | None = None, q: str | None = None
) -> Select[Any]:
    query = select(Sector)
    if parent:
        query = query.where(Sector.parent_id.in_(ids_for_refs(session, Sector, parent)))
    if q:
        query = query.where(Sector.id.in_(search.matching_ids("sectors", q)))
    return query


FACETS = {"parent": parent_facet(Sector, "name", "the sector one level up")}
"""What the sector list can be faceted by; null counts the top-level sectors."""
