"""The full-text search documents: one row per searchable record, kept in step by the writes.

The full-text indexes over this table are not in the model: on SQLite two FTS5 tables kept in
step by triggers, on PostgreSQL a generated `tsvector` column with a GIN index; the migration
creates them (see migrations/versions/2026_11_27_0003_search_index.py).
"""

from sqlalchemy import CheckConstraint, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sanctions_tracker.models.base import KEY_LENGTH, Base

SEARCHABLE_TYPES = (
    "engagements",
    "sanctions_rounds",
    "actors",
    "organizations",
    "sectors",
    "sources",
)


class SearchDocument(Base):
    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("record_type", "record_id"),
        CheckConstraint(
            "record_type IN (" + ", ".join(f"'{name}'" for name in SEARCHABLE_TYPES) + ")",
            name="record_type_valid",
        ),
        {"sqlite_autoincrement": True},  # FTS5 rows follow these ids; never reuse one
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
