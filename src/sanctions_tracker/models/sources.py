from datetime import date

from sqlalchemy import JSON, Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sanctions_tracker.enums import SourceKind
from sanctions_tracker.models.base import Base, Timestamped, enum_check, key_column


class Source(Timestamped, Base):
    __tablename__ = "sources"
    __table_args__ = (
        enum_check("kind", SourceKind),
        Index("ix_sources_published_on_id", "published_on", "id"),
        {"sqlite_autoincrement": True},  # ids are never reused, so old links stay true
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(Text)
    published_on: Mapped[date] = mapped_column(Date)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
