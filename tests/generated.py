"""A generated store of a few thousand records, for the views that count, rank and page.

`generate_bundle()` is deterministic (one `random.Random(seed)`) and writes every field of every
record, so a test computes its expected answer from the bundle's dicts in plain Python, without
defaults to remember. `open_store` loads it into a database through the import path; the session
fixture `generated_store` in `tests/conftest.py` does so once per backend.

What the data holds, beyond volume (tests may rely on it):
- engagements start between 2021-01-01 and 2023-12-31 and none touches August 2022 (a hole to
  fill); about a third last several days; trips have legs that name them as parent;
- sanctions rounds are announced in the same years, none in the third quarter of 2021;
- both have records on the ISO-week edges in `EDGE_DAYS` (2021-01-03 is in 2020-W53);
- the United States is a party to about half of the engagements (a hub in the network);
- the sectors form a three-level tree (`SECTOR_TREE`); records name sectors at every level.
"""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from sanctions_tracker import migrations
from sanctions_tracker.app import create_app
from sanctions_tracker.bundles import service as bundles
from sanctions_tracker.db import build_engine, get_session, get_stream_session

SEED = 20220401
FIRST_DAY = date(2021, 1, 1)
LAST_DAY = date(2023, 12, 31)
EDGE_DAYS = [
    date(2021, 1, 1),  # Friday of 2020-W53
    date(2021, 1, 3),  # Sunday of 2020-W53
    date(2021, 1, 4),  # Monday of 2021-W01
    date(2022, 1, 2),  # Sunday of 2021-W52
    date(2023, 1, 1),  # Sunday of 2022-W52
    date(2023, 12, 31),  # Sunday of 2023-W52
]

COUNTS = {
    "sources": 60,
    "organizations": 200,
    "actors": 300,
    "engagements": 1_500,  # trips' legs included
    "sanctions_rounds": 800,
}

COUNTRIES = [
    "US", "GB", "EU", "FR", "DE", "IT", "PL", "UA", "RU", "BY", "CN", "IN", "JP",
    "KR", "AU", "CA", "TR", "AE", "SA", "BR", "ZA", "NO", "CH", "SE", "FI",
]  # fmt: skip
IMPOSERS = ["US", "GB", "EU", "CA", "JP", "AU", "CH", "NO", "KR", "NZ"]
TARGETS = ["RU", "BY", "IR", "KP", "SY", "CN", "VE", "MM"]
TOPICS = [
    "sanctions", "energy", "nato", "ukraine", "trade", "finance",
    "security", "technology", "food-security", "nuclear",
]  # fmt: skip
SECTOR_TREE = {
    "energy": None,
    "oil": "energy",
    "gas": "energy",
    "lng": "gas",
    "coal": "energy",
    "finance": None,
    "banking": "finance",
    "central-bank": "banking",
    "insurance": "finance",
    "technology": None,
    "microelectronics": "technology",
    "software": "technology",
    "defence": None,
    "transport": None,
    "aviation": "transport",
    "shipping": "transport",
}
CITIES = [
    ("London", "GB", 51.50853, -0.12574),
    ("Brussels", "BE", 50.85045, 4.34878),
    ("Paris", "FR", 48.85341, 2.3488),
    ("Berlin", "DE", 52.52437, 13.41053),
    ("Washington", "US", 38.89511, -77.03637),
    ("New Delhi", "IN", 28.63576, 77.22445),
    ("Tokyo", "JP", 35.6895, 139.69171),
    ("Kyiv", "UA", 50.45466, 30.5238),
    ("Warsaw", "PL", 52.22977, 21.01178),
    ("Rabat", "MA", 34.01325, -6.83255),
]
ENGAGEMENT_KINDS = ["call", "meeting", "visit", "summit", "ministerial", "statement", "other"]
ORGANIZATION_KINDS = ["government_body", "alliance", "international_organization", "bloc", "media"]
ROLES = ["principal", "counterpart", "participant", "spokesperson"]
MEASURES = [
    "asset_freeze", "travel_ban", "export_controls", "import_ban", "investment_ban",
    "financial_restrictions", "swift_exclusion", "sovereign_debt", "price_cap", "services_ban",
    "transport_ban", "other",
]  # fmt: skip
ROUND_STATUSES = ["planned", "announced", "in_force", "in_force", "lifted"]


def engagement_hole(day: date) -> bool:
    return day.year == 2022 and day.month == 8


def round_hole(day: date) -> bool:
    return day.year == 2021 and 7 <= day.month <= 9


def generate_bundle(seed: int = SEED) -> dict[str, Any]:
    """A bundle of about 3,000 records; the same seed gives the same bundle."""
    rng = random.Random(seed)
    sources = [_source(rng, index) for index in range(COUNTS["sources"])]
    organizations = [_organization(rng, index) for index in range(COUNTS["organizations"])]
    actors = [_actor(rng, index, organizations) for index in range(COUNTS["actors"])]
    sectors = [
        {"key": key, "name": key.replace("-", " ").title(), "parent": parent, "description": None}
        for key, parent in SECTOR_TREE.items()
    ]
    rounds = [_round(rng, index, sources) for index in range(COUNTS["sanctions_rounds"])]
    engagements = _engagements(rng, sources, organizations, actors, rounds)
    return {
        "format": "sanctions-tracker-bundle/1",
        "sources": sources,
        "organizations": organizations,
        "actors": actors,
        "sectors": sectors,
        "sanctions_rounds": rounds,
        "engagements": engagements,
    }


def _day(rng: random.Random, hole: Any) -> date:
    span = (LAST_DAY - FIRST_DAY).days
    while True:
        day = FIRST_DAY + timedelta(days=rng.randint(0, span))
        if not hole(day):
            return day


def _some(rng: random.Random, values: list[Any], low: int, high: int) -> list[Any]:
    return rng.sample(values, rng.randint(low, high))


def _citations(rng: random.Random, sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if rng.random() < 0.5:
        return []
    return [{"source": rng.choice(sources)["key"], "quote": rng.choice([None, "as reported"])}]


def _source(rng: random.Random, index: int) -> dict[str, Any]:
    return {
        "key": f"source-{index:03d}",
        "kind": rng.choice(["news_article", "official_statement", "press_release", "legal_act"]),
        "title": f"Generated source {index}",
        "publisher": rng.choice(["Reuters", "Associated Press", "Official Journal", None]),
        "url": f"https://example.org/sources/{index}" if rng.random() < 0.7 else None,
        "published_on": _day(rng, lambda day: False).isoformat(),
        "authors": [],
    }


def _organization(rng: random.Random, index: int) -> dict[str, Any]:
    # Parents come earlier in the list, so the hierarchy has no cycles.
    parent = f"org-{rng.randrange(index):03d}" if index > 10 and rng.random() < 0.3 else None
    return {
        "key": f"org-{index:03d}",
        "name": f"Generated Organization {index}",
        "kind": rng.choice(ORGANIZATION_KINDS),
        "country": rng.choice([*COUNTRIES, None]),
        "parent": parent,
        "aliases": [f"GO{index}"] if rng.random() < 0.2 else [],
        "wikidata_id": None,
    }


def _actor(rng: random.Random, index: int, organizations: list[dict[str, Any]]) -> dict[str, Any]:
    positions = []
    if rng.random() < 0.6:
        start = _day(rng, lambda day: False)
        end = start + timedelta(days=rng.randint(30, 700)) if rng.random() < 0.4 else None
        positions.append(
            {
                "title": rng.choice(
                    ["Foreign Minister", "Ambassador", "Envoy", "Deputy Secretary"]
                ),
                "organization": rng.choice(organizations)["key"] if rng.random() < 0.8 else None,
                "start_date": start.isoformat(),
                "end_date": end.isoformat() if end else None,
            }
        )
    return {
        "key": f"actor-{index:03d}",
        "name": f"Generated Actor {index}",
        "aliases": [f"G. Actor {index}"] if rng.random() < 0.1 else [],
        "country": rng.choice(COUNTRIES) if rng.random() < 0.9 else None,
        "wikidata_id": None,
        "positions": positions,
    }


def _round(rng: random.Random, index: int, sources: list[dict[str, Any]]) -> dict[str, Any]:
    announced = EDGE_DAYS[index] if index < len(EDGE_DAYS) else _day(rng, round_hole)
    effective = announced + timedelta(days=rng.randint(0, 30)) if rng.random() < 0.5 else None
    return {
        "key": f"round-{index:03d}",
        "title": f"Generated sanctions round {index}",
        "imposed_by": _some(rng, IMPOSERS, 1, 2),
        "targets": _some(rng, TARGETS, 1, 2),
        "announced_on": announced.isoformat(),
        "effective_on": effective.isoformat() if effective else None,
        "status": rng.choice(ROUND_STATUSES),
        "measures": _some(rng, MEASURES, 1, 3),
        "sectors": _some(rng, list(SECTOR_TREE), 0, 3),
        "legal_basis": rng.choice([None, "E.O. 14024", "Council Regulation (EU) 833/2014"]),
        "designations": rng.randint(0, 120) if rng.random() < 0.5 else None,
        "summary": rng.choice([None, "Generated for tests.", "Energy and finance measures."]),
        "sources": _citations(rng, sources),
    }


def _engagements(
    rng: random.Random,
    sources: list[dict[str, Any]],
    organizations: list[dict[str, Any]],
    actors: list[dict[str, Any]],
    rounds: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    engagements: list[dict[str, Any]] = []
    while len(engagements) < COUNTS["engagements"]:
        index = len(engagements)
        start = EDGE_DAYS[index] if index < len(EDGE_DAYS) else _day(rng, engagement_hole)
        is_trip = index >= len(EDGE_DAYS) and rng.random() < 0.05
        if is_trip or rng.random() < 0.3:
            end: date | None = min(start + timedelta(days=rng.randint(1, 6)), LAST_DAY)
            while any(engagement_hole(start + timedelta(days=n)) for n in range(8)):
                start = _day(rng, engagement_hole)
                end = min(start + timedelta(days=rng.randint(1, 6)), LAST_DAY)
        else:
            end = None
        record = _engagement(rng, index, start, end, sources, organizations, actors, rounds)
        if is_trip:
            record["kind"] = "trip"
        engagements.append(record)
        if is_trip and end is not None:
            for leg in range(rng.randint(2, 4)):
                leg_day = start + timedelta(days=rng.randint(0, (end - start).days))
                leg_record = _engagement(
                    rng, len(engagements), leg_day, None, sources, organizations, actors, rounds
                )
                leg_record.update(kind="visit", parent=record["key"], title=f"Leg {leg + 1}")
                engagements.append(leg_record)
    return engagements[: COUNTS["engagements"]]


def _engagement(
    rng: random.Random,
    index: int,
    start: date,
    end: date | None,
    sources: list[dict[str, Any]],
    organizations: list[dict[str, Any]],
    actors: list[dict[str, Any]],
    rounds: list[dict[str, Any]],
) -> dict[str, Any]:
    kind = rng.choice(ENGAGEMENT_KINDS)
    location = None
    if rng.random() < 0.4:
        city, country, latitude, longitude = rng.choice(CITIES)
        location = {"city": city, "country": country, "latitude": latitude, "longitude": longitude}
    topics = _some(rng, TOPICS, 0, 3)
    countries = _some(rng, COUNTRIES, 1, 3)
    if "US" not in countries and rng.random() < 0.4:
        countries[0] = "US"  # a hub, so some pairs share more than 20 engagements
    return {
        "key": f"engagement-{index:04d}",
        "kind": kind,
        "title": f"Generated {kind} {index}" + (f" on {topics[0]}" if topics else ""),
        "summary": rng.choice([None, "Talks on further measures.", "A readout was published."]),
        "start_date": start.isoformat(),
        "end_date": end.isoformat() if end else None,
        "date_precision": rng.choice(["day", "day", "day", "week", "month"]),
        "status": rng.choices(["held", "planned", "cancelled"], weights=[80, 12, 8])[0],
        "location": location,
        "countries": countries,
        "organizations": [org["key"] for org in _some(rng, organizations, 0, 2)],
        "participants": [
            {"actor": actor["key"], "role": rng.choice(ROLES)} for actor in _some(rng, actors, 0, 4)
        ],
        "topics": topics,
        "sectors": _some(rng, list(SECTOR_TREE), 0, 2),
        "sanctions_rounds": (
            [round_["key"] for round_ in _some(rng, rounds, 1, 2)] if rng.random() < 0.1 else []
        ),
        "parent": None,
        "sources": _citations(rng, sources),
    }


@dataclass(frozen=True)
class GeneratedStore:
    """An app over a committed database holding `bundle`. Every request's session is rolled
    back, so writes through `client` never stay: tests share the store in any order."""

    client: TestClient
    bundle: dict[str, Any]


@contextmanager
def open_store(url: str, bundle: dict[str, Any]) -> Iterator[GeneratedStore]:
    """Migrate the empty database at `url`, import `bundle` into it, serve it read-only."""
    engine = build_engine(url)
    try:
        migrations.upgrade(engine)
        with Session(engine) as session:
            bundles.import_bundle(session, bundle)
            session.commit()
        sessions = sessionmaker(bind=engine, expire_on_commit=False)

        def rolled_back() -> Iterator[Session]:
            with sessions() as session:
                try:
                    yield session
                finally:
                    session.rollback()

        app = create_app()
        app.dependency_overrides[get_session] = rolled_back
        app.dependency_overrides[get_stream_session] = rolled_back
        with TestClient(app) as client:
            yield GeneratedStore(client, bundle)
    finally:
        engine.dispose()


# Plain-Python versions of the list filters, as the README documents them, for tests to compute
# expected answers from a bundle without the code under test.


def sectors_below(bundle: dict[str, Any], keys: list[str]) -> set[str]:
    """The named sectors and every sector below them."""
    found = set(keys)
    while True:
        more = {s["key"] for s in bundle["sectors"] if s["parent"] in found} - found
        if not more:
            return found
        found |= more


def _any(wanted: list[str] | None, values: list[str]) -> bool:
    return wanted is None or bool(set(wanted) & set(values))


def matching_engagements(
    bundle: dict[str, Any],
    *,
    kind: list[str] | None = None,
    status: list[str] | None = None,
    country: list[str] | None = None,
    location_country: list[str] | None = None,
    actor: list[str] | None = None,
    organization: list[str] | None = None,
    sector: list[str] | None = None,
    sanctions_round: list[str] | None = None,
    topic: list[str] | None = None,
    parent: list[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[dict[str, Any]]:
    """The engagements of `bundle` the list would answer for these filters (references by key;
    `q`, a full-text search, is left to the search's own tests)."""
    sectors = sectors_below(bundle, sector) if sector is not None else None

    def matches(record: dict[str, Any]) -> bool:
        start = date.fromisoformat(record["start_date"])
        end = date.fromisoformat(record["end_date"]) if record["end_date"] else start
        location = record["location"] or {}
        return (
            _any(kind, [record["kind"]])
            and _any(status, [record["status"]])
            and _any(country, record["countries"])
            and _any(location_country, [location.get("country")])
            and _any(actor, [participant["actor"] for participant in record["participants"]])
            and _any(organization, record["organizations"])
            and (sectors is None or bool(sectors & set(record["sectors"])))
            and _any(sanctions_round, record["sanctions_rounds"])
            and _any(topic, record["topics"])
            and _any(parent, [record["parent"]])
            and (date_from is None or end >= date_from)
            and (date_to is None or start <= date_to)
        )

    return [record for record in bundle["engagements"] if matches(record)]


def matching_rounds(
    bundle: dict[str, Any],
    *,
    imposed_by: list[str] | None = None,
    target: list[str] | None = None,
    measure: list[str] | None = None,
    sector: list[str] | None = None,
    status: list[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[dict[str, Any]]:
    """The sanctions rounds of `bundle` the list would answer for these filters (but `q`)."""
    sectors = sectors_below(bundle, sector) if sector is not None else None

    def matches(record: dict[str, Any]) -> bool:
        announced = date.fromisoformat(record["announced_on"])
        return (
            _any(imposed_by, record["imposed_by"])
            and _any(target, record["targets"])
            and _any(measure, record["measures"])
            and (sectors is None or bool(sectors & set(record["sectors"])))
            and _any(status, [record["status"]])
            and (date_from is None or announced >= date_from)
            and (date_to is None or announced <= date_to)
        )

    return [record for record in bundle["sanctions_rounds"] if matches(record)]
