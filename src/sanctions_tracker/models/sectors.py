from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sanctions_tracker.models.base import Base, Timestamped, key_column


class Sector(Timestamped, Base):
    """A node of the sector tree; filters on a sector include its descendants."""

    __tablename__ = "sectors"
    __table_args__ = (
        Index("ix_sectors_name_id", "name", "id"),
        {"sqlite_autoincrement": True},  # ids are never reused, so old links stay true
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()
    name: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("sectors.id", ondelete="RESTRICT"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)

    parent: Mapped["Sector | None"] = relationship(remote_side=[id], lazy="raise")
