"""FollowTheMoney (FtM) entities, one JSON object per line, as Aleph and OpenSanctions read them.

Actors are `Person`s (their positions `Position`s held through `Occupancy`s), organizations
`PublicBody`, `Company` or `Organization` by kind, sources `Article`s, engagements `Event`s (the
participants `involved`, the principals the `organizer`, the place an `Address`), and a sanctions
round one `Sanction` per target jurisdiction, whose `entity` is a `LegalEntity` standing for
that jurisdiction (`sdt-jurisdiction-ru`); the imposing jurisdictions are its `authority` and
`country`. A record's sources are its `proof`, `sourceUrl` and `publisher`, quotes its `notes`
(a Sanction, which has no notes, adds them to its `description`).

Every entity a line refers to is in the stream too, so a file is self-contained. Ids are
`sdt-<type>-<key>`, so exporting again gives the same lines. Countries are lower-case ISO codes
(`eu` for the European Union), dates ISO 8601 cut to their known precision (`2022-03`).
"""

import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic_core import to_json
from sqlalchemy.orm import Session

from sanctions_tracker.actors.schemas import ActorRead, PositionRead
from sanctions_tracker.engagements.schemas import EngagementRead
from sanctions_tracker.enums import DatePrecision, EngagementStatus, ParticipantRole
from sanctions_tracker.exports import references
from sanctions_tracker.exports.chunks import encoded
from sanctions_tracker.exports.references import (
    ActorInfo,
    OrganizationInfo,
    References,
    SourceInfo,
)
from sanctions_tracker.fields import CitationRead
from sanctions_tracker.organizations.schemas import OrganizationRead
from sanctions_tracker.sanctions_rounds.schemas import SanctionsRoundRead
from sanctions_tracker.sources.schemas import SourceRead

Entity = dict[str, Any]

ORGANIZATION_SCHEMAS = {"government_body": "PublicBody", "company": "Company"}
"""FtM's schema for each organization kind; the others are plain `Organization`s."""

RECENT_IDS = 100_000
"""How many emitted ids the writer remembers to skip repeated references: a bound on memory;
a reference repeated beyond it is one more line for the same id, which FtM tools merge."""


@dataclass(frozen=True)
class Line:
    """An entity to write; a `reference` (one that a record refers to) is written once."""

    entity: Entity
    reference: bool


def entity_id(kind: str, key: str) -> str:
    return f"sdt-{kind}-{key}"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def entity(schema: str, identifier: str, **properties: Iterable[str | None]) -> Entity:
    """An FtM entity; empty values are left out, repeats kept once, properties sorted."""
    cleaned = {}
    for name in sorted(properties):
        values = list(dict.fromkeys(value for value in properties[name] if value))
        if values:
            cleaned[name] = values
    return {"id": identifier, "schema": schema, "properties": cleaned}


def country(code: str | None) -> str | None:
    return code.lower() if code else None


def ftm_date(day: date | None, precision: DatePrecision = DatePrecision.day) -> str | None:
    """A date cut to what is known: FtM has months (`2022-03`) but no weeks, so a week keeps
    its day."""
    if day is None:
        return None
    return day.isoformat()[:7] if precision is DatePrecision.month else day.isoformat()


class Batch:
    """The lines of one batch: each record's entities, then those they refer to, each once."""

    def __init__(self, refs: References) -> None:
        self.refs = refs
        self.entities: dict[str, Entity] = {}
        self.records: set[str] = set()

    def claim(self, identifier: str) -> None:
        """Reserve a record's place, before the references it brings in."""
        self.entities[identifier] = {}
        self.records.add(identifier)

    def put(self, record: Entity) -> None:
        self.entities[record["id"]] = record

    def add(self, found: Entity) -> str:
        """A referenced entity, unless the batch already has it."""
        self.entities.setdefault(found["id"], found)
        return str(found["id"])

    def lines(self) -> list[Line]:
        return [
            Line(found, identifier not in self.records)
            for identifier, found in self.entities.items()
        ]

    def person(self, actor_id: int) -> str | None:
        info = self.refs.actors.get(actor_id)
        return self.add(person_entity(info)) if info else None

    def organization(self, organization_id: int) -> str | None:
        info = self.refs.organizations.get(organization_id)
        return self.add(organization_entity(info)) if info else None

    def jurisdiction(self, code: str) -> str:
        name = self.refs.country_name(code)
        lower = code.lower()
        return self.add(
            entity(
                "LegalEntity",
                entity_id("jurisdiction", lower),
                name=[name],
                country=[lower],
                jurisdiction=[lower],
            )
        )

    def cite(self, citations: list[CitationRead]) -> dict[str, list[str | None]]:
        """The properties that carry a record's sources, and their `Article`s in the batch."""
        proof: list[str | None] = []
        urls: list[str | None] = []
        publishers: list[str | None] = []
        notes: list[str | None] = []
        for citation in citations:
            source = self.refs.sources.get(citation.source.id)
            if source is None:
                continue
            proof.append(self.add(article_entity(source)))
            urls.append(source.url)
            publishers.append(source.publisher)
            if citation.quote:
                notes.append(f"“{citation.quote}” ({citation_text(source)})")
        return {"proof": proof, "sourceUrl": urls, "publisher": publishers, "notes": notes}


def citation_text(source: SourceInfo) -> str:
    """`Publisher, “Title”, 2022-04-01`."""
    parts = [source.publisher, f"“{source.title}”", source.published_on.isoformat()]
    return ", ".join(part for part in parts if part)


def person_entity(actor: ActorInfo | ActorRead, positions: Iterable[str] = ()) -> Entity:
    aliases = actor.aliases if isinstance(actor, ActorRead) else []
    return entity(
        "Person",
        entity_id("actor", actor.key),
        name=[actor.name],
        alias=aliases,
        country=[country(actor.country)],
        wikidataId=[actor.wikidata_id],
        position=positions,
    )


def organization_entity(
    organization: OrganizationInfo | OrganizationRead, parent: str | None = None
) -> Entity:
    kind = str(organization.kind)
    aliases = organization.aliases if isinstance(organization, OrganizationRead) else []
    return entity(
        ORGANIZATION_SCHEMAS.get(kind, "Organization"),
        entity_id("organization", organization.key),
        name=[organization.name],
        alias=aliases,
        country=[country(organization.country)],
        wikidataId=[organization.wikidata_id],
        classification=[kind.replace("_", " ")],
        parent=[parent],
    )


def article_entity(source: SourceInfo | SourceRead) -> Entity:
    return entity(
        "Article",
        entity_id("source", source.key),
        name=[source.title],
        title=[source.title],
        publisher=[source.publisher],
        sourceUrl=[source.url],
        publishedAt=[source.published_on.isoformat()],
        author=source.authors,
    )


def organizations(session: Session, items: list[OrganizationRead]) -> list[Line]:
    parents = {item.parent.id for item in items if item.parent}
    batch = Batch(references.load(session, organizations=parents))
    for item in items:
        batch.claim(entity_id("organization", item.key))
        parent = batch.organization(item.parent.id) if item.parent else None
        batch.put(organization_entity(item, parent))
    return batch.lines()


def actors(session: Session, items: list[ActorRead]) -> list[Line]:
    held = {p.organization.id for item in items for p in item.positions if p.organization}
    batch = Batch(references.load(session, organizations=held))
    for item in items:
        batch.claim(entity_id("actor", item.key))
        batch.put(person_entity(item, [position.title for position in item.positions]))
        for position in item.positions:
            _occupancy(batch, item, position)
    return batch.lines()


def _occupancy(batch: Batch, actor: ActorRead, position: PositionRead) -> None:
    """The post (one per title and organization, shared by its holders) and its holding."""
    organization = position.organization
    where = organization.key if organization else slug(actor.country or "")
    organization_ref = batch.organization(organization.id) if organization else None
    holder_country = actor.country
    if organization:
        info = batch.refs.organizations.get(organization.id)
        holder_country = info.country if info and info.country else holder_country
    post = batch.add(
        entity(
            "Position",
            entity_id("position", f"{slug(position.title)}-{where}"),
            name=[position.title],
            organization=[organization_ref],
            country=[country(holder_country)],
        )
    )
    start = position.start_date.isoformat() if position.start_date else "open"
    batch.add(
        entity(
            "Occupancy",
            entity_id("occupancy", f"{actor.key}-{slug(position.title)}-{where}-{start}"),
            holder=[entity_id("actor", actor.key)],
            post=[post],
            startDate=[ftm_date(position.start_date)],
            endDate=[ftm_date(position.end_date)],
        )
    )


def sources(session: Session, items: list[SourceRead]) -> list[Line]:
    return [Line(article_entity(item), reference=False) for item in items]


def _source_ids(items: Iterable[EngagementRead | SanctionsRoundRead]) -> set[int]:
    return {citation.source.id for item in items for citation in item.sources}


def sanctions_rounds(session: Session, items: list[SanctionsRoundRead]) -> list[Line]:
    batch = Batch(references.load(session, sources=_source_ids(items)))
    for item in items:
        cited = batch.cite(item.sources)
        quotes = cited.pop("notes")  # a Sanction has no notes: they join its description
        provisions = [measure.value.replace("_", " ") for measure in item.measures]
        provisions += [f"sector: {sector.name}" for sector in item.sectors]
        for target in item.targets:
            identifier = entity_id("sanction", f"{item.key}-{target.lower()}")
            batch.claim(identifier)
            batch.put(
                entity(
                    "Sanction",
                    identifier,
                    entity=[batch.jurisdiction(target)],
                    authority=[batch.refs.country_name(code) for code in item.imposed_by],
                    country=[country(code) for code in item.imposed_by],
                    program=[item.legal_basis],
                    provisions=provisions,
                    summary=[item.title],
                    description=[item.summary, *quotes],
                    listingDate=[item.announced_on.isoformat()],
                    startDate=[(item.effective_on or item.announced_on).isoformat()],
                    status=[item.status.value.replace("_", " ")],
                    recordId=[item.key],
                    **cited,
                )
            )
    return batch.lines()


def engagements(session: Session, items: list[EngagementRead]) -> list[Line]:
    batch = Batch(
        references.load(
            session,
            actors={p.actor.id for item in items for p in item.participants},
            organizations={o.id for item in items for o in item.organizations},
            sources=_source_ids(items),
        )
    )
    for item in items:
        identifier = entity_id("engagement", item.key)
        batch.claim(identifier)
        people = {p.actor.id: batch.person(p.actor.id) for p in item.participants}
        principals = [
            people[p.actor.id] for p in item.participants if p.role is ParticipantRole.principal
        ]
        bodies = [batch.organization(organization.id) for organization in item.organizations]
        place, address = _place(batch, item)
        keywords = [item.kind.value, *item.topics]
        if item.status is not EngagementStatus.held:
            keywords.append(item.status.value)
        event = entity(
            "Event",
            identifier,
            name=[item.title],
            summary=[item.summary],
            startDate=[ftm_date(item.start_date, item.date_precision)],
            endDate=[ftm_date(item.end_date, item.date_precision)],
            country=[country(code) for code in item.countries],
            involved=[*people.values(), *bodies],
            organizer=principals,
            location=[place],
            addressEntity=[address],
            keywords=keywords,
            **batch.cite(item.sources),
        )
        batch.put(event)
    return batch.lines()


def _place(batch: Batch, engagement: EngagementRead) -> tuple[str | None, str | None]:
    """`City, Country` and the engagement's `Address`, or (None, None) without a location."""
    location = engagement.location
    if location is None:
        return None, None
    country_name = batch.refs.country_name(location.country) if location.country else None
    place = ", ".join(part for part in (location.city, country_name) if part)
    coordinates = (location.latitude, location.longitude)
    latitude, longitude = (None, None) if None in coordinates else coordinates
    address = batch.add(
        entity(
            "Address",
            entity_id("address", engagement.key),
            full=[place],
            city=[location.city],
            country=[country(location.country)],
            latitude=[repr(latitude) if latitude is not None else None],
            longitude=[repr(longitude) if longitude is not None else None],
        )
    )
    return place or None, address


def write_entities(lines: Iterable[Line]) -> Iterator[bytes]:
    """One entity per line; a reference already written (among the last `RECENT_IDS` ids)
    is skipped, a record never is."""
    return encoded(_texts(lines))


def _texts(lines: Iterable[Line]) -> Iterator[str]:
    recent: OrderedDict[str, None] = OrderedDict()
    for line in lines:
        identifier = line.entity["id"]
        if identifier in recent:
            recent.move_to_end(identifier)
            if line.reference:
                continue
        recent[identifier] = None
        if len(recent) > RECENT_IDS:
            recent.popitem(last=False)
        yield to_json(line.entity).decode("utf-8") + "\n"
