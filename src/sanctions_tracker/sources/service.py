"""Sources: the articles, statements, press releases and legal acts behind records."""

from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import LoaderOption

from sanctions_tracker.enums import SourceKind
from sanctions_tracker.facets import column_facet, year_facet
from sanctions_tracker.fields import Ref
from sanctions_tracker.models import (
    Engagement,
    EngagementSource,
    SanctionsRound,
    SanctionsRoundSource,
    Source,
)
from sanctions_tracker.pagination import contains_text, span_filter
from sanctions_tracker.record_types import RecordType, Reference, Referrer, Resolver
from sanctions_tracker.search import index as search_index
from sanctions_tracker.search import service as search
from sanctions_tracker.sources.schemas import SourceRead, SourceRecord

SORTS = {
    "published_on": Source.published_on,
    "title": Source.title,
    "key": Source.key,
    "kind": Source.kind,
    "created_at": Source.created_at,
    "updated_at": Source.updated_at,
    "id": Source.id,
}
DEFAULT_SORT = "-published_on"


def ref(source: Source) -> Ref:
    return Ref(id=source.id, key=source.key, name=source.title)


def load_options() -> list[LoaderOption]:
    return []


def to_record(source: Source) -> SourceRecord:
    return SourceRecord(
        key=source.key,
        kind=SourceKind(source.kind),
        title=source.title,
        publisher=source.publisher,
        url=source.url,
        published_on=source.published_on,
        authors=list(source.authors),
    )


def to_read(source: Source) -> SourceRead:
    return SourceRead(
        id=source.id,
        created_at=source.created_at,
        updated_at=source.updated_at,
        version=source.version,
        **to_record(source).model_dump(),
    )


def apply_fields(source: Source, record: SourceRecord) -> None:
    source.key = record.key
    source.kind = record.kind.value
    source.title = record.title
    source.publisher = record.publisher
    source.url = record.url
    source.published_on = record.published_on
    source.authors = list(record.authors)


def apply_references(
    session: Session, source: Source, record: SourceRecord, resolve: Resolver
) -> None:
    """Sources refer to nothing."""


def references(record: SourceRecord) -> list[Reference]:
    return []


def referrers(session: Session, source: Source) -> list[Referrer]:
    rounds = session.execute(
        select(SanctionsRound.key, SanctionsRound.title)
        .join(SanctionsRoundSource)
        .where(SanctionsRoundSource.source_id == source.id)
        .order_by(SanctionsRound.key)
    ).all()
    engagements = session.execute(
        select(Engagement.key, Engagement.title)
        .join(EngagementSource)
        .where(EngagementSource.source_id == source.id)
        .order_by(Engagement.key)
    ).all()
    return [Referrer("sanctions_rounds", key, title) for key, title in rounds] + [
        Referrer("engagements", key, title) for key, title in engagements
    ]


def search_text(source: Source) -> tuple[str, str | None]:
    return source.title, search_index.body(source.publisher, source.authors)


RECORD_TYPE = RecordType(
    name="sources",
    singular="source",
    model=Source,
    record_schema=SourceRecord,
    load_options=load_options,
    to_record=to_record,
    apply_fields=apply_fields,
    apply_references=apply_references,
    references=references,
    referrers=referrers,
    search_text=search_text,
)


def list_query(
    *,
    kind: list[SourceKind] | None = None,
    publisher: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: str | None = None,
) -> Select[Any]:
    query = select(Source)
    if kind:
        query = query.where(Source.kind.in_([value.value for value in kind]))
    if publisher:
        query = query.where(contains_text(Source.publisher, publisher))
    query = span_filter(query, Source.published_on, Source.published_on, date_from, date_to)
    if q:
        query = query.where(Source.id.in_(search.matching_ids("sources", q)))
    return query


FACETS = {
    "kind": column_facet(Source.id, Source.kind, "its kind"),
    "publisher": column_facet(Source.id, Source.publisher, "its publisher, as written"),
    "year": year_facet(Source.id, Source.published_on, "the year published"),
}
"""What the source list can be faceted by; null counts the sources without a publisher."""
