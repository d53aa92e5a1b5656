"""What the store already knows that extraction matches against: people, bodies, sectors.

Plain frozen records, so the extractor is a pure function that the evaluator can feed from
the packaged seed bundle and the service from the database."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class KnownPosition:
    title: str
    organization: str | None
    start: date | None
    end: date | None

    def held_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class KnownActor:
    key: str
    name: str
    aliases: tuple[str, ...]
    country: str | None
    positions: tuple[KnownPosition, ...]


@dataclass(frozen=True)
class KnownOrganization:
    key: str
    name: str
    aliases: tuple[str, ...]
    country: str | None


@dataclass(frozen=True)
class KnownSector:
    key: str
    name: str
    parent: str | None


@dataclass(frozen=True)
class Context:
    actors: tuple[KnownActor, ...] = ()
    organizations: tuple[KnownOrganization, ...] = ()
    sectors: tuple[KnownSector, ...] = ()
    taken_keys: dict[str, frozenset[str]] = field(default_factory=dict)
    """Keys already used per record type, so proposed records get fresh ones."""


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def from_bundle(bundle: dict[str, Any]) -> Context:
    """The context a store holding exactly this bundle would give."""
    actors = tuple(
        KnownActor(
            key=record["key"],
            name=record["name"],
            aliases=tuple(record.get("aliases", [])),
            country=record.get("country"),
            positions=tuple(
                KnownPosition(
                    title=position["title"],
                    organization=position.get("organization"),
                    start=_day(position.get("start_date")),
                    end=_day(position.get("end_date")),
                )
                for position in record.get("positions", [])
            ),
        )
        for record in bundle.get("actors", [])
    )
    organizations = tuple(
        KnownOrganization(
            key=record["key"],
            name=record["name"],
            aliases=tuple(record.get("aliases", [])),
            country=record.get("country"),
        )
        for record in bundle.get("organizations", [])
    )
    sectors = tuple(
        KnownSector(key=record["key"], name=record["name"], parent=record.get("parent"))
        for record in bundle.get("sectors", [])
    )
    taken = {
        name: frozenset(record["key"] for record in bundle.get(name, []))
        for name in ("sources", "actors", "engagements", "sanctions_rounds")
    }
    return Context(actors, organizations, sectors, taken)
