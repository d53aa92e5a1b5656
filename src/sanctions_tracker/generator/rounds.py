"""Sanctions rounds: several jurisdictions acting together, measures and targeted sectors."""

import random
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

from sanctions_tracker.generator import vocabulary
from sanctions_tracker.generator.reference import (
    REFERENCE_DAY,
    YEAR_CUMULATIVE,
    YEARS,
    Reference,
    country_name,
    pick_day,
)

IMPOSERS = ["US", "EU", "GB", "CA", "JP", "AU", "CH", "NO", "NZ", "KR"]
IMPOSER_WEIGHTS = list(accumulate([30, 28, 22, 8, 6, 5, 4, 3, 2, 2]))
TARGETS = ["RU", "BY", "IR", "KP", "SY", "VE", "MM", "CN"]
TARGET_WEIGHTS = list(accumulate([60, 12, 10, 6, 5, 3, 2, 2]))
MEASURES = [
    "asset_freeze", "travel_ban", "export_controls", "import_ban", "investment_ban",
    "financial_restrictions", "swift_exclusion", "sovereign_debt", "price_cap", "services_ban",
    "transport_ban", "other",
]  # fmt: skip
MEASURE_WEIGHTS = list(accumulate([30, 20, 16, 10, 6, 8, 3, 2, 3, 4, 3, 2]))
THEME_MEASURES = {
    "energy": "price_cap",
    "finance": "financial_restrictions",
    "technology": "export_controls",
    "defence": "export_controls",
    "food": "transport_ban",
    "coordination": "asset_freeze",
    "trade": "import_ban",
}


def _legal_basis(rng: random.Random, imposer: str, day: date) -> str | None:
    if imposer == "US":
        return rng.choice(["E.O. 14024", "E.O. 14071", "E.O. 14068", "E.O. 13660"])
    if imposer == "EU":
        return f"Council Regulation (EU) {day.year}/{rng.randint(100, 2999)}"
    if imposer == "GB":
        return "The Russia (Sanctions) (EU Exit) Regulations 2019"
    return None if rng.random() < 0.5 else f"Special Economic Measures Regulations {day.year}"


def _status(rng: random.Random, announced: date) -> str:
    if announced > REFERENCE_DAY:
        return "planned" if rng.random() < 0.7 else "announced"
    return rng.choices(["in_force", "announced", "lifted"], cum_weights=[75, 90, 100])[0]


def generate(rng: random.Random, count: int, reference: Reference) -> list[dict[str, Any]]:
    """`count` rounds, sorted by the day they were announced."""
    days = sorted(pick_day(rng, YEARS, YEAR_CUMULATIVE) for _ in range(count))
    rounds = []
    for index, day in enumerate(days):
        joint = rng.random() < 0.3
        imposers = list(
            dict.fromkeys(
                rng.choices(
                    IMPOSERS, cum_weights=IMPOSER_WEIGHTS, k=rng.randint(2, 4) if joint else 1
                )
            )
        )
        targets = list(
            dict.fromkeys(
                rng.choices(TARGETS, cum_weights=TARGET_WEIGHTS, k=2 if rng.random() < 0.2 else 1)
            )
        )
        theme = rng.choices(vocabulary.THEMES, vocabulary.THEME_WEIGHTS)[0]
        measures = list(
            dict.fromkeys(
                [
                    THEME_MEASURES[theme.name],
                    *rng.choices(MEASURES, cum_weights=MEASURE_WEIGHTS, k=rng.randint(0, 3)),
                ]
            )
        )
        sectors = rng.sample(theme.sectors, rng.randint(1, min(4, len(theme.sectors))))
        effective = day + timedelta(days=rng.randint(0, 30)) if rng.random() < 0.7 else None
        imposed = " and ".join(country_name(code) for code in imposers)
        targeted = " and ".join(country_name(code) for code in targets)
        rounds.append(
            {
                "key": f"{'-'.join(imposers).lower()}-{day.isoformat()}-round-{index}",
                "title": f"{imposed} impose {theme.title} measures on {targeted}",
                "imposed_by": imposers,
                "targets": targets,
                "announced_on": day.isoformat(),
                "effective_on": effective.isoformat() if effective else None,
                "status": _status(rng, day),
                "measures": measures,
                "sectors": sectors,
                "legal_basis": _legal_basis(rng, imposers[0], day),
                "designations": rng.randint(0, 300) if rng.random() < 0.6 else None,
                "summary": vocabulary.summary(rng, theme),
                "sources": [
                    {"source": key, "quote": None}
                    for key in reference.sources_near(rng, day, rng.choice((0, 1, 1, 2)))
                ],
            }
        )
    return rounds
