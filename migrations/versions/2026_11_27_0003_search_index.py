"""Full-text search: one search document per record and the indexes over it.

SQLite: two FTS5 tables with external content (`search_documents`), kept in step by triggers:
`search_fts_stemmed` (porter: words and phrases) and `search_fts_unstemmed` (prefixes).
PostgreSQL: a stored generated tsvector column `document` with a GIN index: English lexemes
weighted A (title) and B (body), plus unstemmed 'simple' lexemes (weight D) for prefixes and stop
words, all read through `translate()` so that punctuation splits words and Latin letters lose
their accents as in FTS5. Documents of the records already stored are written here; from now on
the application keeps them in step with every write.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 19:40:00+00:00
"""

import string
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TYPES = ("engagements", "sanctions_rounds", "actors", "organizations", "sectors", "sources")
FTS_TABLES = {
    "search_fts_stemmed": "porter unicode61 remove_diacritics 2",
    "search_fts_unstemmed": "unicode61 remove_diacritics 2",
}
TRIGGERS = ("search_documents_inserted", "search_documents_deleted", "search_documents_updated")


def _diacritics() -> dict[str, str]:
    """Latin letters with marks -> the bare letter, as FTS5's `remove_diacritics 2` does (a copy
    of sanctions_tracker.search.normalize, frozen with this revision)."""
    table: dict[str, str] = {}
    for code in range(0x80, 0x3000):
        char = chr(code)
        parts = unicodedata.normalize("NFD", char)
        if (
            len(parts) > 1
            and parts[0].isascii()
            and parts[0].isalpha()
            and all(unicodedata.combining(mark) for mark in parts[1:])
            and char not in {"\u01e0", "\u01e1"}
        ):
            table[char] = parts[0].lower()
    return table | {"\u017f": "s", "\u1e9b": "s"}


DIACRITICS = _diacritics()
PUNCTUATION = (
    string.punctuation
    + "\u00a0\u00ab\u00b7\u00bb\u2010\u2011\u2012\u2013\u2014\u2015\u2018\u2019"
    + "\u201a\u201b\u201c\u201d\u201e\u201f\u2022\u2026\u2032\u2033\u2039\u203a"
)
INDEX_FROM = "".join(DIACRITICS) + PUNCTUATION
INDEX_TO = "".join(DIACRITICS.values()) + " " * len(PUNCTUATION)


def _literal(value: str) -> str:
    """A PostgreSQL escape string literal, whatever standard_conforming_strings says."""
    return "E'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _translated(expression: str) -> str:
    """`translate(expression, INDEX_FROM, INDEX_TO)`; ASCII text (as many bytes as characters in
    UTF-8) only needs its punctuation replaced, which is ten times faster than the whole table."""
    ascii_only = f"octet_length({expression}) = char_length({expression})"
    punctuation = f"{_literal(string.punctuation)}, {_literal(' ' * len(string.punctuation))}"
    return (
        f"CASE WHEN {ascii_only} THEN translate({expression}, {punctuation}) "
        f"ELSE translate({expression}, {_literal(INDEX_FROM)}, {_literal(INDEX_TO)}) END"
    )


_TITLE = _translated("title")
_BODY = _translated("coalesce(body, '')")
_BOTH = _translated("title || ' ' || coalesce(body, '')")
DOCUMENT = (
    f"setweight(to_tsvector('english'::regconfig, {_TITLE}), 'A')"
    f" || setweight(to_tsvector('english'::regconfig, {_BODY}), 'B')"
    f" || to_tsvector('simple'::regconfig, {_BOTH})"
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    columns: list[Any] = [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
    ]
    if dialect == "postgresql":
        columns.append(
            sa.Column("document", postgresql.TSVECTOR(), sa.Computed(DOCUMENT, persisted=True))
        )
    op.create_table(
        "search_documents",
        *columns,
        sa.CheckConstraint(
            "record_type IN (" + ", ".join(f"'{name}'" for name in TYPES) + ")",
            name=op.f("ck_search_documents_record_type_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint(
            "record_type", "record_id", name=op.f("uq_search_documents_record_type_record_id")
        ),
        sqlite_autoincrement=True,
    )
    if dialect == "postgresql":
        op.create_index(
            "ix_search_documents_document",
            "search_documents",
            ["document"],
            postgresql_using="gin",
        )
    elif dialect == "sqlite":
        _create_fts5()
    _backfill()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in TRIGGERS:
            op.execute(f"DROP TRIGGER {trigger}")
        for name in FTS_TABLES:
            op.execute(f"DROP TABLE {name}")
    else:
        op.drop_index("ix_search_documents_document", table_name="search_documents")
    op.drop_table("search_documents")


def _create_fts5() -> None:
    for name, tokenizer in FTS_TABLES.items():
        op.execute(
            f"CREATE VIRTUAL TABLE {name} USING fts5(title, body, content='search_documents', "
            f"content_rowid='id', tokenize='{tokenizer}')"
        )
    added = "".join(
        f"INSERT INTO {name}(rowid, title, body) VALUES (new.id, new.title, new.body); "
        for name in FTS_TABLES
    )
    removed = "".join(
        f"INSERT INTO {name}({name}, rowid, title, body) "
        f"VALUES ('delete', old.id, old.title, old.body); "
        for name in FTS_TABLES
    )
    inserted, deleted, updated = TRIGGERS
    op.execute(f"CREATE TRIGGER {inserted} AFTER INSERT ON search_documents BEGIN {added}END")
    op.execute(f"CREATE TRIGGER {deleted} AFTER DELETE ON search_documents BEGIN {removed}END")
    op.execute(
        f"CREATE TRIGGER {updated} AFTER UPDATE ON search_documents BEGIN {removed}{added}END"
    )


# The backfill reads the tables as they are at this revision and builds each record's title and
# body as the application does (sanctions_tracker.search.index.body and each domain's
# `search_text`): the body is the record's other text, one part a line, empty parts left out.


def _body(*parts: str | Iterable[str | None] | None) -> str | None:
    lines: list[str] = []
    for part in parts:
        if part is None or isinstance(part, str):
            part = [part]
        lines += [line for line in part if line]
    return "\n".join(lines) or None


def _rows(table: str, *columns: str, json: Sequence[str] = ()) -> list[Any]:
    selectable = sa.table(
        table, *(sa.column(name, sa.JSON() if name in json else None) for name in columns)
    )
    return list(op.get_bind().execute(sa.select(*selectable.c).order_by(selectable.c.id)))


def _lists(table: str, owner: str, value: str) -> dict[int, list[str | None]]:
    """`value` of the rows of a link table, per owner, in their stored order."""
    selectable = sa.table(table, sa.column(owner), sa.column("ordinal"), sa.column(value))
    found: dict[int, list[str | None]] = defaultdict(list)
    query = sa.select(selectable.c[owner], selectable.c[value]).order_by(
        selectable.c[owner], selectable.c.ordinal
    )
    for owner_id, item in op.get_bind().execute(query):
        found[owner_id].append(item)
    return found


def _backfill() -> None:
    documents: list[dict[str, Any]] = []

    def add(record_type: str, row_id: int, key: str, title: str, body: str | None) -> None:
        documents.append(
            {
                "record_type": record_type,
                "record_id": row_id,
                "key": key,
                "title": title,
                "body": body,
            }
        )

    topics = _lists("engagement_topics", "engagement_id", "topic")
    quotes = _lists("engagement_sources", "engagement_id", "quote")
    for row_id, key, title, summary, city in _rows(
        "engagements", "id", "key", "title", "summary", "location_city"
    ):
        add("engagements", row_id, key, title, _body(summary, city, quotes[row_id], topics[row_id]))

    quotes = _lists("sanctions_round_sources", "sanctions_round_id", "quote")
    for row_id, key, title, summary, legal_basis in _rows(
        "sanctions_rounds", "id", "key", "title", "summary", "legal_basis"
    ):
        add("sanctions_rounds", row_id, key, title, _body(summary, legal_basis, quotes[row_id]))

    aliases = _lists("actor_aliases", "actor_id", "alias")
    positions = _lists("actor_positions", "actor_id", "title")
    for row_id, key, name in _rows("actors", "id", "key", "name"):
        add("actors", row_id, key, name, _body(aliases[row_id], positions[row_id]))

    aliases = _lists("organization_aliases", "organization_id", "alias")
    for row_id, key, name in _rows("organizations", "id", "key", "name"):
        add("organizations", row_id, key, name, _body(aliases[row_id]))

    for row_id, key, name, description in _rows("sectors", "id", "key", "name", "description"):
        add("sectors", row_id, key, name, _body(description))

    for row_id, key, title, publisher, authors in _rows(
        "sources", "id", "key", "title", "publisher", "authors", json=["authors"]
    ):
        add("sources", row_id, key, title, _body(publisher, authors or []))

    if documents:
        table = sa.table(
            "search_documents",
            sa.column("record_type"),
            sa.column("record_id"),
            sa.column("key"),
            sa.column("title"),
            sa.column("body"),
        )
        op.bulk_insert(table, documents)
