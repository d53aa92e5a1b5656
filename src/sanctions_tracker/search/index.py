"""Keeping the search documents in step with the records: called by the write engine and by
deletes, inside their transaction, so the index never disagrees with what was committed."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sanctions_tracker.models import SearchDocument
from sanctions_tracker.record_types import insert_rows

BATCH = 1_000


@dataclass(frozen=True)
class Document:
    record_type: str
    record_id: int
    key: str
    title: str
    body: str | None


def body(*parts: str | Iterable[str | None] | None) -> str | None:
    """A record's other text, one part a line, empty parts left out (None when nothing is left).

    The migration that backfills documents builds the same text; keep the two in step."""
    lines: list[str] = []
    for part in parts:
        if part is None or isinstance(part, str):
            part = [part]
        lines += [line for line in part if line]
    return "\n".join(lines) or None


def upsert(session: Session, documents: Sequence[Document]) -> None:
    """Insert or replace the documents of these records, in batches."""
    if not documents:
        return
    table = cast(Table, SearchDocument.__table__)
    dialect = session.get_bind().dialect.name
    insert: Any
    if dialect == "sqlite":
        insert = sqlite.insert(table)
    elif dialect == "postgresql":
        insert = postgresql.insert(table)
    else:  # pragma: no cover - the app runs on SQLite or PostgreSQL only
        raise NotImplementedError(f"full-text search is not available on {dialect}")
    statement = insert.on_conflict_do_update(
        index_elements=["record_type", "record_id"],
        set_={
            "key": insert.excluded.key,
            "title": insert.excluded.title,
            "body": insert.excluded.body,
        },
    )
    rows = [
        {
            "record_type": document.record_type,
            "record_id": document.record_id,
            "key": document.key,
            "title": document.title,
            "body": document.body,
        }
        for document in documents
    ]
    for start in range(0, len(rows), BATCH):
        insert_rows(session, statement, rows[start : start + BATCH])


def remove(session: Session, record_type: str, record_id: int) -> None:
    session.execute(
        delete(SearchDocument).where(
            SearchDocument.record_type == record_type, SearchDocument.record_id == record_id
        )
    )
