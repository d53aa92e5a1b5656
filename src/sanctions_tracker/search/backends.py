"""The SQL of a search on each database: which documents match, how well, and which words.

SQLite: two FTS5 tables over `search_documents` (created by the migration, kept in step by
triggers). `search_fts_stemmed` (porter) answers words and phrases; `search_fts_unstemmed`
answers prefixes, since FTS5 would stem a prefix (`adey*` becoming `adei*`). Each FTS5
expression quotes every word.

PostgreSQL: the generated column `search_documents.document` holds English lexemes weighted A
(title) and B (body) and unstemmed 'simple' lexemes (weight D) for prefixes and stop words; the
query is one tsquery built with to_tsquery from words and operators only.
"""

from collections.abc import Callable, Sequence
from functools import reduce
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Float,
    Integer,
    Select,
    Text,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    values,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

from sanctions_tracker.models import SearchDocument
from sanctions_tracker.search.normalize import for_index
from sanctions_tracker.search.query import (
    Config,
    Query,
    Term,
    fts5_all,
    fts5_any,
    tsquery_configs,
    tsquery_text,
)
from sanctions_tracker.search.snippets import START, STOP

STEMMED = "search_fts_stemmed"
UNSTEMMED = "search_fts_unstemmed"
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0  # bm25 column weights on SQLite

# (marked title, marked body) per way of matching, and the text the marks were put on.
Marked = list[tuple[str | None, str | None]]
Highlights = tuple[dict[int, Marked], Callable[[str], str]]


class Matches(ColumnElement[bool]):
    """`search_documents` rows that match the query, on whichever database runs the statement,
    so a list's query can be built before a session is at hand."""

    inherit_cache = False  # the SQL depends on the parsed query, not only on bound values
    type = Boolean()

    def __init__(self, query: Query) -> None:
        self.query = query


@compiles(Matches, "sqlite")
def _matches_sqlite(element: Matches, compiler: SQLCompiler, **kw: Any) -> str:
    # Grouped: an OR of a word and a prefix must not bind to the conditions around it.
    return compiler.process(sqlite_condition(element.query).self_group(), **kw)


@compiles(Matches, "postgresql")
def _matches_postgresql(element: Matches, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(postgresql_condition(element.query).self_group(), **kw)


@compiles(Matches)
def _matches_other(element: Matches, compiler: SQLCompiler, **kw: Any) -> str:
    raise CompileError(f"full-text search is not available on {compiler.dialect.name}")


def ranked(session: Session, query: Query) -> Select[Any]:
    """Matching documents' `id` and `score` (higher for a better match)."""
    if session.get_bind().dialect.name == "postgresql":
        return _postgresql_ranked(query)
    return _sqlite_ranked(query)


def counts_with_ranks(session: Session) -> bool:
    """Whether the total is best counted in the ranked pass. PostgreSQL reads every match's
    document from the table to count it as to rank it, so one pass saves the second; SQLite
    counts from its FTS5 index alone, cheaper than carrying a window through the ranking."""
    return session.get_bind().dialect.name == "postgresql"


Text3 = tuple[int, str, str | None]
"""A document to mark: its id, title and body."""


def highlights(session: Session, query: Query, documents: Sequence[Text3]) -> Highlights:
    if session.get_bind().dialect.name == "postgresql":
        return _postgresql_highlights(session, query, documents), for_index
    ids = [document_id for document_id, _, _ in documents]
    return _sqlite_highlights(session, query, ids), lambda text: text


# SQLite


def _fts_table(name: str) -> Any:
    return table(name, column("rowid", Integer), column("title", Text), column("body", Text))


def _by_table(terms: Sequence[Term]) -> list[tuple[str, list[Term]]]:
    stemmed = [term for term in terms if not term.prefix]
    unstemmed = [term for term in terms if term.prefix]
    return [(name, found) for name, found in ((STEMMED, stemmed), (UNSTEMMED, unstemmed)) if found]


def _fts_ids(name: str, expression: str) -> Select[Any]:
    fts = _fts_table(name)
    return select(fts.c.rowid).where(literal_column(name).match(literal(expression, Text)))


def sqlite_condition(query: Query) -> ColumnElement[bool]:
    document = SearchDocument.id
    whole: dict[str, list[tuple[Term, ...]]] = {STEMMED: [], UNSTEMMED: []}
    conditions: list[ColumnElement[bool]] = []
    for group in query.groups:
        parts = _by_table(group)
        if len(parts) == 1:
            whole[parts[0][0]].append(group)
        else:  # a word OR a prefix: one lookup in each table
            conditions.append(
                or_(*(document.in_(_fts_ids(name, fts5_any(terms))) for name, terms in parts))
            )
    for name, groups in whole.items():
        if groups:
            conditions.append(document.in_(_fts_ids(name, fts5_all(groups))))
    for name, terms in _by_table(query.excluded):
        conditions.append(document.not_in(_fts_ids(name, fts5_any(terms))))
    return and_(*conditions)


def _sqlite_ranked(query: Query) -> Select[Any]:
    single = _one_lookup(query)
    if single is not None:
        return _sqlite_ranked_in_one_lookup(*single)
    source: Any = SearchDocument.__table__
    ranks: list[ColumnElement[float]] = []
    for name, terms in _by_table(query.positive):
        fts = _fts_table(name)
        rank = (
            select(
                fts.c.rowid.label("id"),
                func.bm25(literal_column(name), TITLE_WEIGHT, BODY_WEIGHT).label("rank"),
            )
            .where(literal_column(name).match(literal(fts5_any(terms), Text)))
            .subquery()
        )
        source = source.outerjoin(rank, rank.c.id == SearchDocument.id)
        ranks.append(func.coalesce(rank.c.rank, 0.0))
    score = -reduce(lambda left, right: left + right, ranks)
    return _documents(score).select_from(source).where(sqlite_condition(query))


def _one_lookup(query: Query) -> tuple[str, str] | None:
    """(table, expression) when one FTS5 expression both selects and ranks the matches: no
    excluded term, and every term is looked up in the same table (no word OR'ed with a
    prefix). bm25 scores the phrases of the expression, whatever joins them, so the AND of the
    groups ranks its rows as the OR of their terms does."""
    if query.excluded:
        return None
    tables = {name for group in query.groups for name, _ in _by_table(group)}
    if len(tables) != 1 or any(len(_by_table(group)) != 1 for group in query.groups):
        return None
    return tables.pop(), fts5_all(list(query.groups))


def _sqlite_ranked_in_one_lookup(name: str, expression: str) -> Select[Any]:
    """The common case in one pass over the FTS5 index, instead of one to select the rows and
    another to rank them."""
    fts = _fts_table(name)
    rank = (
        select(
            fts.c.rowid.label("id"),
            func.bm25(literal_column(name), TITLE_WEIGHT, BODY_WEIGHT).label("rank"),
        )
        .where(literal_column(name).match(literal(expression, Text)))
        .subquery()
    )
    source = SearchDocument.__table__.join(rank, rank.c.id == SearchDocument.id)
    return _documents(-rank.c.rank).select_from(source)


def _sqlite_highlights(session: Session, query: Query, ids: Sequence[int]) -> dict[int, Marked]:
    found: dict[int, Marked] = {}
    for name, terms in _by_table(query.positive):
        fts = _fts_table(name)
        target: Any = literal_column(name)
        rows = session.execute(
            select(
                fts.c.rowid,
                func.highlight(target, 0, START, STOP),
                func.highlight(target, 1, START, STOP),
            )
            .where(target.match(literal(fts5_any(terms), Text)))
            .where(fts.c.rowid.in_(ids))
        )
        for row_id, title, body in rows:
            found.setdefault(row_id, []).append((title, body))
    return found


# PostgreSQL

_DOCUMENT = literal_column("search_documents.document", TSVECTOR)
_HEADLINE_OPTIONS = f"HighlightAll=true, StartSel={START}, StopSel={STOP}"


def _config(config: Config) -> Any:
    return literal_column(f"'{config}'")  # a constant: 'english' or 'simple'


def _tsquery(term: Term, config: Config) -> Any:
    text = literal(tsquery_text(term, config), Text)
    return func.to_tsquery(_config(config), text, type_=TSQUERY)


def _term_tsquery(term: Term) -> Any:
    tsqueries = [_tsquery(term, config) for config in tsquery_configs(term)]
    if len(term.words) < 2 or len(tsqueries) < 2:
        return _any_tsquery(tsqueries)
    # English drops a phrase's stop words ("further measures" would become just 'measur'):
    # such a phrase is looked up word for word only, as FTS5 (which has no stop words) does.
    english, simple = tsqueries
    return case(
        (func.numnode(english) == func.numnode(simple), _any_tsquery(tsqueries)),
        else_=simple,
    )


def _any_tsquery(tsqueries: Sequence[Any]) -> Any:
    return reduce(lambda left, right: func.tsquery_or(left, right, type_=TSQUERY), tsqueries)


def postgresql_tsquery(query: Query) -> Any:
    groups = [_any_tsquery([_term_tsquery(term) for term in group]) for group in query.groups]
    whole = reduce(lambda left, right: func.tsquery_and(left, right, type_=TSQUERY), groups)
    for term in query.excluded:
        whole = func.tsquery_and(whole, func.tsquery_not(_term_tsquery(term)), type_=TSQUERY)
    return whole


def postgresql_condition(query: Query) -> ColumnElement[bool]:
    return _DOCUMENT.bool_op("@@")(postgresql_tsquery(query))


def _postgresql_ranked(query: Query) -> Select[Any]:
    wanted = _any_tsquery([_term_tsquery(term) for term in query.positive])
    # double precision, so the score a cursor carries compares equal to itself
    score = cast(func.ts_rank_cd(_DOCUMENT, wanted), Float)
    return _documents(score).where(postgresql_condition(query))


def _unstemmed_marks(term: Term) -> Any:
    """Words to mark unstemmed: prefixes, and words or phrases of stop words only (the English
    form marks the others; ts_headline marks each word of a phrase, wherever it stands)."""
    unstemmed = _tsquery(term, "simple")
    if term.prefix:
        return unstemmed
    stemmed = _tsquery(term, "english")
    return case((func.numnode(stemmed) == 0, unstemmed), else_=_NOTHING)


_NOTHING = literal_column("''::tsquery", TSQUERY)


def _postgresql_highlights(
    session: Session, query: Query, documents: Sequence[Text3]
) -> dict[int, Marked]:
    """ts_headline over the texts in the index's form, which Python's `for_index` makes far
    faster than PostgreSQL's translate (a few milliseconds a body with its long map)."""
    if not documents:
        return {}
    stemmed = [term for term in query.positive if not term.prefix]
    ways: list[tuple[Config, Any]] = []
    if stemmed:
        ways.append(("english", _any_tsquery([_tsquery(term, "english") for term in stemmed])))
    ways.append(("simple", _any_tsquery([_unstemmed_marks(term) for term in query.positive])))
    texts = (
        values(column("id", Integer), column("title", Text), column("body", Text), name="texts")
        .data(
            [
                (document_id, for_index(title), for_index(body or ""))
                for document_id, title, body in documents
            ]
        )
        .alias("texts")
    )
    options = literal(_HEADLINE_OPTIONS, Text)
    # ts_headline parses the whole text even for a query with nothing to mark (the usual case of
    # the unstemmed way), at a cost per call: CASE skips those calls.
    columns = [
        case(
            (func.numnode(tsquery) == 0, text),
            else_=func.ts_headline(_config(config), text, tsquery, options, type_=Text),
        )
        for config, tsquery in ways
        for text in (texts.c.title, texts.c.body)
    ]
    found: dict[int, Marked] = {}
    for row_id, *marked in session.execute(select(texts.c.id, *columns)):
        found[row_id] = [(marked[index], marked[index + 1]) for index in range(0, len(marked), 2)]
    return found


def _documents(score: ColumnElement[Any]) -> Select[Any]:
    """Only the id and the score: ranking and paging carry no text through the sort (with the
    bodies, PostgreSQL's window over every match spilled to disk); the page's texts are read
    by id afterwards."""
    return select(SearchDocument.id, score.label("score"))
