"""Extraction against the store: its actors, organizations and sectors feed the rules."""

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sanctions_tracker.extraction.context import (
    Context,
    KnownActor,
    KnownOrganization,
    KnownPosition,
    KnownSector,
)
from sanctions_tracker.extraction.extractor import extract
from sanctions_tracker.extraction.schemas import ExtractRequest, ExtractResult
from sanctions_tracker.models import Actor, ActorPosition, Organization, Sector
from sanctions_tracker.registry import RECORD_TYPES


def context(session: Session) -> Context:
    """What the store knows, read once per request (a few thousand rows at most)."""
    organizations = session.scalars(
        select(Organization).options(selectinload(Organization.aliases))
    ).all()
    org_keys = {org.id: org.key for org in organizations}
    actors = session.scalars(
        select(Actor).options(selectinload(Actor.aliases), selectinload(Actor.positions))
    ).all()
    sectors = session.scalars(select(Sector)).all()
    sector_keys = {sector.id: sector.key for sector in sectors}

    def position(p: ActorPosition) -> KnownPosition:
        organization = org_keys.get(p.organization_id) if p.organization_id else None
        return KnownPosition(p.title, organization, p.start_on, p.end_on)

    taken = {
        name: frozenset(session.scalars(select(RECORD_TYPES[name].model.key)).all())
        for name in ("sources", "actors", "engagements", "sanctions_rounds")
    }
    return Context(
        actors=tuple(
            KnownActor(
                actor.key,
                actor.name,
                tuple(alias.alias for alias in actor.aliases),
                actor.country,
                tuple(position(p) for p in actor.positions),
            )
            for actor in actors
        ),
        organizations=tuple(
            KnownOrganization(
                org.key, org.name, tuple(alias.alias for alias in org.aliases), org.country
            )
            for org in organizations
        ),
        sectors=tuple(
            KnownSector(
                sector.key,
                sector.name,
                sector_keys.get(sector.parent_id) if sector.parent_id else None,
            )
            for sector in sectors
        ),
        taken_keys=taken,
    )


def extract_draft(session: Session, request: ExtractRequest) -> ExtractResult:
    published_on = request.published_on or datetime.now(UTC).date()
    return run(request, published_on, context(session))


def run(request: ExtractRequest, published_on: date, known: Context) -> ExtractResult:
    draft = extract(
        request.text,
        published_on,
        known,
        publisher=request.publisher,
        title=request.title,
        url=request.url,
    )
    return ExtractResult.model_validate(
        {"bundle": draft.bundle, "evidence": draft.evidence, "notes": draft.notes}
    )
