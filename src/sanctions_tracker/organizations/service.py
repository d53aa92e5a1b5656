"""Organizations: ministries, alliances, blocs, media and companies, in a parent tree."""

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from sanctions_tracker.enums import OrganizationKind
from sanctions_tracker.facets import column_facet, parent_facet
from sanctions_tracker.fields import Ref
from sanctions_tracker.models import (
    Actor,
    ActorPosition,
    Engagement,
    EngagementOrganization,
    Organization,
    OrganizationAlias,
)
from sanctions_tracker.organizations.schemas import OrganizationRead, OrganizationRecord
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
    "name": Organization.name,
    "key": Organization.key,
    "kind": Organization.kind,
    "created_at": Organization.created_at,
    "updated_at": Organization.updated_at,
    "id": Organization.id,
}
DEFAULT_SORT = "name"


def ref(organization: Organization) -> Ref:
    return Ref(id=organization.id, key=organization.key, name=organization.name)


def load_options() -> list[LoaderOption]:
    return [selectinload(Organization.parent), selectinload(Organization.aliases)]


def to_record(organization: Organization) -> OrganizationRecord:
    return OrganizationRecord(
        key=organization.key,
        name=organization.name,
        kind=OrganizationKind(organization.kind),
        country=organization.country,
        parent=organization.parent.key if organization.parent else None,
        aliases=[alias.alias for alias in organization.aliases],
        wikidata_id=organization.wikidata_id,
    )


def to_read(organization: Organization) -> OrganizationRead:
    record = to_record(organization)
    return OrganizationRead(
        id=organization.id,
        parent=ref(organization.parent) if organization.parent else None,
        created_at=organization.created_at,
        updated_at=organization.updated_at,
        version=organization.version,
        **record.model_dump(exclude={"parent"}),
    )


def apply_fields(organization: Organization, record: OrganizationRecord) -> None:
    organization.key = record.key
    organization.name = record.name
    organization.kind = record.kind.value
    organization.country = record.country
    organization.wikidata_id = record.wikidata_id
    organization.aliases = [
        OrganizationAlias(ordinal=index, alias=alias) for index, alias in enumerate(record.aliases)
    ]


def apply_references(
    session: Session, organization: Organization, record: OrganizationRecord, resolve: Resolver
) -> None:
    organization.parent_id = resolve("organizations", record.parent) if record.parent else None


def references(record: OrganizationRecord) -> list[Reference]:
    return [("/parent", "organizations", record.parent)] if record.parent else []


def referrers(session: Session, organization: Organization) -> list[Referrer]:
    children = session.execute(
        select(Organization.key, Organization.name)
        .where(Organization.parent_id == organization.id)
        .order_by(Organization.key)
    ).all()
    actors = session.execute(
        select(Actor.key, Actor.name)
        .where(
            Actor.id.in_(
                select(ActorPosition.actor_id).where(
                    ActorPosition.organization_id == organization.id
                )
            )
        )
        .order_by(Actor.key)
    ).all()
    engagements = session.execute(
        select(Engagement.key, Engagement.title)
        .join(EngagementOrganization)
        .where(EngagementOrganization.organization_id == organization.id)
        .order_by(Engagement.key)
    ).all()
    return (
        [Referrer("organizations", key, name) for key, name in children]
        + [Referrer("actors", key, name) for key, name in actors]
        + [Referrer("engagements", key, title) for key, title in engagements]
    )


def search_text(organization: Organization) -> tuple[str, str | None]:
    return organization.name, search_index.body([alias.alias for alias in organization.aliases])


RECORD_TYPE = RecordType(
    name="organizations",
    singular="organization",
    model=Organization,
    record_schema=OrganizationRecord,
    load_options=load_options,
    to_record=to_record,
    apply_fields=apply_fields,
    apply_references=apply_references,
    references=references,
    referrers=referrers,
    parent_of=lambda record: record.parent,
    search_text=search_text,
)


def list_query(
    session: Session,
    *,
    kind: list[OrganizationKind] | None = None,
    country: list[str] | None = None,
    parent: list[str] | None = None,
    q: str | None = None,
) -> Select[Any]:
    query = select(Organization)
    if kind:
        query = query.where(Organization.kind.in_([value.value for value in kind]))
    if country:
        query = query.where(Organization.country.in_(country))
    if parent:
        query = query.where(Organization.parent_id.in_(ids_for_refs(session, Organization, parent)))
    if q:
        query = query.where(Organization.id.in_(search.matching_ids("organizations", q)))
    return query


FACETS = {
    "kind": column_facet(Organization.id, Organization.kind, "its kind"),
    "country": column_facet(Organization.id, Organization.country, "its country"),
    "parent": parent_facet(Organization, "name", "the organization it belongs to"),
}
"""What the organization list can be faceted by; null counts those without a value."""
