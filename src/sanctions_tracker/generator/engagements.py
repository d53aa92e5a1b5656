"""Engagements: calls and meetings most of all, trips with their legs, summits, statements."""

import bisect
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

from sanctions_tracker.generator import vocabulary
from sanctions_tracker.generator.reference import (
    LAST_DAY,
    REFERENCE_DAY,
    YEAR_CUMULATIVE,
    YEARS,
    Reference,
    cities_of,
    country_name,
    pick_day,
)
from sanctions_tracker.generator.vocabulary import pick, weighted

KINDS = ["call", "meeting", "visit", "trip", "summit", "ministerial", "statement", "other"]
KIND_WEIGHTS = list(accumulate([30, 26, 8, 5, 4, 7, 16, 4]))
PARTY_COUNTS = list(accumulate([20, 50, 18, 12]))  # 1, 2, 3 or 4 countries
PARTICIPANT_COUNTS = list(accumulate([22, 40, 16, 10, 7, 5]))  # 1 to 6 participants
LEG_COUNTS = list(accumulate([35, 30, 18, 10, 7]))  # 2 to 6 legs
PRECISIONS = ["day", "week", "month"]
PRECISION_WEIGHTS = list(accumulate([90, 6, 4]))
LOCATED = {"meeting", "visit", "summit", "ministerial"}


@dataclass(frozen=True)
class Rounds:
    """The rounds' keys by the day they were announced, to cite the ones of the moment."""

    days: list[date]
    keys: list[str]

    def near(self, rng: random.Random, day: date) -> list[str]:
        if not self.keys or rng.random() >= 0.2:
            return []
        low = bisect.bisect_left(self.days, day - timedelta(days=60))
        high = bisect.bisect_right(self.days, day + timedelta(days=30))
        if low == high:
            return []
        window = self.keys[low:high]
        return rng.sample(window, min(len(window), pick(rng, (1, 1, 2))))


def generate(
    rng: random.Random, count: int, reference: Reference, rounds: Rounds
) -> Iterator[dict[str, Any]]:
    """`count` engagements (legs included); a trip comes just before its legs, in order."""
    made = 0
    while made < count:
        kind = weighted(rng, KINDS, KIND_WEIGHTS)
        if kind == "trip" and count - made < 3:
            kind = "meeting"
        if kind == "trip":
            legs = min(weighted(rng, range(2, 7), LEG_COUNTS), count - made - 1)
            trip = _trip(rng, made, legs, reference, rounds)
            made += len(trip)
            yield from trip
        else:
            yield _engagement(rng, made, kind, reference, rounds)
            made += 1


def _status(rng: random.Random, day: date) -> str:
    if day > REFERENCE_DAY:
        return "planned" if rng.random() < 0.9 else "cancelled"
    return "held" if rng.random() < 0.95 else "cancelled"


def _countries(rng: random.Random, reference: Reference, count: int) -> list[str]:
    codes: list[str] = []
    while len(codes) < count:
        code = weighted(rng, reference.countries, reference.country_weights)
        if code not in codes:
            codes.append(code)
    return codes


def _actor(rng: random.Random, reference: Reference, country: str, taken: set[str]) -> str | None:
    """An actor of `country` not yet taken (any actor when that country has none)."""
    pool = reference.actors_by_country.get(country) or [
        (actor["key"], actor["name"]) for actor in reference.actors[:50]
    ]
    for _ in range(4):
        key, _name = pick(rng, pool)
        if key not in taken:
            taken.add(key)
            return key
    return None


def _participants(
    rng: random.Random, reference: Reference, countries: list[str], kind: str
) -> list[dict[str, str]]:
    count = 1 if kind == "statement" else weighted(rng, range(1, 7), PARTICIPANT_COUNTS)
    taken: set[str] = set()
    participants = []
    for index in range(count):
        country = countries[index] if index < len(countries) else pick(rng, countries)
        key = _actor(rng, reference, country, taken)
        if key is None:
            continue
        if kind == "statement":
            role = "spokesperson"
        elif index == 0:
            role = "principal"
        elif index == 1:
            role = "counterpart"
        else:
            role = "spokesperson" if rng.random() < 0.1 else "participant"
        participants.append({"actor": key, "role": role})
    return participants


def _organizations(
    rng: random.Random, reference: Reference, countries: list[str], kind: str
) -> list[str]:
    found = []
    bodies = reference.bodies_by_country.get(countries[0])
    if bodies and rng.random() < 0.5:
        found.append(bodies[0])
    if reference.international and (kind in ("summit", "ministerial") or rng.random() < 0.1):
        found.append(pick(rng, reference.international[:8]))
    return list(dict.fromkeys(found))


def _body(
    rng: random.Random, reference: Reference, rounds: Rounds, day: date, kind: str
) -> dict[str, Any]:
    """The fields every engagement has, drawn around its day and theme."""
    theme = weighted(rng, vocabulary.THEMES, vocabulary.THEME_CUMULATIVE)
    summary = vocabulary.summary(rng, theme)
    sources = reference.sources_near(rng, day, rng.choices((0, 1, 2), (10, 70, 20))[0])
    citations = []
    for source in sources:
        quote = None
        if rng.random() < 0.3:
            quote = summary.split(". ")[0].rstrip(".") + "."
        citations.append({"source": source, "quote": quote})
    topics = rng.sample(theme.topics, rng.randint(1, min(3, len(theme.topics))))
    if rng.random() < 0.3 and "sanctions" not in topics:
        topics.append("sanctions")
    sectors = rng.sample(theme.sectors, rng.choices((0, 1, 2, 3), (30, 40, 20, 10))[0])
    return {
        "theme": theme,
        "summary": summary,
        "topics": topics,
        "sectors": sectors,
        "sanctions_rounds": rounds.near(rng, day),
        "sources": citations,
        "date_precision": weighted(rng, PRECISIONS, PRECISION_WEIGHTS),
        "status": _status(rng, day),
    }


def _engagement(
    rng: random.Random, index: int, kind: str, reference: Reference, rounds: Rounds
) -> dict[str, Any]:
    day = pick_day(rng, YEARS, YEAR_CUMULATIVE)
    party_count = 1 if kind == "statement" else weighted(rng, range(1, 5), PARTY_COUNTS)
    if kind == "call":
        party_count = max(2, party_count)
    countries = _countries(rng, reference, party_count)
    participants = _participants(rng, reference, countries, kind)
    body = _body(rng, reference, rounds, day, kind)
    theme = body.pop("theme")
    location = None
    if kind in LOCATED or (kind == "other" and rng.random() < 0.5):
        host = countries[-1] if kind == "visit" else pick(rng, countries)
        location = pick(rng, cities_of(host)[:3]).location()
    end = None
    if kind in ("summit", "ministerial") and rng.random() < 0.4:
        end = min(day + timedelta(days=rng.randint(1, 2)), LAST_DAY)
    title = _title(kind, participants, countries, location, theme.title, reference)
    return {
        "key": f"{day.isoformat()}-{countries[0].lower()}-{kind}-{index}",
        "kind": kind,
        "title": title,
        "summary": body["summary"],
        "start_date": day.isoformat(),
        "end_date": end.isoformat() if end else None,
        "date_precision": body["date_precision"],
        "status": body["status"],
        "location": location,
        "countries": countries,
        "organizations": _organizations(rng, reference, countries, kind),
        "participants": participants,
        "topics": body["topics"],
        "sectors": body["sectors"],
        "sanctions_rounds": body["sanctions_rounds"],
        "parent": None,
        "sources": body["sources"],
    }


def _title(
    kind: str,
    participants: list[dict[str, str]],
    countries: list[str],
    location: dict[str, Any] | None,
    subject: str,
    reference: Reference,
) -> str:
    names = [reference.actor_names[item["actor"]] for item in participants[:2]]
    first = names[0] if names else country_name(countries[0])
    second = names[1] if len(names) > 1 else country_name(countries[-1])
    place = location["city"] if location else country_name(countries[-1])
    if kind == "call":
        return f"{first} and {second} discuss {subject}"
    if kind == "meeting":
        return f"{first} meets {second} in {place} on {subject}"
    if kind == "visit":
        return f"{first} visits {place}"
    if kind == "summit":
        return f"Summit in {place} on {subject}"
    if kind == "ministerial":
        return f"Ministerial meeting in {place} on {subject}"
    if kind == "statement":
        return f"{first} on {subject}"
    return f"{first}: exchange on {subject}"


def _trip(
    rng: random.Random, index: int, legs: int, reference: Reference, rounds: Rounds
) -> list[dict[str, Any]]:
    """A trip and its legs: visits to 2-6 countries on following days, inside the trip."""
    day = pick_day(rng, YEARS, YEAR_CUMULATIVE)
    day = min(day, LAST_DAY - timedelta(days=3 * legs))
    home = _countries(rng, reference, 1)[0]
    others = [
        code
        for code in _countries(rng, reference, min(legs + 1, len(reference.countries)))
        if code != home
    ][:legs]
    while len(others) < legs:  # fewer countries than legs: a country visited twice
        others.append(pick(rng, others or [home]))
    traveller = _actor(rng, reference, home, set())
    body = _body(rng, reference, rounds, day, "trip")
    body.pop("theme")
    key = f"{day.isoformat()}-{home.lower()}-trip-{index}"
    records = []
    leg_day = day
    leg_records = []
    for number, country in enumerate(others, start=1):
        city = pick(rng, cities_of(country)[:3])
        participants = [{"actor": traveller, "role": "principal"}] if traveller else []
        host = _actor(rng, reference, country, {traveller} if traveller else set())
        if host is not None:
            participants.append({"actor": host, "role": "counterpart"})
        leg_body = _body(rng, reference, rounds, leg_day, "visit")
        leg_theme = leg_body.pop("theme")
        parties = list(dict.fromkeys([home, country]))
        leg_records.append(
            {
                "key": f"{key}-leg-{number}",
                "kind": "visit",
                "title": _title(
                    "visit", participants, parties, city.location(), leg_theme.title, reference
                ),
                "summary": leg_body["summary"],
                "start_date": leg_day.isoformat(),
                "end_date": None,
                "date_precision": "day",
                "status": body["status"],
                "location": city.location(),
                "countries": parties,
                "organizations": [],
                "participants": participants,
                "topics": leg_body["topics"],
                "sectors": leg_body["sectors"],
                "sanctions_rounds": leg_body["sanctions_rounds"],
                "parent": key,
                "sources": leg_body["sources"],
            }
        )
        last_day = leg_day
        leg_day = leg_day + timedelta(days=rng.randint(1, 2))
    destinations = ", ".join(dict.fromkeys(country_name(code) for code in others))
    traveller_name = reference.actor_names[traveller] if traveller else country_name(home)
    records.append(
        {
            "key": key,
            "kind": "trip",
            "title": f"{traveller_name}'s trip to {destinations}",
            "summary": body["summary"],
            "start_date": day.isoformat(),
            "end_date": last_day.isoformat() if last_day > day else None,
            "date_precision": "day",
            "status": body["status"],
            "location": None,
            "countries": list(dict.fromkeys([home, *others]))[:4],
            "organizations": _organizations(rng, reference, [home], "trip"),
            "participants": [{"actor": traveller, "role": "principal"}] if traveller else [],
            "topics": body["topics"],
            "sectors": body["sectors"],
            "sanctions_rounds": body["sanctions_rounds"],
            "parent": None,
            "sources": body["sources"],
        }
    )
    return records + leg_records
