"""How big each table is for a requested size, and the stream of records in bundle order.

The reference tables grow with the number of engagements until the issue's sizes at 100,000
engagements and more (about 5,000 actors, 300 organizations, 120 countries), so that a small set
is not dominated by people who never engage: `scale = min(1, engagements / 100_000)`, each table
is its full size times `scale`, with a floor (50 actors, 30 organizations, 25 countries). Sources
are one for every 20 engagements (at least 40); the sector tree is always whole (47 sectors).
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sanctions_tracker.generator import engagements as engagement_records
from sanctions_tracker.generator import reference as reference_tables
from sanctions_tracker.generator import rounds as round_records

FULL_SIZE_AT = 100_000
FULL = {"actors": 5_000, "organizations": 300, "countries": 120}
FLOOR = {"actors": 50, "organizations": 30, "countries": 25}
ENGAGEMENTS_PER_SOURCE = 20
MIN_SOURCES = 40

# One record of the stream: (bundle list name, record as the bundle format writes it).
Item = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Plan:
    engagements: int
    rounds: int
    seed: int

    def size(self, table: str) -> int:
        scale = min(1.0, self.engagements / FULL_SIZE_AT)
        return max(FLOOR[table], round(FULL[table] * scale))

    @property
    def sources(self) -> int:
        return max(MIN_SOURCES, self.engagements // ENGAGEMENTS_PER_SOURCE)

    def rng(self, part: str) -> random.Random:
        # A string seed is hashed with SHA-512: the same on every run and platform.
        return random.Random(f"sanctions-tracker/{self.seed}/{part}")


def records(plan: Plan) -> Iterator[Item]:
    """Every record of the data set, in bundle order: sources, organizations, actors, sectors,
    sanctions rounds, engagements (generated lazily, a trip just before its legs)."""
    reference = reference_tables.build(
        plan.rng("reference"),
        countries=plan.size("countries"),
        organizations=plan.size("organizations"),
        actors=plan.size("actors"),
        sources=plan.sources,
    )
    yield from (("sources", record) for record in reference.sources)
    yield from (("organizations", record) for record in reference.organizations)
    yield from (("actors", record) for record in reference.actors)
    yield from (("sectors", record) for record in reference.sectors)
    rounds = round_records.generate(plan.rng("rounds"), plan.rounds, reference)
    yield from (("sanctions_rounds", record) for record in rounds)
    by_day = engagement_records.Rounds(
        [date.fromisoformat(record["announced_on"]) for record in rounds],
        [record["key"] for record in rounds],
    )
    del rounds
    for record in engagement_records.generate(
        plan.rng("engagements"), plan.engagements, reference, by_day
    ):
        yield "engagements", record
