"""Small record builders: defaults plus the overrides a test cares about, written through the
same engine as the API, never through the endpoint under test."""

from typing import Any

from sqlalchemy.orm import Session

from sanctions_tracker.bundles.engine import Incoming, write_records
from sanctions_tracker.registry import RECORD_TYPES

_counter = 0


def _next() -> int:
    global _counter
    _counter += 1
    return _counter


def make(session: Session, record_type: str, fields: dict[str, Any]) -> dict[str, Any]:
    record = RECORD_TYPES[record_type].record_schema.model_validate(fields)
    write_records(session, {record_type: [Incoming("", record)]})
    session.commit()  # a savepoint release: the test's outer transaction still undoes it
    return record.model_dump(mode="json")


def make_source(session: Session, **overrides: Any) -> dict[str, Any]:
    fields = {
        "key": f"source-{_next()}",
        "kind": "news_article",
        "title": "Blinken, UK's Truss discuss additional response to Ukraine invasion",
        "publisher": "Reuters",
        "published_on": "2022-04-01",
    }
    return make(session, "sources", fields | overrides)


def make_organization(session: Session, **overrides: Any) -> dict[str, Any]:
    fields = {
        "key": f"organization-{_next()}",
        "name": "U.S. Department of State",
        "kind": "government_body",
        "country": "US",
    }
    return make(session, "organizations", fields | overrides)


def make_actor(session: Session, **overrides: Any) -> dict[str, Any]:
    fields = {"key": f"actor-{_next()}", "name": "Antony Blinken", "country": "US"}
    return make(session, "actors", fields | overrides)


def make_sector(session: Session, **overrides: Any) -> dict[str, Any]:
    fields = {"key": f"sector-{_next()}", "name": "Energy"}
    return make(session, "sectors", fields | overrides)


def make_round(session: Session, **overrides: Any) -> dict[str, Any]:
    fields = {
        "key": f"round-{_next()}",
        "title": "Ban on imports of Russian oil, gas and coal",
        "imposed_by": ["US"],
        "targets": ["RU"],
        "announced_on": "2022-03-08",
        "status": "in_force",
        "measures": ["import_ban"],
    }
    return make(session, "sanctions_rounds", fields | overrides)


def make_engagement(session: Session, **overrides: Any) -> dict[str, Any]:
    fields = {
        "key": f"engagement-{_next()}",
        "kind": "call",
        "title": "Blinken and Truss discuss the response to the invasion",
        "start_date": "2022-04-01",
        "countries": ["US", "GB"],
    }
    return make(session, "engagements", fields | overrides)
