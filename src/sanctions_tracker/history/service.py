"""The change log: one row per committed write of one record, added in the write's own
transaction (so nothing that rolls back leaves a trace), read back as a record's history and
as the change feed."""

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Select, Table, exists, select, text
from sqlalchemy.orm import Session

from sanctions_tracker.models import Change
from sanctions_tracker.models.base import utcnow
from sanctions_tracker.models.trust import ChangeAction, ChangeVia
from sanctions_tracker.problems import NotFound
from sanctions_tracker.record_types import MAX_ID, RecordType, as_id, copy_rows
from sanctions_tracker.webhooks import outbox

BATCH = 2_000


@dataclass(frozen=True)
class Entry:
    """One record's change, as the write path reports it. `before` and `after` are the record
    as the bundle format writes it (`None` for a creation's before, a deletion's after)."""

    record_type: str
    record_id: int
    key: str  # the key after the change; for a deletion, the key it had
    action: ChangeAction
    version: int  # the record's version after the change
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def record(session: Session, entries: Iterable[Entry], *, via: ChangeVia) -> None:
    """Add the entries to the change log, in order, written by the API key named in
    `session.info["writer"]` (none for the seed and the command line). `entries` may be
    produced lazily: they are written a batch at a time."""
    entries = iter(entries)
    first = next(entries, None)
    if first is None:
        return
    entries = itertools.chain([first], entries)
    _serialize_writers(session)
    since = outbox.mark(session)
    writer = session.info.get("writer")
    now = utcnow()
    table = cast(Table, Change.__table__)
    # Rows of one statement have the same columns; `before` and `after` are left out rather
    # than None where absent, so that they are SQL NULL, not JSON null. Runs of rows of the
    # same shape are inserted in order, so sequence numbers follow the entries.
    run: list[dict[str, Any]] = []
    for entry in entries:
        row: dict[str, Any] = {
            "at": now,
            "writer": writer if isinstance(writer, str) else None,
            "action": entry.action.value,
            "via": via.value,
            "record_type": entry.record_type,
            "record_id": entry.record_id,
            "record_key": entry.key,
            "version": entry.version,
        }
        if entry.before is not None:
            row["before"] = entry.before
        if entry.after is not None:
            row["after"] = entry.after
        if run and (run[-1].keys() != row.keys() or len(run) >= BATCH):
            copy_rows(session, table, run)
            run = []
        run.append(row)
    copy_rows(session, table, run)
    if since is not None:
        outbox.enqueue(session, since)


def _serialize_writers(session: Session) -> None:
    """On PostgreSQL, sequence numbers are drawn when a row is inserted but become visible at
    commit: a writer that drew 11 could commit before the one that drew 10, and a client that
    polled in between would skip 10 for ever. So the writers that log changes take turns from
    here to their commit, which makes the feed's order the order of commits. Reading is not
    blocked. SQLite has a single writer at a time already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE changes IN EXCLUSIVE MODE"))


def record_history(session: Session, record_type: RecordType, ref: str) -> Select[Any]:
    """The changes of the record named by `ref` (a key it has or had, or its id), also after it
    was deleted; a 404 when no record of this type ever had that key or id."""
    record_id = _record_id(session, record_type, ref)
    return select(Change).where(
        Change.record_type == record_type.name, Change.record_id == record_id
    )


def _record_id(session: Session, record_type: RecordType, ref: str) -> int:
    model = record_type.model
    of_type = Change.record_type == record_type.name
    number = as_id(ref)
    if number is not None:
        if number <= MAX_ID:
            stored = exists().where(model.id == number)
            logged = exists().where(of_type, Change.record_id == number)
            if session.scalar(select(stored | logged)):
                return number
        raise NotFound(f"No {record_type.singular} ever had id {ref}.")
    found = session.scalar(select(model.id).where(model.key == ref))
    if found is None:  # deleted, or renamed since: the last record that took this key
        found = session.scalar(
            select(Change.record_id)
            .where(of_type, Change.record_key == ref)
            .order_by(Change.seq.desc())
            .limit(1)
        )
    if found is None:
        raise NotFound(f"No {record_type.singular} ever had key {ref!r}.")
    return int(found)


def feed(
    since: int, types: Sequence[str] | None, record_ids: Sequence[int] | None = None
) -> Select[Any]:
    """The changes after sequence number `since`, of the record types named (all without) and,
    given ids, of those records only (ids are per type, so the caller names one type)."""
    query = select(Change).where(Change.seq > since)
    if types:
        query = query.where(Change.record_type.in_(types))
    if record_ids:
        query = query.where(Change.record_id.in_(record_ids))
    return query
