"""Newline-delimited JSON: one object per line, each exactly as the JSON list's `items` has it."""

from collections.abc import Iterable, Iterator
from typing import Any

from pydantic_core import to_json

from sanctions_tracker.exports.chunks import encoded


def write_ndjson(items: Iterable[Any]) -> Iterator[bytes]:
    return encoded(to_json(item).decode("utf-8") + "\n" for item in items)
