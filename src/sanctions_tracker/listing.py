"""What every list route shares: paging, sort, facets and the choice between the JSON page and a
streamed file of every matching record.

A list route reads its filters, builds its query with its service and hands both over:
`return listing.answer(session, service.list_query(session, filters))`."""

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeAlias, TypeVar

from fastapi import Query, Request, Response
from pydantic_core import to_json
from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.interfaces import LoaderOption

from sanctions_tracker.db import StreamSessionDep
from sanctions_tracker.exports.columns import Column
from sanctions_tracker.exports.csv_writer import write_csv
from sanctions_tracker.exports.formats import ExportFormat, file_content, negotiate
from sanctions_tracker.exports.ndjson import write_ndjson
from sanctions_tracker.exports.stream import download
from sanctions_tracker.facets import Facet, count_facets, describe, parse_names
from sanctions_tracker.pagination import (
    DEFAULT_LIMIT,
    Keyset,
    Page,
    PageRows,
    keyset,
    keyset_batches,
    paginate,
    set_link_header,
)
from sanctions_tracker.params import Cursor, ListLimit, sort_description
from sanctions_tracker.problems import problem_responses

T = TypeVar("T")

FORMAT_NOTES = {
    ExportFormat.json: "`json` (the default): one page, with `total`, `next_cursor` and `facets`",
    ExportFormat.csv: "`csv`: UTF-8 with a byte order mark (for Excel), a header row, one row "
    "per record, references as keys, lists joined with `;`, nested objects as "
    "`<field>_<subfield>` columns; text that a spreadsheet would run as a formula (starting "
    "with `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with `'`",
    ExportFormat.ndjson: "`ndjson`: one JSON object per line, as in `items`",
    ExportFormat.geojson: "`geojson`: a FeatureCollection of Point features, only the records "
    "with coordinates",
    ExportFormat.ics: "`ics`: an iCalendar file of all-day events from start to end date "
    "(planned ones TENTATIVE, cancelled ones CANCELLED)",
    ExportFormat.ftm: "`ftm`: FollowTheMoney entities (`application/json+ftm`), one per line, "
    "with every entity they refer to (people, organizations, places, sources, jurisdictions); "
    "ids are `sdt-<type>-<key>`, stable across exports",
    ExportFormat.plover: "`plover`: PLOVER event records, one per line: each consultation "
    "(calls, meetings, visits, trips, ministerials, summits) as a CONSULT event with its mode; "
    "statements and other kinds are left out. Only by `format=`, never by `Accept`",
}


@dataclass(frozen=True)
class Export:
    """How one file format writes a list's records; `where`, an optional SQL condition, keeps
    only the rows the format can show (e.g. located ones for GeoJSON); `prepare`, optional,
    maps each batch before it is written."""

    write: Callable[[Iterable[Any]], Iterator[bytes]]
    where: Any = None
    documents: bool = False  # writes plain documents too, when the listing can read them so
    prepare: Callable[[Session, list[Any]], Iterable[Any]] | None = None
    """Turns each batch of Read models into what `write` takes, with the session at hand to
    look up what the records refer to (the interchange formats need their sources)."""


def table_exports(columns: Sequence[Column]) -> dict[ExportFormat, Export]:
    """CSV with these columns, and NDJSON: the files every list offers."""
    return {
        ExportFormat.csv: Export(partial(write_csv, columns=columns), documents=True),
        ExportFormat.ndjson: Export(write_ndjson, documents=True),
    }


def each(to_read: Callable[[Any], T]) -> Callable[[Session, Sequence[Any]], list[T]]:
    """A row-by-row read as the batch read a `Listing` takes."""
    return lambda _session, rows: [to_read(row) for row in rows]


@dataclass(frozen=True)
class Listing(Generic[T]):
    """One list endpoint: its rows, their order, how they are read, faceted and exported."""

    name: str  # names downloaded files: "sanctions-rounds" -> sanctions-rounds-20220401.csv
    page_type: type[Page[T]]
    tiebreak: InstrumentedAttribute[Any]
    sorts: Mapping[str, InstrumentedAttribute[Any]]
    default_sort: str
    read: Callable[[Session, Sequence[Any]], list[T]]  # a batch of rows as Read models
    options: Callable[[], Sequence[LoaderOption]] = list
    # The fast path: rows of these table columns (not ORM objects), read by `documents` as plain
    # dicts of the Read model's fields, which JSON pages and CSV/NDJSON files write unvalidated.
    columns: Sequence[Any] = ()
    documents: Callable[[Session, Sequence[Any]], list[dict[str, Any]]] | None = None
    facets: Mapping[str, Facet] = field(default_factory=dict)
    exports: Mapping[ExportFormat, Export] = field(default_factory=dict)

    @property
    def formats(self) -> list[ExportFormat]:
        return [ExportFormat.json, *self.exports]

    def responses(self) -> dict[int | str, dict[str, Any]]:
        """The `responses=` of the route: its file formats beside JSON, and its problems."""
        files = file_content(list(self.exports))
        return {
            200: {"description": "The page, or every matching record as a file", "content": files}
        } | problem_responses(400, 406, 422)

    def parameters(self) -> Callable[..., Awaitable["ListRequest[T]"]]:
        """The dependency reading this list's `sort`, `limit`, `cursor`, `facets` and `format`
        (or `Accept`); unknown facets and formats are refused here, before any answer starts."""
        choices = tuple(export_format.value for export_format in self.formats)
        if TYPE_CHECKING:
            choice: TypeAlias = str
        else:
            choice = Literal[choices]
        notes = "; ".join(FORMAT_NOTES[export_format] for export_format in self.formats)
        format_description = (
            f"{notes}. Files hold every matching record in the chosen sort, not paged (`limit` "
            "and `cursor` are ignored). Without `format`, the `Accept` header chooses."
        )

        async def list_request(
            request: Request,
            response: Response,
            stream_session: StreamSessionDep,
            sort: Annotated[
                str, Query(description=sort_description(self.sorts))
            ] = self.default_sort,
            limit: ListLimit = DEFAULT_LIMIT,
            cursor: Cursor = None,
            facets: Annotated[list[str] | None, Query(description=describe(self.facets))] = None,
            format: Annotated[choice | None, Query(description=format_description)] = None,
        ) -> ListRequest[T]:
            return ListRequest(
                listing=self,
                request=request,
                response=response,
                stream_session=stream_session,
                sort=sort,
                limit=limit,
                cursor=cursor,
                facets=parse_names(facets, self.facets),
                format=negotiate(
                    ExportFormat(format) if format else None,
                    request.headers.get("accept"),
                    self.formats,
                ),
            )

        return list_request


@dataclass(frozen=True)
class ListRequest(Generic[T]):
    """What a client asked of a list, checked; `answer` gives the page or the file."""

    listing: Listing[T]
    request: Request
    response: Response
    stream_session: Session
    sort: str
    limit: int
    cursor: str | None
    facets: list[str]
    format: ExportFormat

    def answer(self, session: Session, query: Select[Any]) -> Page[T] | Response:
        """`query` (the filters, no order) as a JSON page, or streamed whole as a file."""
        listing = self.listing
        if self.format is not ExportFormat.json:
            order = keyset(listing.sorts, self.sort, listing.tiebreak)  # a bad sort is a 422 now
            export = listing.exports[self.format]
            if export.where is not None:
                query = query.where(export.where)
            ids = query.with_only_columns(listing.tiebreak).order_by(None)
            return download(
                self.request,
                session,
                [(listing.tiebreak.class_.__table__, ids)],
                export.write(self._every(query, order, export)),
                self.format,
                listing.name,
            )
        page = paginate(
            session,
            query,
            tiebreak=listing.tiebreak,
            sorts=listing.sorts,
            sort=self.sort,
            cursor=self.cursor,
            limit=self.limit,
            options=listing.options(),
            columns=listing.columns,
        )
        facets = None
        if self.facets:
            facets = count_facets(session, query, listing.tiebreak, listing.facets, self.facets)
        set_link_header(self.request, self.response, page.next_cursor)
        self.response.headers["Vary"] = "Accept"
        if listing.documents is not None:
            return self._page_document(listing.documents(session, page.rows), page, facets)
        return listing.page_type(
            items=listing.read(session, page.rows),
            total=page.total,
            next_cursor=page.next_cursor,
            facets=facets,
        )

    def _page_document(
        self, items: list[dict[str, Any]], page: PageRows, facets: dict[str, Any] | None
    ) -> Response:
        """The page as `page_type` would write it, serialized once, with the headers set on
        the route's response so far (`Link`, `Vary`)."""
        envelope: dict[str, Any] = {
            "items": items,
            "total": page.total,
            "next_cursor": page.next_cursor,
        }
        if facets is not None:
            envelope["facets"] = facets
        headers = {
            name: value for name, value in self.response.headers.items() if name != "content-length"
        }
        return Response(to_json(envelope), media_type="application/json", headers=headers)

    def _every(self, query: Select[Any], order: Keyset, export: Export) -> Iterator[Any]:
        """Every row of `query` read through the stream session, batch by batch: as plain
        documents when the format takes them and the listing reads them, else as models
        (each batch passed through the format's `prepare` when it has one)."""
        listing, session = self.listing, self.stream_session
        plain = export.documents and listing.documents is not None
        read = listing.documents if plain and listing.documents is not None else listing.read
        begin_snapshot(session)
        batches = keyset_batches(
            session, query, order, options=listing.options(), columns=listing.columns
        )
        for batch in batches:
            items = read(session, batch)
            yield from items if export.prepare is None else export.prepare(session, items)


def begin_snapshot(session: Session) -> None:
    """Start the session's transaction at REPEATABLE READ (and read-only) on PostgreSQL, so all
    the batches of one export see the same data; on SQLite (WAL) a read transaction already
    is a snapshot. A session bound to a connection (a test's) keeps its transaction."""
    bind = session.get_bind()
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )


def every_record(
    session: Session,
    listing: Listing[Any],
    prepare: Callable[[Session, list[Any]], Iterable[Any]],
    sort: str = "key",
) -> Iterator[Any]:
    """Every record of a list, unfiltered, in `sort` order, batch by batch through `prepare`:
    for exports that span several lists (the whole store)."""
    model = listing.tiebreak.class_
    order = keyset(listing.sorts, sort, listing.tiebreak)
    batches = keyset_batches(
        session, select(model), order, options=listing.options(), columns=listing.columns
    )
    for batch in batches:
        yield from prepare(session, listing.read(session, batch))
