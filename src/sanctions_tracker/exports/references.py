"""What the interchange formats need to know about the records a batch refers to.

A list's Read models embed references as `{id, key, name}`; FollowTheMoney and PLOVER also
want a person's country, an organization's kind, a source's publisher and URL. One query per
table and batch fetches them, so a stream never holds more than a batch's worth."""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanctions_tracker.models import Actor, Organization, Source
from sanctions_tracker.models.reference import Country


@dataclass(frozen=True)
class CountryInfo:
    code: str
    name: str
    alpha3: str | None


@dataclass(frozen=True)
class ActorInfo:
    key: str
    name: str
    country: str | None
    wikidata_id: str | None


@dataclass(frozen=True)
class OrganizationInfo:
    key: str
    name: str
    kind: str
    country: str | None
    wikidata_id: str | None


@dataclass(frozen=True)
class SourceInfo:
    key: str
    title: str
    publisher: str | None
    url: str | None
    published_on: date
    authors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class References:
    countries: dict[str, CountryInfo]
    actors: dict[int, ActorInfo] = field(default_factory=dict)
    organizations: dict[int, OrganizationInfo] = field(default_factory=dict)
    sources: dict[int, SourceInfo] = field(default_factory=dict)

    def country_name(self, code: str) -> str:
        info = self.countries.get(code)
        return info.name if info else code


def load(
    session: Session,
    *,
    actors: Collection[int] = (),
    organizations: Collection[int] = (),
    sources: Collection[int] = (),
) -> References:
    """The countries (a small fixed table) and the records with these ids."""
    countries = {
        code: CountryInfo(code, name, alpha3)
        for code, name, alpha3 in session.execute(
            select(Country.code, Country.name, Country.alpha3)
        )
    }
    found = References(countries)
    if actors:
        actor_query = select(Actor.id, Actor.key, Actor.name, Actor.country, Actor.wikidata_id)
        for row in session.execute(actor_query.where(Actor.id.in_(set(actors)))):
            found.actors[row.id] = ActorInfo(row.key, row.name, row.country, row.wikidata_id)
    if organizations:
        organization_query = select(
            Organization.id,
            Organization.key,
            Organization.name,
            Organization.kind,
            Organization.country,
            Organization.wikidata_id,
        )
        for organization in session.execute(
            organization_query.where(Organization.id.in_(set(organizations)))
        ):
            found.organizations[organization.id] = OrganizationInfo(
                organization.key,
                organization.name,
                organization.kind,
                organization.country,
                organization.wikidata_id,
            )
    if sources:
        source_query = select(
            Source.id,
            Source.key,
            Source.title,
            Source.publisher,
            Source.url,
            Source.published_on,
            Source.authors,
        )
        for source in session.execute(source_query.where(Source.id.in_(set(sources)))):
            found.sources[source.id] = SourceInfo(
                source.key,
                source.title,
                source.publisher,
                source.url,
                source.published_on,
                list(source.authors or []),
            )
    return found
