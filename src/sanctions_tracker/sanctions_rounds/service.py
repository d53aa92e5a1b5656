"""Sanctions rounds: who imposed which measures on whom, when, on which legal basis."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from sanctions_tracker.enums import Measure, RoundStatus
from sanctions_tracker.facets import column_facet, link_facet, link_ref_facet, year_facet
from sanctions_tracker.fields import Citation, CitationRead, Ref
from sanctions_tracker.models import (
    Engagement,
    EngagementSanctionsRound,
    SanctionsRound,
    SanctionsRoundImposer,
    SanctionsRoundMeasure,
    SanctionsRoundSector,
    SanctionsRoundSource,
    SanctionsRoundTarget,
    Sector,
)
from sanctions_tracker.pagination import span_filter
from sanctions_tracker.record_types import RecordType, Reference, Referrer, Resolver
from sanctions_tracker.sanctions_rounds.schemas import SanctionsRoundRead, SanctionsRoundRecord
from sanctions_tracker.search import index as search_index
from sanctions_tracker.search import service as search
from sanctions_tracker.sectors import service as sectors
from sanctions_tracker.sources import service as sources

SORTS = {
    "announced_on": SanctionsRound.announced_on,
    "title": SanctionsRound.title,
    "key": SanctionsRound.key,
    "status": SanctionsRound.status,
    "created_at": SanctionsRound.created_at,
    "updated_at": SanctionsRound.updated_at,
    "id": SanctionsRound.id,
}
DEFAULT_SORT = "-announced_on"


def ref(sanctions_round: SanctionsRound) -> Ref:
    return Ref(id=sanctions_round.id, key=sanctions_round.key, name=sanctions_round.title)


def load_options() -> list[LoaderOption]:
    return [
        selectinload(SanctionsRound.imposers),
        selectinload(SanctionsRound.targets),
        selectinload(SanctionsRound.measures),
        selectinload(SanctionsRound.sectors).selectinload(SanctionsRoundSector.sector),
        selectinload(SanctionsRound.sources).selectinload(SanctionsRoundSource.source),
    ]


def to_record(sanctions_round: SanctionsRound) -> SanctionsRoundRecord:
    return SanctionsRoundRecord(
        key=sanctions_round.key,
        title=sanctions_round.title,
        imposed_by=[row.country for row in sanctions_round.imposers],
        targets=[row.country for row in sanctions_round.targets],
        announced_on=sanctions_round.announced_on,
        effective_on=sanctions_round.effective_on,
        status=RoundStatus(sanctions_round.status),
        measures=[Measure(row.measure) for row in sanctions_round.measures],
        sectors=[row.sector.key for row in sanctions_round.sectors],
        legal_basis=sanctions_round.legal_basis,
        designations=sanctions_round.designations,
        summary=sanctions_round.summary,
        sources=[
            Citation(source=row.source.key, quote=row.quote) for row in sanctions_round.sources
        ],
    )


def to_read(sanctions_round: SanctionsRound) -> SanctionsRoundRead:
    record = to_record(sanctions_round)
    return SanctionsRoundRead(
        id=sanctions_round.id,
        sectors=[sectors.ref(row.sector) for row in sanctions_round.sectors],
        sources=[
            CitationRead(source=sources.ref(row.source), quote=row.quote)
            for row in sanctions_round.sources
        ],
        created_at=sanctions_round.created_at,
        updated_at=sanctions_round.updated_at,
        version=sanctions_round.version,
        **record.model_dump(exclude={"sectors", "sources"}),
    )


def apply_fields(sanctions_round: SanctionsRound, record: SanctionsRoundRecord) -> None:
    sanctions_round.key = record.key
    sanctions_round.title = record.title
    sanctions_round.announced_on = record.announced_on
    sanctions_round.effective_on = record.effective_on
    sanctions_round.status = record.status.value
    sanctions_round.legal_basis = record.legal_basis
    sanctions_round.designations = record.designations
    sanctions_round.summary = record.summary
    sanctions_round.imposers = [
        SanctionsRoundImposer(ordinal=index, country=code)
        for index, code in enumerate(record.imposed_by)
    ]
    sanctions_round.targets = [
        SanctionsRoundTarget(ordinal=index, country=code)
        for index, code in enumerate(record.targets)
    ]
    sanctions_round.measures = [
        SanctionsRoundMeasure(ordinal=index, measure=measure.value)
        for index, measure in enumerate(record.measures)
    ]


def apply_references(
    session: Session,
    sanctions_round: SanctionsRound,
    record: SanctionsRoundRecord,
    resolve: Resolver,
) -> None:
    sanctions_round.sectors = [
        SanctionsRoundSector(ordinal=index, sector_id=resolve("sectors", key))
        for index, key in enumerate(record.sectors)
    ]
    sanctions_round.sources = [
        SanctionsRoundSource(
            ordinal=index, source_id=resolve("sources", citation.source), quote=citation.quote
        )
        for index, citation in enumerate(record.sources)
    ]


def references(record: SanctionsRoundRecord) -> list[Reference]:
    return [(f"/sectors/{index}", "sectors", key) for index, key in enumerate(record.sectors)] + [
        (f"/sources/{index}/source", "sources", citation.source)
        for index, citation in enumerate(record.sources)
    ]


def referrers(session: Session, sanctions_round: SanctionsRound) -> list[Referrer]:
    engagements = session.execute(
        select(Engagement.key, Engagement.title)
        .join(EngagementSanctionsRound)
        .where(EngagementSanctionsRound.sanctions_round_id == sanctions_round.id)
        .order_by(Engagement.key)
    ).all()
    return [Referrer("engagements", key, title) for key, title in engagements]


def search_text(sanctions_round: SanctionsRound) -> tuple[str, str | None]:
    return sanctions_round.title, search_index.body(
        sanctions_round.summary,
        sanctions_round.legal_basis,
        [row.quote for row in sanctions_round.sources],
    )


RECORD_TYPE = RecordType(
    name="sanctions_rounds",
    singular="sanctions round",
    model=SanctionsRound,
    record_schema=SanctionsRoundRecord,
    load_options=load_options,
    to_record=to_record,
    apply_fields=apply_fields,
    apply_references=apply_references,
    references=references,
    referrers=referrers,
    search_text=search_text,
)


@dataclass(frozen=True)
class SanctionsRoundFilters:
    """The sanctions-round list's filters, shared by the views built on it (stats)."""

    imposed_by: list[str] | None = None
    target: list[str] | None = None
    measure: list[Measure] | None = None
    sector: list[str] | None = None
    status: list[RoundStatus] | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None


def _having(link_column: Any, condition: Any) -> Any:
    """`sanctions_round.id IN (SELECT sanctions_round_id FROM link WHERE condition)`."""
    return SanctionsRound.id.in_(select(link_column).where(condition))


def list_query(session: Session, filters: SanctionsRoundFilters) -> Select[Any]:
    """`SELECT sanctions_round` narrowed by `filters` (AND across filters, OR within one)."""
    query = select(SanctionsRound)
    if filters.imposed_by:
        query = query.where(
            _having(
                SanctionsRoundImposer.sanctions_round_id,
                SanctionsRoundImposer.country.in_(filters.imposed_by),
            )
        )
    if filters.target:
        query = query.where(
            _having(
                SanctionsRoundTarget.sanctions_round_id,
                SanctionsRoundTarget.country.in_(filters.target),
            )
        )
    if filters.measure:
        query = query.where(
            _having(
                SanctionsRoundMeasure.sanctions_round_id,
                SanctionsRoundMeasure.measure.in_([value.value for value in filters.measure]),
            )
        )
    if filters.sector:
        query = query.where(
            _having(
                SanctionsRoundSector.sanctions_round_id,
                SanctionsRoundSector.sector_id.in_(
                    sectors.with_descendants(session, filters.sector)
                ),
            )
        )
    if filters.status:
        query = query.where(SanctionsRound.status.in_([value.value for value in filters.status]))
    query = span_filter(
        query,
        SanctionsRound.announced_on,
        SanctionsRound.announced_on,
        filters.date_from,
        filters.date_to,
    )
    if filters.q:
        query = query.where(
            SanctionsRound.id.in_(search.matching_ids("sanctions_rounds", filters.q))
        )
    return query


FACETS = {
    "imposed_by": link_facet(
        SanctionsRoundImposer.sanctions_round_id,
        SanctionsRoundImposer.country,
        "each jurisdiction imposing it",
    ),
    "target": link_facet(
        SanctionsRoundTarget.sanctions_round_id, SanctionsRoundTarget.country, "each target"
    ),
    "measure": link_facet(
        SanctionsRoundMeasure.sanctions_round_id, SanctionsRoundMeasure.measure, "each measure"
    ),
    "sector": link_ref_facet(
        SanctionsRoundSector.sanctions_round_id,
        SanctionsRoundSector.sector_id,
        Sector,
        Sector.name,
        "each sector it targets (not their parents)",
    ),
    "status": column_facet(SanctionsRound.id, SanctionsRound.status, "its status"),
    "legal_basis": column_facet(
        SanctionsRound.id, SanctionsRound.legal_basis, "its legal basis, as written"
    ),
    "year": year_facet(SanctionsRound.id, SanctionsRound.announced_on, "the year announced"),
}
"""What the sanctions-round list can be faceted by; null counts the rounds without a value."""
