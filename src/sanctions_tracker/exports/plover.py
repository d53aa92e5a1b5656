"""PLOVER event records (the Open Event Data Alliance's event data format), one per line.

Every consultation (call, meeting, visit, trip, ministerial, summit) is a `CONSULT` event, with
the mode the PLOVER manual defines: `phone` for calls, `visit` for visits, trips and meetings
hosted by one of the parties, `third-party` for a meeting where none of them is at home, and
`multilateral` for ministerials and summits. Statements are comments, which PLOVER does not code.

Actors are coded as the manual says: a country's ISO 3166-1 alpha-3 code (`IGO` for the
European Union), a person's name and Wikidata id. The visitors are the `source` and the host
the `recipient`; on calls and meetings elsewhere the principals' countries are the `source`
and the others the `recipient`; at multilateral meetings every party is a `source`.
`event_loc` follows the GeoNames field names the manual adopts, `cite_info` the manual's
citation object (the first source; `citations` has every one), `event_text` the quotes.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy.orm import Session

from sanctions_tracker.engagements.schemas import EngagementRead
from sanctions_tracker.enums import (
    DatePrecision,
    EngagementKind,
    EngagementStatus,
    ParticipantRole,
)
from sanctions_tracker.exports import references
from sanctions_tracker.exports.ndjson import write_ndjson
from sanctions_tracker.exports.references import References, SourceInfo

Event = dict[str, Any]

CONSULTATIONS = (
    EngagementKind.call,
    EngagementKind.meeting,
    EngagementKind.visit,
    EngagementKind.trip,
    EngagementKind.summit,
    EngagementKind.ministerial,
)
MULTILATERAL = (EngagementKind.summit, EngagementKind.ministerial)
VERBAL_COOPERATION = 1
"""CONSULT's quad category in the manual."""

CONTEXTS = {EngagementStatus.planned: "future", EngagementStatus.cancelled: "negation"}
"""The manual's contexts for what has not (yet) happened; a held engagement has none."""


def event_id(key: str) -> str:
    return f"sdt-engagement-{key}"


def events(session: Session, items: list[EngagementRead]) -> list[Event]:
    """The batch's events; the list keeps only `CONSULTATIONS` (the export's `where`)."""
    refs = references.load(
        session,
        actors={p.actor.id for item in items for p in item.participants},
        sources={citation.source.id for item in items for citation in item.sources},
    )
    return [event(item, refs) for item in items]


def mode(engagement: EngagementRead) -> str | None:
    kind = engagement.kind
    if kind is EngagementKind.call:
        return "phone"
    if kind in MULTILATERAL:
        return "multilateral"
    if kind in (EngagementKind.visit, EngagementKind.trip):
        return "visit"
    host = engagement.location.country if engagement.location else None
    if host is None:
        return None
    return "visit" if host in engagement.countries else "third-party"


def sides(
    engagement: EngagementRead, refs: References, how: str | None
) -> tuple[list[str], list[str]]:
    """The countries of the `source` and of the `recipient`."""
    parties = engagement.countries
    if how == "multilateral" or len(parties) < 2:
        return parties, []
    host = engagement.location.country if engagement.location else None
    if how == "visit" and host is not None and host in parties:
        return [code for code in parties if code != host], [host]
    principals = {
        info.country
        for participant in engagement.participants
        if participant.role is ParticipantRole.principal
        and (info := refs.actors.get(participant.actor.id)) is not None
    }
    source = [code for code in parties if code in principals]
    if not source or len(source) == len(parties):
        return parties, []
    return source, [code for code in parties if code not in principals]


def actors(engagement: EngagementRead, refs: References, countries: list[str]) -> list[Event]:
    """Per country, its participants (or the country alone when none of them is from it)."""
    coded = []
    for code in countries:
        people = [
            info
            for participant in engagement.participants
            if (info := refs.actors.get(participant.actor.id)) is not None and info.country == code
        ]
        base = {"code": actor_code(code, refs), "actor_text": refs.country_name(code)}
        if not people:
            coded.append(base)
        for person in people:
            coded.append(
                base
                | _present(
                    actor_text=person.name,
                    identifier_id=person.wikidata_id,
                    identifier_text=person.name,
                )
            )
    return coded


def actor_code(code: str, refs: References) -> str:
    info = refs.countries.get(code)
    return info.alpha3 if info and info.alpha3 else "IGO"


def location(engagement: EngagementRead, refs: References) -> Event | None:
    place = engagement.location
    if place is None:
        return None
    info = refs.countries.get(place.country) if place.country else None
    return _present(
        name=place.city or (info.name if info else None),
        latitude=place.latitude,
        longitude=place.longitude,
        **{"country code": place.country, "cc3": info.alpha3 if info else None},
    )


def cite_info(source: SourceInfo) -> Event:
    return _present(
        title=source.title,
        url=source.url,
        publication=source.publisher,
        citation=", ".join(
            part
            for part in (source.publisher, f"“{source.title}”", source.published_on.isoformat())
            if part
        ),
        date=source.published_on.isoformat(),
    )


def event(engagement: EngagementRead, refs: References) -> Event:
    how = mode(engagement)
    source, recipient = sides(engagement, refs, how)
    cited = [
        (refs.sources[citation.source.id], citation.quote)
        for citation in engagement.sources
        if citation.source.id in refs.sources
    ]
    citations = [cite_info(info) for info, _ in cited]
    end = engagement.end_date if engagement.end_date != engagement.start_date else None
    context = CONTEXTS.get(engagement.status)
    return _present(
        id=event_id(engagement.key),
        date=engagement.start_date.isoformat(),
        enddate=end.isoformat() if end else None,
        date_precision=(
            engagement.date_precision.value
            if engagement.date_precision is not DatePrecision.day
            else None
        ),
        source=actors(engagement, refs, source),
        recipient=actors(engagement, refs, recipient),
        event=["CONSULT"],
        mode=[how] if how else None,
        context=[context] if context else None,
        quad_code=VERBAL_COOPERATION,
        event_loc=location(engagement, refs),
        event_text=[quote for _, quote in cited if quote],
        title=engagement.title,
        comment=engagement.summary,
        cite_info=citations[0] if citations else None,
        citations=citations,
        coder="sanctions-tracker",
    )


def _present(**fields: Any) -> Event:
    """The fields that have a value; PLOVER's fields are optional, so empty ones are left out."""
    return {name: value for name, value in fields.items() if value not in (None, [], "")}


def write_events(items: Iterable[Event]) -> Iterator[bytes]:
    return write_ndjson(items)
