"""Actors: the people who call, meet and travel, with the positions they held over time."""

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from sanctions_tracker.actors.schemas import ActorRead, ActorRecord, PositionRead, PositionRecord
from sanctions_tracker.facets import column_facet, link_facet, link_ref_facet
from sanctions_tracker.models import (
    Actor,
    ActorAlias,
    ActorPosition,
    Engagement,
    EngagementParticipant,
    Organization,
)
from sanctions_tracker.organizations.service import ref as organization_ref
from sanctions_tracker.record_types import (
    RecordType,
    Reference,
    Referrer,
    Resolver,
    ids_for_refs,
)
from sanctions_tracker.search import index as search_index
from sanctions_tracker.search import service as search

SORTS = {
    "name": Actor.name,
    "key": Actor.key,
    "created_at": Actor.created_at,
    "updated_at": Actor.updated_at,
    "id": Actor.id,
}
DEFAULT_SORT = "name"


def load_options() -> list[LoaderOption]:
    return [
        selectinload(Actor.aliases),
        selectinload(Actor.positions).selectinload(ActorPosition.organization),
    ]


def to_record(actor: Actor) -> ActorRecord:
    return ActorRecord(
        key=actor.key,
        name=actor.name,
        aliases=[alias.alias for alias in actor.aliases],
        country=actor.country,
        wikidata_id=actor.wikidata_id,
        positions=[
            PositionRecord(
                title=position.title,
                organization=position.organization.key if position.organization else None,
                start_date=position.start_on,
                end_date=position.end_on,
            )
            for position in actor.positions
        ],
    )


def to_read(actor: Actor) -> ActorRead:
    return ActorRead(
        id=actor.id,
        key=actor.key,
        name=actor.name,
        aliases=[alias.alias for alias in actor.aliases],
        country=actor.country,
        wikidata_id=actor.wikidata_id,
        positions=[
            PositionRead(
                title=position.title,
                organization=organization_ref(position.organization)
                if position.organization
                else None,
                start_date=position.start_on,
                end_date=position.end_on,
            )
            for position in actor.positions
        ],
        created_at=actor.created_at,
        updated_at=actor.updated_at,
        version=actor.version,
    )


def apply_fields(actor: Actor, record: ActorRecord) -> None:
    actor.key = record.key
    actor.name = record.name
    actor.country = record.country
    actor.wikidata_id = record.wikidata_id
    actor.aliases = [
        ActorAlias(ordinal=index, alias=alias) for index, alias in enumerate(record.aliases)
    ]


def apply_references(
    session: Session, actor: Actor, record: ActorRecord, resolve: Resolver
) -> None:
    actor.positions = [
        ActorPosition(
            ordinal=index,
            title=position.title,
            organization_id=resolve("organizations", position.organization)
            if position.organization
            else None,
            start_on=position.start_date,
            end_on=position.end_date,
        )
        for index, position in enumerate(record.positions)
    ]


def references(record: ActorRecord) -> list[Reference]:
    return [
        (f"/positions/{index}/organization", "organizations", position.organization)
        for index, position in enumerate(record.positions)
        if position.organization
    ]


def referrers(session: Session, actor: Actor) -> list[Referrer]:
    engagements = session.execute(
        select(Engagement.key, Engagement.title)
        .join(EngagementParticipant)
        .where(EngagementParticipant.actor_id == actor.id)
        .order_by(Engagement.key)
    ).all()
    return [Referrer("engagements", key, title) for key, title in engagements]


def search_text(actor: Actor) -> tuple[str, str | None]:
    return actor.name, search_index.body(
        [alias.alias for alias in actor.aliases],
        [position.title for position in actor.positions],
    )


RECORD_TYPE = RecordType(
    name="actors",
    singular="actor",
    model=Actor,
    record_schema=ActorRecord,
    load_options=load_options,
    to_record=to_record,
    apply_fields=apply_fields,
    apply_references=apply_references,
    references=references,
    referrers=referrers,
    search_text=search_text,
)


def list_query(
    session: Session,
    *,
    country: list[str] | None = None,
    organization: list[str] | None = None,
    position: str | None = None,
    on: date | None = None,
    q: str | None = None,
) -> Select[Any]:
    """Filters on positions (`organization`, `position`, `on`) must hold for one and the same
    position: "who was Foreign Secretary on 2022-03-01" is one position row, not two."""
    query = select(Actor)
    if country:
        query = query.where(Actor.country.in_(country))
    conditions: list[ColumnElement[bool]] = []
    if organization:
        conditions.append(
            ActorPosition.organization_id.in_(ids_for_refs(session, Organization, organization))
        )
    if position:
        conditions.append(func.lower(ActorPosition.title) == position.strip().lower())
    if on is not None:
        conditions.append(or_(ActorPosition.start_on.is_(None), ActorPosition.start_on <= on))
        conditions.append(or_(ActorPosition.end_on.is_(None), ActorPosition.end_on >= on))
    if conditions:
        query = query.where(Actor.id.in_(select(ActorPosition.actor_id).where(and_(*conditions))))
    if q:
        query = query.where(Actor.id.in_(search.matching_ids("actors", q)))
    return query


FACETS = {
    "country": column_facet(Actor.id, Actor.country, "their country"),
    "organization": link_ref_facet(
        ActorPosition.actor_id,
        ActorPosition.organization_id,
        Organization,
        Organization.name,
        "each organization they held a position in",
    ),
    "position": link_facet(
        ActorPosition.actor_id, ActorPosition.title, "each position title they held, as written"
    ),
}
"""What the actor list can be faceted by; null counts the actors without a country."""
