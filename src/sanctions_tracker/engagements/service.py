"""Engagements: calls, meetings, visits, trips and legs, summits, ministerials, statements."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from sanctions_tracker import gazetteer
from sanctions_tracker.engagements.schemas import (
    EngagementRecord,
    Location,
    Participant,
)
from sanctions_tracker.enums import DatePrecision, EngagementKind, EngagementStatus, ParticipantRole
from sanctions_tracker.facets import (
    column_facet,
    link_facet,
    link_ref_facet,
    parent_facet,
    year_facet,
)
from sanctions_tracker.fields import Citation, Ref
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
)
from sanctions_tracker.pagination import span_filter
from sanctions_tracker.record_types import (
    RecordType,
    Reference,
    Referrer,
    Resolver,
    ids_for_refs,
)
from sanctions_tracker.search import index as search_index
from sanctions_tracker.search import service as search
from sanctions_tracker.sectors import service as sectors

SORTS = {
    "start_date": Engagement.start_on,
    "title": Engagement.title,
    "key": Engagement.key,
    "kind": Engagement.kind,
    "status": Engagement.status,
    "created_at": Engagement.created_at,
    "updated_at": Engagement.updated_at,
    "id": Engagement.id,
}
DEFAULT_SORT = "-start_date"


def ref(engagement: Engagement) -> Ref:
    return Ref(id=engagement.id, key=engagement.key, name=engagement.title)


def actor_ref(actor: Actor) -> Ref:
    return Ref(id=actor.id, key=actor.key, name=actor.name)


def load_options() -> list[LoaderOption]:
    return [
        selectinload(Engagement.parent),
        selectinload(Engagement.countries),
        selectinload(Engagement.organizations).selectinload(EngagementOrganization.organization),
        selectinload(Engagement.participants).selectinload(EngagementParticipant.actor),
        selectinload(Engagement.topics),
        selectinload(Engagement.sectors).selectinload(EngagementSector.sector),
        selectinload(Engagement.sanctions_rounds).selectinload(
            EngagementSanctionsRound.sanctions_round
        ),
        selectinload(Engagement.sources).selectinload(EngagementSource.source),
    ]


def _location(engagement: Engagement) -> Location | None:
    if (
        engagement.location_city is None
        and engagement.location_country is None
        and engagement.location_latitude is None
    ):
        return None
    return Location(
        city=engagement.location_city,
        country=engagement.location_country,
        latitude=engagement.location_latitude,
        longitude=engagement.location_longitude,
    )


def to_record(engagement: Engagement) -> EngagementRecord:
    return EngagementRecord(
        key=engagement.key,
        kind=EngagementKind(engagement.kind),
        title=engagement.title,
        summary=engagement.summary,
        start_date=engagement.start_on,
        end_date=engagement.end_on,
        date_precision=DatePrecision(engagement.date_precision),
        status=EngagementStatus(engagement.status),
        location=_location(engagement),
        countries=[row.country for row in engagement.countries],
        organizations=[row.organization.key for row in engagement.organizations],
        participants=[
            Participant(actor=row.actor.key, role=ParticipantRole(row.role))
            for row in engagement.participants
        ],
        topics=[row.topic for row in engagement.topics],
        sectors=[row.sector.key for row in engagement.sectors],
        sanctions_rounds=[row.sanctions_round.key for row in engagement.sanctions_rounds],
        parent=engagement.parent.key if engagement.parent else None,
        sources=[Citation(source=row.source.key, quote=row.quote) for row in engagement.sources],
    )


def normalize(record: EngagementRecord) -> EngagementRecord:
    """Fill a located city's coordinates from the gazetteer when the record leaves them out."""
    location = record.location
    if location is None or location.city is None or location.latitude is not None:
        return record
    place = gazetteer.locate(location.city, location.country)
    if place is None:
        return record
    filled = location.model_copy(update={"latitude": place.latitude, "longitude": place.longitude})
    return record.model_copy(update={"location": filled})


def apply_fields(engagement: Engagement, record: EngagementRecord) -> None:
    engagement.key = record.key
    engagement.kind = record.kind.value
    engagement.title = record.title
    engagement.summary = record.summary
    engagement.start_on = record.start_date
    engagement.end_on = record.end_date
    engagement.date_precision = record.date_precision.value
    engagement.status = record.status.value
    location = record.location
    engagement.location_city = location.city if location else None
    engagement.location_country = location.country if location else None
    engagement.location_latitude = location.latitude if location else None
    engagement.location_longitude = location.longitude if location else None
    engagement.countries = [
        EngagementCountry(ordinal=index, country=code)
        for index, code in enumerate(record.countries)
    ]
    engagement.topics = [
        EngagementTopic(ordinal=index, topic=topic) for index, topic in enumerate(record.topics)
    ]


def apply_references(
    session: Session, engagement: Engagement, record: EngagementRecord, resolve: Resolver
) -> None:
    engagement.parent_id = resolve("engagements", record.parent) if record.parent else None
    engagement.organizations = [
        EngagementOrganization(ordinal=index, organization_id=resolve("organizations", key))
        for index, key in enumerate(record.organizations)
    ]
    engagement.participants = [
        EngagementParticipant(
            ordinal=index,
            actor_id=resolve("actors", participant.actor),
            role=participant.role.value,
        )
        for index, participant in enumerate(record.participants)
    ]
    engagement.sectors = [
        EngagementSector(ordinal=index, sector_id=resolve("sectors", key))
        for index, key in enumerate(record.sectors)
    ]
    engagement.sanctions_rounds = [
        EngagementSanctionsRound(ordinal=index, sanctions_round_id=resolve("sanctions_rounds", key))
        for index, key in enumerate(record.sanctions_rounds)
    ]
    engagement.sources = [
        EngagementSource(
            ordinal=index, source_id=resolve("sources", citation.source), quote=citation.quote
        )
        for index, citation in enumerate(record.sources)
    ]


def references(record: EngagementRecord) -> list[Reference]:
    found: list[Reference] = []
    found += [
        (f"/organizations/{i}", "organizations", key) for i, key in enumerate(record.organizations)
    ]
    found += [
        (f"/participants/{i}/actor", "actors", participant.actor)
        for i, participant in enumerate(record.participants)
    ]
    found += [(f"/sectors/{i}", "sectors", key) for i, key in enumerate(record.sectors)]
    found += [
        (f"/sanctions_rounds/{i}", "sanctions_rounds", key)
        for i, key in enumerate(record.sanctions_rounds)
    ]
    if record.parent:
        found.append(("/parent", "engagements", record.parent))
    found += [
        (f"/sources/{i}/source", "sources", citation.source)
        for i, citation in enumerate(record.sources)
    ]
    return found


def referrers(session: Session, engagement: Engagement) -> list[Referrer]:
    legs = session.execute(
        select(Engagement.key, Engagement.title)
        .where(Engagement.parent_id == engagement.id)
        .order_by(Engagement.key)
    ).all()
    return [Referrer("engagements", key, title) for key, title in legs]


def search_text(engagement: Engagement) -> tuple[str, str | None]:
    return engagement.title, search_index.body(
        engagement.summary,
        engagement.location_city,
        [row.quote for row in engagement.sources],
        [row.topic for row in engagement.topics],
    )


RECORD_TYPE = RecordType(
    name="engagements",
    singular="engagement",
    model=Engagement,
    record_schema=EngagementRecord,
    load_options=load_options,
    to_record=to_record,
    apply_fields=apply_fields,
    apply_references=apply_references,
    references=references,
    referrers=referrers,
    normalize=normalize,
    parent_of=lambda record: record.parent,
    search_text=search_text,
)


def _having(link_column: Any, condition: Any) -> Any:
    """`engagement.id IN (SELECT engagement_id FROM link WHERE condition)`."""
    return Engagement.id.in_(select(link_column).where(condition))


@dataclass(frozen=True)
class EngagementFilters:
    """The engagement list's filters, shared by the views built on it (stats, network)."""

    kind: list[EngagementKind] | None = None
    status: list[EngagementStatus] | None = None
    country: list[str] | None = None
    location_country: list[str] | None = None
    actor: list[str] | None = None
    organization: list[str] | None = None
    sector: list[str] | None = None
    sanctions_round: list[str] | None = None
    topic: list[str] | None = None
    parent: list[str] | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None


def list_query(session: Session, filters: EngagementFilters) -> Select[Any]:
    """`SELECT engagement` narrowed by `filters` (AND across filters, OR within one)."""
    query = select(Engagement)
    if filters.kind:
        query = query.where(Engagement.kind.in_([value.value for value in filters.kind]))
    if filters.status:
        query = query.where(Engagement.status.in_([value.value for value in filters.status]))
    if filters.country:
        query = query.where(
            _having(EngagementCountry.engagement_id, EngagementCountry.country.in_(filters.country))
        )
    if filters.location_country:
        query = query.where(Engagement.location_country.in_(filters.location_country))
    if filters.actor:
        query = query.where(
            _having(
                EngagementParticipant.engagement_id,
                EngagementParticipant.actor_id.in_(ids_for_refs(session, Actor, filters.actor)),
            )
        )
    if filters.organization:
        query = query.where(
            _having(
                EngagementOrganization.engagement_id,
                EngagementOrganization.organization_id.in_(
                    ids_for_refs(session, Organization, filters.organization)
                ),
            )
        )
    if filters.sector:
        query = query.where(
            _having(
                EngagementSector.engagement_id,
                EngagementSector.sector_id.in_(sectors.with_descendants(session, filters.sector)),
            )
        )
    if filters.sanctions_round:
        query = query.where(
            _having(
                EngagementSanctionsRound.engagement_id,
                EngagementSanctionsRound.sanctions_round_id.in_(
                    ids_for_refs(session, SanctionsRound, filters.sanctions_round)
                ),
            )
        )
    if filters.topic:
        query = query.where(
            _having(EngagementTopic.engagement_id, EngagementTopic.topic.in_(filters.topic))
        )
    if filters.parent:
        query = query.where(
            Engagement.parent_id.in_(ids_for_refs(session, Engagement, filters.parent))
        )
    query = span_filter(
        query, Engagement.start_on, Engagement.end_on, filters.date_from, filters.date_to
    )
    if filters.q:
        query = query.where(Engagement.id.in_(search.matching_ids("engagements", filters.q)))
    return query


FACETS = {
    "kind": column_facet(Engagement.id, Engagement.kind, "its kind"),
    "status": column_facet(Engagement.id, Engagement.status, "its status"),
    "country": link_facet(
        EngagementCountry.engagement_id, EngagementCountry.country, "each party in `countries`"
    ),
    "location_country": column_facet(
        Engagement.id, Engagement.location_country, "the country it took place in"
    ),
    "actor": link_ref_facet(
        EngagementParticipant.engagement_id,
        EngagementParticipant.actor_id,
        Actor,
        Actor.name,
        "each participant",
    ),
    "organization": link_ref_facet(
        EngagementOrganization.engagement_id,
        EngagementOrganization.organization_id,
        Organization,
        Organization.name,
        "each organization involved",
    ),
    "sector": link_ref_facet(
        EngagementSector.engagement_id,
        EngagementSector.sector_id,
        Sector,
        Sector.name,
        "each sector it names (not their parents)",
    ),
    "sanctions_round": link_ref_facet(
        EngagementSanctionsRound.engagement_id,
        EngagementSanctionsRound.sanctions_round_id,
        SanctionsRound,
        SanctionsRound.title,
        "each sanctions round it names",
    ),
    "topic": link_facet(EngagementTopic.engagement_id, EngagementTopic.topic, "each topic"),
    "parent": parent_facet(Engagement, "title", "the trip it is a leg of"),
    "year": year_facet(Engagement.id, Engagement.start_on, "the year of `start_date`"),
    "date_precision": column_facet(
        Engagement.id, Engagement.date_precision, "how precise its dates are"
    ),
}
"""What the engagement list can be faceted by; null counts the records without a value."""
