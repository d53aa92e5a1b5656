from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sanctions_tracker.models.base import Base, Timestamped, key_column
from sanctions_tracker.models.organizations import Organization


class Actor(Timestamped, Base):
    """A person who engages or speaks, with the positions held over time."""

    __tablename__ = "actors"
    __table_args__ = (
        Index("ix_actors_name_id", "name", "id"),
        {"sqlite_autoincrement": True},  # ids are never reused, so old links stay true
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()
    name: Mapped[str] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(ForeignKey("countries.code"), index=True)
    wikidata_id: Mapped[str | None] = mapped_column(String(32))

    aliases: Mapped[list["ActorAlias"]] = relationship(
        order_by="ActorAlias.ordinal", cascade="all, delete-orphan", lazy="raise"
    )
    positions: Mapped[list["ActorPosition"]] = relationship(
        order_by="ActorPosition.ordinal", cascade="all, delete-orphan", lazy="raise"
    )


class ActorAlias(Base):
    __tablename__ = "actor_aliases"

    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column()
    alias: Mapped[str] = mapped_column(String(300), primary_key=True)


class ActorPosition(Base):
    __tablename__ = "actor_positions"
    __table_args__ = (
        Index("ix_actor_positions_organization_id", "organization_id"),
        CheckConstraint(
            "start_on IS NULL OR end_on IS NULL OR end_on >= start_on", name="span_ordered"
        ),
    )

    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)

    organization: Mapped[Organization | None] = relationship(lazy="raise")
