"""Where generated records go: a bundle file (streamed, one record a line) or the store
(imported in chunks through the import path, each chunk one transaction)."""

import json
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from sqlalchemy.orm import Session, sessionmaker

from sanctions_tracker.bundles import service as bundles
from sanctions_tracker.bundles.schemas import FORMAT
from sanctions_tracker.db import writing_session
from sanctions_tracker.generator.plan import Item
from sanctions_tracker.registry import RECORD_TYPES

CHUNK = 20_000

Progress = Callable[[str], None]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_bundle(items: Iterable[Item], out: TextIO) -> dict[str, int]:
    """Write the records as one bundle document, every list present, one record a line, so
    that the same records always give the same bytes. Answers the counts by record type."""
    counts = dict.fromkeys(RECORD_TYPES, 0)
    out.write(f'{{"format":{_dumps(FORMAT)}')
    current: str | None = None
    for name, record in items:
        if name != current:
            if current is not None:
                out.write("\n]")
            for missing in list(RECORD_TYPES)[_position(current) : _position(name) - 1]:
                out.write(f',\n"{missing}":[]')
            out.write(f',\n"{name}":[\n')
            current = name
        elif counts[name]:
            out.write(",\n")
        out.write(_dumps(record))
        counts[name] += 1
    if current is not None:
        out.write("\n]")
    for missing in list(RECORD_TYPES)[_position(current) :]:
        out.write(f',\n"{missing}":[]')
    out.write("}\n")
    return counts


def _position(name: str | None) -> int:
    """1 + the index of a record type in bundle order (0 before the first)."""
    return 0 if name is None else list(RECORD_TYPES).index(name) + 1


def write_into(
    items: Iterable[Item],
    sessions: sessionmaker[Session],
    *,
    chunk: int = CHUNK,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Import the records in chunks of `chunk` records through the import path (every check
    of `POST /v1/import`), each chunk in its own transaction. Records only refer to records
    of the same or an earlier chunk, since the stream is in bundle order. Answers the counts
    of records written (created or updated) by type."""
    counts = dict.fromkeys(RECORD_TYPES, 0)
    pending: dict[str, list[dict[str, Any]]] = {}
    size = 0
    started = time.perf_counter()

    def flush() -> None:
        nonlocal pending, size
        if not size:
            return
        with writing_session(sessions) as session, session.begin():
            result = bundles.import_bundle(session, {"format": FORMAT, **pending}, consume=True)
        for name in RECORD_TYPES:
            counts[name] += result.created[name] + result.updated[name] + result.unchanged[name]
        pending, size = {}, 0
        if progress is not None:
            total = sum(counts.values())
            rate = total / max(time.perf_counter() - started, 1e-9)
            progress(f"{total:,} records ({counts['engagements']:,} engagements), {rate:,.0f}/s")

    for name, record in items:
        pending.setdefault(name, []).append(record)
        size += 1
        if size >= chunk:
            flush()
    flush()
    return counts


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
