"""Full-text search over every record type, and the `q` filter the lists share with it."""

import base64
import binascii
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.types import Float, Integer

from sanctions_tracker.models import SearchDocument
from sanctions_tracker.problems import BadRequest, field_error
from sanctions_tracker.record_types import MAX_ID
from sanctions_tracker.search import backends, snippets
from sanctions_tracker.search.query import Query, QuerySyntaxError, parse


@dataclass(frozen=True)
class Hit:
    type: str
    key: str
    id: int
    title: str
    snippet: str
    score: float


@dataclass(frozen=True)
class Hits:
    hits: list[Hit]
    total: int
    next_cursor: str | None


def parse_query(text: str, parameter: str = "q") -> Query:
    """The parsed query, or a 400 naming the parameter and what is wrong with it."""
    try:
        return parse(text)
    except QuerySyntaxError as error:
        raise BadRequest(
            f"Cannot read the search query: {error}",
            errors=[field_error(f"/{parameter}", str(error), "query")],
        ) from error


def matching_ids(record_type: str, text: str) -> Select[Any]:
    """`SELECT record_id` of the records of `record_type` (e.g. "actors") that match the query
    `text`, for `Model.id.in_(...)` in a list's query; a query that cannot be read is a 400."""
    return select(SearchDocument.record_id).where(
        SearchDocument.record_type == record_type, backends.Matches(parse_query(text))
    )


def search(
    session: Session,
    text: str,
    *,
    types: Sequence[str] | None,
    limit: int,
    cursor: str | None,
) -> Hits:
    """One page of the documents matching `text`, best first (ties by document id)."""
    query = parse_query(text)
    statement = backends.ranked(session, query)
    counted = select(func.count()).where(backends.Matches(query))
    if types:
        statement = statement.where(SearchDocument.record_type.in_(types))
        counted = counted.where(SearchDocument.record_type.in_(types))
    windowed = backends.counts_with_ranks(session)
    if windowed:  # a window over every match, before the cursor narrows them
        statement = statement.add_columns(func.count().over().label("total"))
    matched = statement.subquery()
    page = select(matched)
    fingerprint = _fingerprint(text, types)
    if cursor is not None:
        score, last = _decode(cursor, fingerprint)
        bound = literal(score, Float)
        page = page.where(
            or_(
                matched.c.score < bound,
                and_(matched.c.score == bound, matched.c.id > literal(last, Integer)),
            )
        )
    ranks = session.execute(
        page.order_by(matched.c.score.desc(), matched.c.id.asc()).limit(limit + 1)
    ).all()
    if windowed and ranks:
        total = int(ranks[0].total)
    else:  # counted apart, or a page past the last
        total = session.scalar(counted.select_from(SearchDocument)) or 0
    next_cursor = None
    if len(ranks) > limit:
        ranks = ranks[:limit]
        next_cursor = _encode(fingerprint, float(ranks[-1].score), ranks[-1].id)
    rows = _page_documents(session, ranks)
    marked, reference = backends.highlights(
        session, query, [(row.id, row.title, row.body) for row in rows]
    )
    hits = []
    for row in rows:
        title_marks: list[list[snippets.Span]] = []
        body_marks: list[list[snippets.Span]] = []
        for title, body in marked.get(row.id, []):
            title_marks.append(snippets.spans(title, reference(row.title)))
            body_marks.append(snippets.spans(body, reference(row.body or "")))
        hits.append(
            Hit(
                type=row.record_type,
                key=row.key,
                id=row.record_id,
                title=row.title,
                snippet=snippets.snippet(
                    row.title, row.body, snippets.merge(title_marks), snippets.merge(body_marks)
                ),
                score=float(row.score),
            )
        )
    return Hits(hits, total, next_cursor)


class _Ranked(NamedTuple):
    id: int
    record_type: str
    record_id: int
    key: str
    title: str
    body: str | None
    score: float


def _page_documents(session: Session, ranks: Sequence[Any]) -> list[_Ranked]:
    """The documents of a page of (id, score) rows, in the page's order (one deleted since the
    ranking, which PostgreSQL's READ COMMITTED lets the second statement see, is left out)."""
    if not ranks:
        return []
    found = {
        row.id: row
        for row in session.execute(
            select(
                SearchDocument.id,
                SearchDocument.record_type,
                SearchDocument.record_id,
                SearchDocument.key,
                SearchDocument.title,
                SearchDocument.body,
            ).where(SearchDocument.id.in_([rank.id for rank in ranks]))
        )
    }
    return [_Ranked(*found[rank.id], score=rank.score) for rank in ranks if rank.id in found]


def _fingerprint(text: str, types: Sequence[str] | None) -> str:
    """Ties a cursor to its search, so that it is not used to page through another one."""
    identity = json.dumps([text, sorted(types or [])])
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def _encode(fingerprint: str, score: float, row_id: int) -> str:
    payload = json.dumps({"f": fingerprint, "s": score, "i": row_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _decode(cursor: str, fingerprint: str) -> tuple[float, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        score, row_id = payload["s"], payload["i"]
        if (
            not isinstance(score, int | float)
            or isinstance(score, bool)
            or not math.isfinite(score)
            or not isinstance(row_id, int)
            or isinstance(row_id, bool)
            or not 0 <= row_id <= MAX_ID
        ):
            raise ValueError("bad position")
        matches = payload.get("f") == fingerprint
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeError) as error:
        raise BadRequest(
            "The cursor is malformed: pass `next_cursor` from a previous page unchanged."
        ) from error
    if not matches:
        raise BadRequest(
            "This cursor belongs to another search; keep `q` and `type` unchanged while paging."
        )
    return float(score), row_id
