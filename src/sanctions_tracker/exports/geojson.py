"""A GeoJSON FeatureCollection (RFC 7946), written feature by feature as the rows arrive."""

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pydantic_core import to_json

from sanctions_tracker.exports.chunks import encoded

Feature = dict[str, Any]


def point_feature(
    feature_id: str, longitude: float, latitude: float, properties: dict[str, Any]
) -> Feature:
    """A Point feature; GeoJSON puts the longitude first."""
    return {
        "type": "Feature",
        "id": feature_id,
        "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
        "properties": properties,
    }


def _pieces(items: Iterable[Any], feature: Callable[[Any], Feature | None]) -> Iterator[str]:
    yield '{"type":"FeatureCollection","features":['
    separator = ""
    for item in items:
        found = feature(item)
        if found is None:
            continue
        yield separator + to_json(found).decode("utf-8")
        separator = ","
    yield "]}\n"


def write_geojson(
    items: Iterable[Any], feature: Callable[[Any], Feature | None]
) -> Iterator[bytes]:
    """`feature` maps an item to its Feature, or to None for an item without a place."""
    return encoded(_pieces(items, feature))
