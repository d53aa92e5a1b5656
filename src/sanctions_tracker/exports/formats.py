"""The answer formats of lists, their media types, and content negotiation.

An explicit `format` parameter wins; otherwise the `Accept` header decides, with its q-values.
"""

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sanctions_tracker.problems import NotAcceptable


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"
    ndjson = "ndjson"
    geojson = "geojson"
    ics = "ics"
    ftm = "ftm"
    plover = "plover"


MEDIA_TYPES: dict[ExportFormat, str] = {
    ExportFormat.json: "application/json",
    ExportFormat.csv: "text/csv",
    ExportFormat.ndjson: "application/x-ndjson",
    ExportFormat.geojson: "application/geo+json",
    ExportFormat.ics: "text/calendar",
    ExportFormat.ftm: "application/json+ftm",
    ExportFormat.plover: "application/x-ndjson; profile=plover",
}
"""The media type each format is negotiated by, as OpenAPI lists it.

`application/json+ftm` is what the FollowTheMoney tools (Aleph, OpenSanctions) call a file of
entities; PLOVER has no media type of its own, its files are JSON lines."""

FORMAT_ONLY = frozenset({ExportFormat.plover})
"""Reached by `format=` alone: PLOVER lines are `application/x-ndjson` too, so `Accept` could
not tell them from the `ndjson` format."""

CONTENT_TYPES: dict[ExportFormat, str] = {
    ExportFormat.json: "application/json",
    ExportFormat.csv: "text/csv; charset=utf-8; header=present",
    ExportFormat.ndjson: "application/x-ndjson",
    ExportFormat.geojson: "application/geo+json",
    ExportFormat.ics: "text/calendar; charset=utf-8",
    ExportFormat.ftm: "application/json+ftm",
    ExportFormat.plover: "application/x-ndjson; profile=plover",
}
"""The `Content-Type` each format is answered with."""

_TEXT: dict[str, Any] = {"type": "string"}
_GEOJSON: dict[str, Any] = {
    "type": "object",
    "description": "A GeoJSON FeatureCollection (RFC 7946) of Point features",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": {"type": "object"}},
    },
}
FILE_SCHEMAS: dict[ExportFormat, dict[str, Any]] = {
    ExportFormat.csv: _TEXT,
    ExportFormat.ndjson: _TEXT,
    ExportFormat.geojson: _GEOJSON,
    ExportFormat.ics: _TEXT,
    ExportFormat.ftm: _TEXT,
    ExportFormat.plover: _TEXT,
}
"""The OpenAPI schema of each file format's body; GeoJSON is JSON, and clients parse it so."""


def file_content(formats: Sequence[ExportFormat]) -> dict[str, Any]:
    """The OpenAPI `content` of a list's answer in those file formats."""
    return {MEDIA_TYPES[name]: {"schema": copy.deepcopy(FILE_SCHEMAS[name])} for name in formats}


EXTENSIONS: dict[ExportFormat, str] = {
    ExportFormat.csv: "csv",
    ExportFormat.ndjson: "ndjson",
    ExportFormat.geojson: "geojson",
    ExportFormat.ics: "ics",
    ExportFormat.ftm: "ftm.json",
    ExportFormat.plover: "plover.ndjson",
}


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    quality: float
    position: int

    def specificity(self, media_type: str) -> int | None:
        """How precisely this range names `media_type` (2 exactly, 1 `type/*`, 0 `*/*`), or
        None when it does not match it at all."""
        kind, _, subtype = media_type.partition("/")
        if self.type == "*":
            return 0 if self.subtype == "*" else None
        if self.type != kind:
            return None
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == subtype else None


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an `Accept` header; parameters other than `q` are ignored and a
    malformed range is skipped rather than failing the request."""
    ranges = []
    for position, part in enumerate(header.split(",")):
        media, *parameters = part.split(";")
        kind, slash, subtype = media.strip().lower().partition("/")
        if not slash or not kind or not subtype:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append(MediaRange(kind, subtype, quality, position))
    return ranges


def negotiate(
    requested: ExportFormat | None, accept: str | None, offered: Sequence[ExportFormat]
) -> ExportFormat:
    """The format to answer in: `requested` (already checked against `offered`) if given,
    else the offered format that `Accept` prefers.

    Each offered media type takes the q-value of the most specific range matching it. The
    highest q wins; among equals a named type beats a wildcard, then the range listed first,
    then the order of `offered` (JSON first, so `*/*` and no `Accept` at all mean JSON)."""
    if requested is not None:
        return requested
    if accept is None or not accept.strip():
        return offered[0]
    ranges = parse_accept(accept)
    best: tuple[float, int, int, int] | None = None
    chosen = None
    for rank, candidate in enumerate(offered):
        if candidate in FORMAT_ONLY:
            continue
        matches = [
            (specificity, media_range)
            for media_range in ranges
            if (specificity := media_range.specificity(MEDIA_TYPES[candidate])) is not None
        ]
        if not matches:
            continue
        specificity, media_range = max(matches, key=lambda match: match[0])
        if media_range.quality <= 0:
            continue
        score = (media_range.quality, specificity, -media_range.position, -rank)
        if best is None or score > best:
            best, chosen = score, candidate
    if chosen is None:
        supported = [
            MEDIA_TYPES[candidate] for candidate in offered if candidate not in FORMAT_ONLY
        ]
        raise NotAcceptable(
            f"None of the media types in Accept is offered here; ask for one of "
            f"{', '.join(supported)} (or use the `format` parameter).",
            supported=supported,
        )
    return chosen
