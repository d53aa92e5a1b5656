"""What the write engine needs to know of each record type, and lookups shared by all of them."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import JSON, ColumnElement, Insert, Select, Table, false, insert, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import LoaderOption

from sanctions_tracker.fields import RecordBase
from sanctions_tracker.problems import NotFound

IN_CHUNK = 5_000

# (pointer below the record, referenced record type, key)
Reference = tuple[str, str, str]
# A function that gives the id of a stored record of a type by its key.
Resolver = Callable[[str, str], int]


@dataclass(frozen=True)
class Referrer:
    type: str
    key: str
    name: str


@dataclass(frozen=True)
class RecordType:
    """One bundle record type: its table, its bundle schema and the functions the engine calls."""

    name: str  # bundle list and URL name, e.g. "sanctions_rounds"
    singular: str  # "sanctions round", for messages
    model: Any
    record_schema: type[RecordBase]
    load_options: Callable[[], Sequence[LoaderOption]]
    to_record: Callable[[Any], RecordBase]
    apply_fields: Callable[[Any, Any], None]
    apply_references: Callable[[Session, Any, Any, Resolver], None]
    references: Callable[[Any], list[Reference]]
    referrers: Callable[[Session, Any], list[Referrer]]
    normalize: Callable[[Any], Any] = field(default=lambda record: record)
    parent_of: Callable[[Any], str | None] | None = None  # for trees: the parent key
    # (title, other text) of a stored record for full-text search: its own text only, so that
    # writing a record never changes another record's search document
    search_text: Callable[[Any], tuple[str, str | None]] | None = None


MAX_ID = 2**31 - 1


def as_id(ref: str) -> int | None:
    """The integer id a ref names, if it is one (keys always hold a letter)."""
    return int(ref) if ref.isascii() and ref.isdigit() else None


def ref_target(ref: str) -> tuple[Literal["id", "key"], int | str] | None:
    """The column `{ref}` in a path names, and its value: an integer id or a key. None for an
    id beyond the column's range, which matches nothing rather than overflowing it."""
    number = as_id(ref)
    if number is None:
        return "key", ref
    return ("id", number) if number <= MAX_ID else None


def ref_condition(model: Any, ref: str) -> ColumnElement[bool]:
    """The condition on `model` (a class or a table's columns) that `{ref}` names."""
    target = ref_target(ref)
    if target is None:
        return false()
    column, value = target
    return getattr(model, column) == value  # type: ignore[no-any-return]


def get_by_ref(
    session: Session,
    record_type: RecordType,
    ref: str,
    options: Sequence[LoaderOption] | None = None,
) -> Any:
    """The stored record named by id or key, loaded with `options` (default: what the engine
    needs), or a 404."""
    statement: Select[Any] = (
        select(record_type.model)
        .where(ref_condition(record_type.model, ref))
        .options(*(record_type.load_options() if options is None else options))
        .execution_options(populate_existing=True)
    )
    found = session.scalars(statement).first()
    if found is None:
        raise not_found(record_type, ref)
    return found


def not_found(record_type: RecordType, ref: str) -> NotFound:
    """The 404 for a `ref` that names no record of that type."""
    kind = "id" if as_id(ref) is not None else "key"
    return NotFound(f"No {record_type.singular} with {kind} {ref!r}.")


def chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def insert_rows(session: Session, statement: Insert, rows: Sequence[dict[str, Any]]) -> None:
    """Run an INSERT for many rows at once. On PostgreSQL a RETURNING clause makes SQLAlchemy
    send a few rows a statement ("insertmanyvalues", a multi-row VALUES) instead of one
    statement a row, which is many times faster; the answer is dropped. SQLite's executemany
    reuses one prepared statement and is fast already."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        table = statement.table
        returned = next(iter(table.primary_key.columns))  # type: ignore[attr-defined]
        session.execute(statement.returning(returned), rows).close()
    else:
        session.execute(statement, rows)


def copy_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows that all have the same columns. On PostgreSQL with COPY, the fastest way
    in: the same constraints and triggers apply as to an INSERT, without building and parsing
    statements of thousands of parameters. Elsewhere an executemany INSERT."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    wrappers = [_json_wrapper(table.c[name].type.dialect_impl(dialect)) for name in columns]
    preparer = dialect.identifier_preparer
    sql = (
        f"COPY {preparer.format_table(table)} "
        f"({', '.join(preparer.quote(name) for name in columns)}) FROM STDIN"
    )
    connection = session.connection().connection.driver_connection
    assert connection is not None
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(
                [
                    value if wrap is None or value is None else wrap(value)
                    for wrap, value in zip(wrappers, row.values(), strict=True)
                ]
            )


def _json_wrapper(column_type: Any) -> Callable[[Any], Any] | None:
    """How psycopg is told that a value goes into a json or jsonb column (None: as it is)."""
    from psycopg.types.json import Json, Jsonb

    if isinstance(column_type, JSONB):
        return Jsonb
    if isinstance(column_type, JSON):
        return Json
    return None


def ids_by_key(session: Session, model: Any, keys: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(keys))
    found: dict[str, int] = {}
    for chunk in chunks(wanted):
        found.update(session.execute(select(model.key, model.id).where(model.key.in_(chunk))).all())
    return found


def ids_for_refs(session: Session, model: Any, refs: Iterable[str]) -> list[int]:
    """Ids of the records named by keys or ids; unknown ones are simply absent."""
    refs = list(refs)
    numbers = [number for ref in refs if (number := as_id(ref)) is not None and number <= MAX_ID]
    keys = [ref for ref in refs if as_id(ref) is None]
    ids = list(ids_by_key(session, model, keys).values())
    if numbers:
        ids += session.scalars(select(model.id).where(model.id.in_(numbers))).all()
    return ids
