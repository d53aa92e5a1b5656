"""What each record type looks like as a file: its CSV columns and, for engagements, the GeoJSON
feature and the iCalendar event."""

from collections.abc import Mapping
from datetime import UTC, timedelta
from typing import Any

from icalendar import Event

from sanctions_tracker.actors.schemas import ActorRead, PositionRead
from sanctions_tracker.countries.schemas import CountryRead
from sanctions_tracker.engagements.schemas import EngagementRead, ParticipantRead
from sanctions_tracker.enums import EngagementStatus
from sanctions_tracker.exports.columns import Column, derive
from sanctions_tracker.exports.geojson import Feature, point_feature
from sanctions_tracker.exports.ics import UID_DOMAIN
from sanctions_tracker.organizations.schemas import OrganizationRead
from sanctions_tracker.sanctions_rounds.schemas import SanctionsRoundRead
from sanctions_tracker.sectors.schemas import SectorRead
from sanctions_tracker.sources.schemas import SourceRead
from sanctions_tracker.timeline.schemas import EngagementItem, SanctionsRoundItem


def participant_cell(participant: ParticipantRead | Mapping[str, Any]) -> str:
    """`actor-key (role)`, from the model or from its document."""
    if isinstance(participant, ParticipantRead):
        return f"{participant.actor.key} ({participant.role.value})"
    return f"{participant['actor']['key']} ({participant['role']})"


def position_cell(position: PositionRead) -> str:
    """`title (organization-key, start/end)`, the span as an ISO 8601 interval whose unknown
    ends are `..`."""
    start = position.start_date.isoformat() if position.start_date else ".."
    end = position.end_date.isoformat() if position.end_date else ".."
    span = "" if start == end == ".." else f"{start}/{end}"
    organization = position.organization.key if position.organization else ""
    details = ", ".join(part for part in (organization, span) if part)
    return f"{position.title} ({details})" if details else position.title


ENGAGEMENT_COLUMNS = derive(EngagementRead, items={ParticipantRead: participant_cell})
SANCTIONS_ROUND_COLUMNS = derive(SanctionsRoundRead)
ACTOR_COLUMNS = derive(ActorRead, items={PositionRead: position_cell})
ORGANIZATION_COLUMNS = derive(OrganizationRead)
SECTOR_COLUMNS = derive(SectorRead)
SOURCE_COLUMNS = derive(SourceRead)
COUNTRY_COLUMNS = derive(CountryRead)


def engagement_feature(engagement: EngagementRead) -> Feature | None:
    """A Point at the engagement's coordinates, or None when it has none."""
    location = engagement.location
    if location is None or location.latitude is None or location.longitude is None:
        return None
    properties: dict[str, Any] = {
        "id": engagement.id,
        "key": engagement.key,
        "title": engagement.title,
        "summary": engagement.summary,
        "kind": engagement.kind.value,
        "status": engagement.status.value,
        "start_date": engagement.start_date.isoformat(),
        "end_date": engagement.end_date.isoformat() if engagement.end_date else None,
        "date_precision": engagement.date_precision.value,
        "city": location.city,
        "country": location.country,
        "countries": engagement.countries,
        "actors": [participant.actor.key for participant in engagement.participants],
        "organizations": [organization.key for organization in engagement.organizations],
        "topics": engagement.topics,
        "parent": engagement.parent.key if engagement.parent else None,
    }
    return point_feature(engagement.key, location.longitude, location.latitude, properties)


EVENT_STATUSES = {
    EngagementStatus.planned: "TENTATIVE",
    EngagementStatus.held: "CONFIRMED",
    EngagementStatus.cancelled: "CANCELLED",
}


def engagement_event(engagement: EngagementRead) -> Event:
    """An all-day VEVENT from the start date to the day after the end date (DTEND is
    exclusive), one day long when there is no end date."""
    event = Event()
    event.add("uid", f"{engagement.key}@{UID_DOMAIN}")
    event.add("dtstamp", engagement.updated_at.astimezone(UTC))
    event.add("created", engagement.created_at.astimezone(UTC))
    event.add("last-modified", engagement.updated_at.astimezone(UTC))
    event.add("dtstart", engagement.start_date)
    event.add("dtend", (engagement.end_date or engagement.start_date) + timedelta(days=1))
    event.add("summary", engagement.title)
    if engagement.summary:
        event.add("description", engagement.summary)
    location = engagement.location
    if location is not None:
        place = ", ".join(part for part in (location.city, location.country) if part)
        if place:
            event.add("location", place)
        if location.latitude is not None and location.longitude is not None:
            event.add("geo", (location.latitude, location.longitude))
    event.add("status", EVENT_STATUSES[engagement.status])
    event.add("categories", [engagement.kind.value])
    event.add("transp", "TRANSPARENT")
    return event


def _merged(*layouts: list[Column]) -> list[Column]:
    """One layout for rows of several kinds: each header once, where it first appears; a row
    without a field leaves its cell empty."""
    seen: set[str] = set()
    merged = []
    for layout in layouts:
        for column in layout:
            if column.header not in seen:
                seen.add(column.header)
                merged.append(column)
    return merged


TIMELINE_COLUMNS = _merged(
    [Column("type", lambda item: str(item.type))],
    derive(EngagementItem, items={ParticipantRead: participant_cell}, exclude=["type"]),
    derive(SanctionsRoundItem, exclude=["type"]),
)
