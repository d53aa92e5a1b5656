"""Keyset pagination, the list envelope and the small query helpers every list shares."""

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from fastapi import Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Select, func, literal, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.interfaces import LoaderOption

from sanctions_tracker.facets import FacetValue
from sanctions_tracker.fields import check_storable
from sanctions_tracker.problems import BadRequest, ValidationFailed, field_error
from sanctions_tracker.record_types import MAX_ID

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
BATCH_SIZE = 500

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: follow `next_cursor` (or the `Link: rel="next"` header) for more."""

    items: list[T]
    total: int = Field(description="How many records match the filters, over all pages")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last"
    )
    facets: dict[str, list[FacetValue]] | None = Field(
        default=None,
        exclude_if=lambda facets: facets is None,
        description="Only when `facets` is asked for: for each dimension named, how many of the "
        "records matching the filters (over all pages) have each value, most frequent first",
    )


def contains_text(column: Any, text: str) -> Any:
    """Case-insensitive substring match; `%` and `_` in the text are taken literally."""
    return func.lower(column).contains(text.lower(), autoescape=True)


def check_span(date_from: date | None, date_to: date | None) -> None:
    """`to` before `from` is a 422, wherever a range is asked for."""
    if date_from is not None and date_to is not None and date_to < date_from:
        raise ValidationFailed([field_error("/to", "`to` must not be before `from`", "query")])


def span_filter(
    query: Select[Any],
    start: Any,
    end: Any,
    date_from: date | None,
    date_to: date | None,
) -> Select[Any]:
    """Keep rows whose [start, end] span overlaps [date_from, date_to] (bounds inclusive)."""
    check_span(date_from, date_to)
    if date_from is not None:
        query = query.where(func.coalesce(end, start) >= date_from)
    if date_to is not None:
        query = query.where(start <= date_to)
    return query


@dataclass(frozen=True)
class Sort:
    name: str
    descending: bool

    @property
    def param(self) -> str:
        return ("-" if self.descending else "") + self.name


def parse_sort(value: str, allowed: Mapping[str, Any]) -> Sort:
    name = value.removeprefix("-")
    if name not in allowed:
        choices = ", ".join(sorted(allowed))
        raise ValidationFailed(
            [
                field_error(
                    "/sort",
                    f"cannot sort by {name!r}; choose one of {choices} (prefix '-' for descending)",
                    "query",
                )
            ]
        )
    return Sort(name, value.startswith("-"))


def _encode(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _decode(column: Any, value: Any) -> Any:
    python_type = column.property.columns[0].type.python_type
    if python_type is datetime:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("timestamp without time zone")
        return parsed.astimezone(UTC)
    if python_type is date:
        return date.fromisoformat(value)
    if python_type is int:
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_ID:
            raise ValueError("not an id")
        return value
    if not isinstance(value, str):
        raise ValueError("not a string")
    return check_storable(value)


def encode_cursor(sort: Sort, value: Any, row_id: Any) -> str:
    payload = json.dumps({"s": sort.param, "v": _encode(value), "i": row_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: Sort, column: Any, tiebreak: Any) -> tuple[Any, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(payload, dict) or "i" not in payload or "v" not in payload:
            raise ValueError("bad payload")
        if payload.get("s") != sort.param:
            raise BadRequest(
                f"This cursor belongs to sort={payload.get('s')!r}, not sort={sort.param!r}; "
                "keep the same sort while paging."
            )
        return _decode(column, payload["v"]), _decode(tiebreak, payload["i"])
    except (ValueError, TypeError, KeyError, OverflowError, binascii.Error, UnicodeError) as error:
        raise BadRequest(
            "The cursor is malformed: pass `next_cursor` from a previous page unchanged."
        ) from error


@dataclass(frozen=True)
class Keyset:
    """A list's order, (sort column, tiebreak) both ascending or both descending, and the
    position of a row in it."""

    sort: Sort
    column: InstrumentedAttribute[Any]
    tiebreak: InstrumentedAttribute[Any]

    def ordered(self, query: Select[Any]) -> Select[Any]:
        if self.sort.descending:
            return query.order_by(self.column.desc(), self.tiebreak.desc())
        return query.order_by(self.column.asc(), self.tiebreak.asc())

    def after(self, query: Select[Any], value: Any, last: Any) -> Select[Any]:
        """`query` narrowed to the rows that come after position (value, last)."""
        key = tuple_(self.column, self.tiebreak)
        # Typed binds, so values go through the columns' own conversions (UTC timestamps).
        bound = tuple_(literal(value, self.column.type), literal(last, self.tiebreak.type))
        return query.where(key < bound if self.sort.descending else key > bound)

    def position(self, row: Any) -> tuple[Any, Any]:
        return getattr(row, self.column.key), getattr(row, self.tiebreak.key)

    def cursor(self, row: Any) -> str:
        return encode_cursor(self.sort, *self.position(row))

    def decode(self, cursor: str) -> tuple[Any, Any]:
        return decode_cursor(cursor, self.sort, self.column, self.tiebreak)


def keyset(
    sorts: Mapping[str, InstrumentedAttribute[Any]],
    sort: str,
    tiebreak: InstrumentedAttribute[Any],
) -> Keyset:
    """The order `sort` names (422 for a field not in `sorts`), ties broken by `tiebreak`."""
    parsed = parse_sort(sort, sorts)
    return Keyset(parsed, sorts[parsed.name], tiebreak)


@dataclass
class PageRows:
    rows: Sequence[Any]
    total: int
    next_cursor: str | None


def paginate(
    session: Session,
    query: Select[Any],
    *,
    tiebreak: InstrumentedAttribute[Any],
    sorts: Mapping[str, InstrumentedAttribute[Any]],
    sort: str,
    cursor: str | None,
    limit: int,
    options: Sequence[LoaderOption] = (),
    columns: Sequence[Any] = (),
) -> PageRows:
    """One page of `query` ordered by (sort key, tiebreak), with the total and the next cursor.

    The position is the last row's (sort value, tiebreak value), so rows inserted before it
    never shift the pages that follow (no OFFSET). With `columns`, the rows are plain rows of
    those columns rather than ORM objects (which cost far more to build)."""
    order = keyset(sorts, sort, tiebreak)
    total = session.scalar(select_count(query)) or 0
    if cursor is not None:
        query = order.after(query, *order.decode(cursor))
    if limit == 0:  # only the count (and the facets) were asked for
        return PageRows([], total, None)
    rows = _fetch(session, order.ordered(query).limit(limit + 1), options, columns)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = order.cursor(rows[-1])
    return PageRows(rows, total, next_cursor)


def keyset_batches(
    session: Session,
    query: Select[Any],
    order: Keyset,
    *,
    options: Sequence[LoaderOption] = (),
    columns: Sequence[Any] = (),
    size: int = BATCH_SIZE,
) -> Iterator[Sequence[Any]]:
    """Every row of `query` in `order`, in batches of `size` fetched by position like pages.

    Each batch is loaded with `options`; once the next one is asked for, the previous one is
    dropped from the session, so memory stays that of one batch however many rows there are."""
    position: tuple[Any, Any] | None = None
    while True:
        batch_query = query if position is None else order.after(query, *position)
        rows = _fetch(session, order.ordered(batch_query).limit(size), options, columns)
        if not rows:
            return
        position = order.position(rows[-1])
        yield rows
        if len(rows) < size:
            return
        session.expunge_all()


def _fetch(
    session: Session, query: Select[Any], options: Sequence[LoaderOption], columns: Sequence[Any]
) -> Sequence[Any]:
    if columns:
        return session.execute(query.with_only_columns(*columns)).all()
    return session.scalars(query.options(*options)).all()


def select_count(query: Select[Any]) -> Select[Any]:
    return select(func.count()).select_from(query.order_by(None).subquery())


def answer_page(
    request: Request,
    response: Response,
    page_type: type[Page[T]],
    page: PageRows,
    read: Callable[[Any], T],
) -> Page[T]:
    """The list envelope for a page of rows, with its `Link: rel="next"` header."""
    set_link_header(request, response, page.next_cursor)
    return page_type(
        items=[read(row) for row in page.rows], total=page.total, next_cursor=page.next_cursor
    )


def set_link_header(request: Request, response: Response, next_cursor: str | None) -> None:
    if next_cursor is not None:
        url = request.url.include_query_params(cursor=next_cursor)
        response.headers["Link"] = f'<{url}>; rel="next"'
