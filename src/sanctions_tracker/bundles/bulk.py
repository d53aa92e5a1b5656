"""The write engine's fast path for new records: rows inserted with executemany, in chunks.

Checks happen before, in the engine, exactly as for any write; this module only writes what
passed them, with every constraint of the database on. Record types are written in bundle order
(a type refers only to earlier ones, or to itself through `parent`), a tree level by level so
that a parent is stored before its children name it, and new ids are read back by key.
"""

from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from sanctions_tracker.bundles.rows import BUILDERS, Row
from sanctions_tracker.fields import RecordBase
from sanctions_tracker.record_types import (
    RecordType,
    Resolver,
    chunks,
    copy_rows,
    ids_by_key,
)
from sanctions_tracker.registry import RECORD_TYPES
from sanctions_tracker.search import index as search_index

INSERT_CHUNK = 2_000

New = tuple[RecordType, RecordBase]


def insert_new(session: Session, new: Sequence[New], now: datetime) -> list[int]:
    """Insert the new records (in bundle order of types) and answer their ids, in order.
    References name stored records or new ones of this call."""
    ids: dict[str, dict[str, int]] = {name: {} for name in RECORD_TYPES}
    wanted: dict[str, set[str]] = {name: set() for name in RECORD_TYPES}
    for record_type, record in new:
        for _, target_type, key in record_type.references(record):
            wanted[target_type].add(key)
    for name, keys in wanted.items():
        if keys:
            ids[name] = ids_by_key(session, RECORD_TYPES[name].model, keys)

    def resolve(target_type: str, key: str) -> int:
        return ids[target_type][key]

    by_type: dict[str, list[RecordBase]] = {}
    for record_type, record in new:
        by_type.setdefault(record_type.name, []).append(record)
    for name, records in by_type.items():
        record_type = RECORD_TYPES[name]
        # A level's records do not refer to each other: written a slice at a time, so that
        # the rows of a large import are never all in memory at once.
        for level in _levels(record_type, records):
            for part in chunks(level, INSERT_CHUNK):
                _insert(session, record_type, part, now, resolve, ids[name])
    return [ids[record_type.name][record.key] for record_type, record in new]


def _insert(
    session: Session,
    record_type: RecordType,
    records: Sequence[RecordBase],
    now: datetime,
    resolve: Resolver,
    new_ids: dict[str, int],
) -> None:
    model = record_type.model
    built = [BUILDERS[record_type.name](record, resolve) for record in records]
    rows = [{**row, "created_at": now, "updated_at": now, "version": 1} for row, _ in built]
    copy_rows(session, model.__table__, rows)
    new_ids.update(ids_by_key(session, model, [record.key for record in records]))
    children: dict[str, list[Row]] = {}
    documents: list[search_index.Document] = []
    for row, child_rows in built:
        record_id = new_ids[row["key"]]
        for relationship, items in child_rows.items():
            if items:
                _link(model, relationship, items, record_id)
                children.setdefault(relationship, []).extend(items)
        if record_type.search_text is not None:
            title, body = record_type.search_text(_stand_in(row, child_rows))
            documents.append(
                search_index.Document(record_type.name, record_id, row["key"], title, body)
            )
    for relationship, child_list in children.items():
        child_table = inspect(model).relationships[relationship].mapper.local_table
        copy_rows(session, child_table, child_list)
    search_index.upsert(session, documents)


_FOREIGN_KEYS: dict[tuple[Any, str], str] = {}


def _link(model: Any, relationship: str, items: list[Row], record_id: int) -> None:
    """Set the parent's id on child rows (the column the relationship joins on)."""
    column = _FOREIGN_KEYS.get((model, relationship))
    if column is None:
        [(_, remote)] = inspect(model).relationships[relationship].local_remote_pairs
        column = _FOREIGN_KEYS[(model, relationship)] = remote.key
    for item in items:
        item[column] = record_id


def _stand_in(row: Row, child_rows: dict[str, list[Row]]) -> SimpleNamespace:
    """What a record type's `search_text` reads of a stored record: its columns and child rows."""
    return SimpleNamespace(
        **row,
        **{name: [SimpleNamespace(**item) for item in items] for name, items in child_rows.items()},
    )


def _levels(record_type: RecordType, records: list[RecordBase]) -> list[list[RecordBase]]:
    """The records of a tree by depth among themselves: those whose parent is stored (or none)
    first, then their children, and so on. The engine has refused cycles already."""
    parent_of = record_type.parent_of
    if parent_of is None:
        return [records]
    new_keys = {record.key for record in records}
    parents = {record.key: parent_of(record) for record in records}
    depth: dict[str, int] = {}
    for key in parents:
        chain = []
        current: str | None = key
        while current is not None and current in new_keys and current not in depth:
            chain.append(current)
            current = parents[current]
        base = depth[current] + 1 if current is not None and current in depth else 0
        for offset, item in enumerate(reversed(chain)):
            depth[item] = base + offset
    levels: list[list[RecordBase]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for record in records:
        levels[depth[record.key]].append(record)
    return levels
