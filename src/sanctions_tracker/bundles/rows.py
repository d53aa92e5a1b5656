"""New records as plain table rows, for the bulk path of the write engine.

Each function is the row form of its record type's `apply_fields` + `apply_references`: the
record's own row (without `id`) and its child rows by relationship name (without the parent's
id). The tests hold the two forms to the same stored state, history and search documents.
"""

from collections.abc import Callable
from typing import Any

from sanctions_tracker.record_types import Resolver

Row = dict[str, Any]
Rows = tuple[Row, dict[str, list[Row]]]
RowBuilder = Callable[[Any, Resolver], Rows]


def _parent(resolve: Resolver, record_type: str, key: str | None) -> int | None:
    return resolve(record_type, key) if key else None


def _citations(record: Any, resolve: Resolver) -> list[Row]:
    return [
        {
            "ordinal": index,
            "source_id": resolve("sources", citation.source),
            "quote": citation.quote,
        }
        for index, citation in enumerate(record.sources)
    ]


def source(record: Any, resolve: Resolver) -> Rows:
    row = {
        "key": record.key,
        "kind": record.kind.value,
        "title": record.title,
        "publisher": record.publisher,
        "url": record.url,
        "published_on": record.published_on,
        "authors": list(record.authors),
    }
    return row, {}


def organization(record: Any, resolve: Resolver) -> Rows:
    row = {
        "key": record.key,
        "name": record.name,
        "kind": record.kind.value,
        "country": record.country,
        "wikidata_id": record.wikidata_id,
        "parent_id": _parent(resolve, "organizations", record.parent),
    }
    aliases = [{"ordinal": index, "alias": alias} for index, alias in enumerate(record.aliases)]
    return row, {"aliases": aliases}


def actor(record: Any, resolve: Resolver) -> Rows:
    row = {
        "key": record.key,
        "name": record.name,
        "country": record.country,
        "wikidata_id": record.wikidata_id,
    }
    aliases = [{"ordinal": index, "alias": alias} for index, alias in enumerate(record.aliases)]
    positions = [
        {
            "ordinal": index,
            "title": position.title,
            "organization_id": _parent(resolve, "organizations", position.organization),
            "start_on": position.start_date,
            "end_on": position.end_date,
        }
        for index, position in enumerate(record.positions)
    ]
    return row, {"aliases": aliases, "positions": positions}


def sector(record: Any, resolve: Resolver) -> Rows:
    row = {
        "key": record.key,
        "name": record.name,
        "description": record.description,
        "parent_id": _parent(resolve, "sectors", record.parent),
    }
    return row, {}


def sanctions_round(record: Any, resolve: Resolver) -> Rows:
    row = {
        "key": record.key,
        "title": record.title,
        "announced_on": record.announced_on,
        "effective_on": record.effective_on,
        "status": record.status.value,
        "legal_basis": record.legal_basis,
        "designations": record.designations,
        "summary": record.summary,
    }
    return row, {
        "imposers": [
            {"ordinal": index, "country": code} for index, code in enumerate(record.imposed_by)
        ],
        "targets": [
            {"ordinal": index, "country": code} for index, code in enumerate(record.targets)
        ],
        "measures": [
            {"ordinal": index, "measure": measure.value}
            for index, measure in enumerate(record.measures)
        ],
        "sectors": [
            {"ordinal": index, "sector_id": resolve("sectors", key)}
            for index, key in enumerate(record.sectors)
        ],
        "sources": _citations(record, resolve),
    }


def engagement(record: Any, resolve: Resolver) -> Rows:
    location = record.location
    row = {
        "key": record.key,
        "kind": record.kind.value,
        "title": record.title,
        "summary": record.summary,
        "start_on": record.start_date,
        "end_on": record.end_date,
        "date_precision": record.date_precision.value,
        "status": record.status.value,
        "location_city": location.city if location else None,
        "location_country": location.country if location else None,
        "location_latitude": location.latitude if location else None,
        "location_longitude": location.longitude if location else None,
        "parent_id": _parent(resolve, "engagements", record.parent),
    }
    return row, {
        "countries": [
            {"ordinal": index, "country": code} for index, code in enumerate(record.countries)
        ],
        "topics": [{"ordinal": index, "topic": topic} for index, topic in enumerate(record.topics)],
        "organizations": [
            {"ordinal": index, "organization_id": resolve("organizations", key)}
            for index, key in enumerate(record.organizations)
        ],
        "participants": [
            {
                "ordinal": index,
                "actor_id": resolve("actors", participant.actor),
                "role": participant.role.value,
            }
            for index, participant in enumerate(record.participants)
        ],
        "sectors": [
            {"ordinal": index, "sector_id": resolve("sectors", key)}
            for index, key in enumerate(record.sectors)
        ],
        "sanctions_rounds": [
            {"ordinal": index, "sanctions_round_id": resolve("sanctions_rounds", key)}
            for index, key in enumerate(record.sanctions_rounds)
        ],
        "sources": _citations(record, resolve),
    }


BUILDERS: dict[str, RowBuilder] = {
    "sources": source,
    "organizations": organization,
    "actors": actor,
    "sectors": sector,
    "sanctions_rounds": sanctions_round,
    "engagements": engagement,
}
