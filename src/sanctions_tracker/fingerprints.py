"""ETags for streamed files, known before the first byte is sent.

A streamed export cannot hash its own bytes up front, so its tag is a digest of the state the
file is written from: which records match (count, id sum, newest `updated_at`) and the newest
change among the records they draw names from (references both ways, found from the foreign keys
in the schema). A write to a record in or named by the file changes the tag; other writes
don't."""

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, func, select
from sqlalchemy.orm import Session

from sanctions_tracker.models import Base


def _owned_links(table: Table) -> Iterable[tuple[Table, Any, Any, Table]]:
    """(link, owner column, target column, target) for each table owned by `table` (deleted with
    it) that points at another record table."""
    for link in Base.metadata.tables.values():
        owners = [fk for fk in link.foreign_keys if fk.column.table is table and link is not table]
        if not owners or owners[0].ondelete != "CASCADE":
            continue
        for fk in link.foreign_keys:
            if fk.column.table is not table or fk.parent is not owners[0].parent:
                target = fk.column.table
                if "updated_at" in target.c:
                    yield link, owners[0].parent, fk.parent, target


def _state(session: Session, table: Table, ids: Select[Any]) -> list[Any]:
    """What the rows `ids` of `table` show, and what they name. A table without change times
    (the read-only countries) is told apart by which rows match."""
    (key,) = table.primary_key.columns
    if "updated_at" not in table.c:
        return list(
            session.execute(
                select(func.count(), func.min(key), func.max(key)).where(key.in_(ids))
            ).one()
        )
    state: list[Any] = list(
        session.execute(
            select(func.count(), func.sum(key), func.max(table.c.updated_at)).where(key.in_(ids))
        ).one()
    )
    named: list[tuple[Table, ColumnElement[bool]]] = []
    for fk in table.foreign_keys:  # direct references (parent, organization, ...)
        target = fk.column.table
        if "updated_at" in target.c:
            named.append((target, target.c.id.in_(select(fk.parent).where(table.c.id.in_(ids)))))
            if target is table:  # and the records naming these as parent (a trip's legs)
                state += session.execute(
                    select(func.count(), func.max(table.c.updated_at)).where(fk.parent.in_(ids))
                ).one()
    for _link, owner, target_column, target in _owned_links(table):
        linked = target.c.id.in_(select(target_column).where(owner.in_(ids)))
        named.append((target, linked))
    for target, condition in named:
        state.append(session.scalar(select(func.max(target.c.updated_at)).where(condition)))
    return state


def fingerprint(session: Session, parts: Iterable[tuple[Table, Select[Any]]], *salt: str) -> str:
    """A strong ETag for a file written from the rows `ids` of each `(table, ids)` part; `salt`
    (the URL, the format) keeps different files of the same rows apart."""
    digest = hashlib.sha256("\x1f".join(salt).encode())
    for table, ids in parts:
        digest.update(repr((table.name, _state(session, table, ids))).encode())
    return '"' + digest.hexdigest()[:32] + '"'
