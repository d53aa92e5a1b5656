from datetime import date

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sanctions_tracker.enums import Measure, RoundStatus
from sanctions_tracker.models.base import Base, Timestamped, covering_index, enum_check, key_column
from sanctions_tracker.models.sectors import Sector
from sanctions_tracker.models.sources import Source


class SanctionsRound(Timestamped, Base):
    """A package of measures by one or more jurisdictions against one or more targets."""

    __tablename__ = "sanctions_rounds"
    __table_args__ = (
        enum_check("status", RoundStatus),
        CheckConstraint("designations IS NULL OR designations >= 0", name="designations_positive"),
        Index("ix_sanctions_rounds_announced_on_id", "announced_on", "id"),
        {"sqlite_autoincrement": True},  # ids are never reused, so old links stay true
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()
    title: Mapped[str] = mapped_column(Text)
    announced_on: Mapped[date] = mapped_column(Date)
    effective_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    legal_basis: Mapped[str | None] = mapped_column(Text)
    designations: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str | None] = mapped_column(Text)

    imposers: Mapped[list["SanctionsRoundImposer"]] = relationship(
        order_by="SanctionsRoundImposer.ordinal", cascade="all, delete-orphan", lazy="raise"
    )
    targets: Mapped[list["SanctionsRoundTarget"]] = relationship(
        order_by="SanctionsRoundTarget.ordinal", cascade="all, delete-orphan", lazy="raise"
    )
    measures: Mapped[list["SanctionsRoundMeasure"]] = relationship(
        order_by="SanctionsRoundMeasure.ordinal", cascade="all, delete-orphan", lazy="raise"
    )
    sectors: Mapped[list["SanctionsRoundSector"]] = relationship(
        order_by="SanctionsRoundSector.ordinal", cascade="all, delete-orphan", lazy="raise"
    )
    sources: Mapped[list["SanctionsRoundSource"]] = relationship(
        order_by="SanctionsRoundSource.ordinal", cascade="all, delete-orphan", lazy="raise"
    )


class SanctionsRoundImposer(Base):
    __tablename__ = "sanctions_round_imposers"
    __table_args__ = (covering_index("sanctions_round_imposers", "country", "sanctions_round_id"),)

    sanctions_round_id: Mapped[int] = mapped_column(
        ForeignKey("sanctions_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column()
    country: Mapped[str] = mapped_column(ForeignKey("countries.code"), primary_key=True)


class SanctionsRoundTarget(Base):
    __tablename__ = "sanctions_round_targets"
    __table_args__ = (covering_index("sanctions_round_targets", "country", "sanctions_round_id"),)

    sanctions_round_id: Mapped[int] = mapped_column(
        ForeignKey("sanctions_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column()
    country: Mapped[str] = mapped_column(ForeignKey("countries.code"), primary_key=True)


class SanctionsRoundMeasure(Base):
    __tablename__ = "sanctions_round_measures"
    __table_args__ = (
        covering_index("sanctions_round_measures", "measure", "sanctions_round_id"),
        enum_check("measure", Measure),
    )

    sanctions_round_id: Mapped[int] = mapped_column(
        ForeignKey("sanctions_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column()
    measure: Mapped[str] = mapped_column(String(32), primary_key=True)


class SanctionsRoundSector(Base):
    __tablename__ = "sanctions_round_sectors"
    __table_args__ = (covering_index("sanctions_round_sectors", "sector_id", "sanctions_round_id"),)

    sanctions_round_id: Mapped[int] = mapped_column(
        ForeignKey("sanctions_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column()
    sector_id: Mapped[int] = mapped_column(
        ForeignKey("sectors.id", ondelete="RESTRICT"), primary_key=True
    )

    sector: Mapped[Sector] = relationship(lazy="raise")


class SanctionsRoundSource(Base):
    __tablename__ = "sanctions_round_sources"
    __table_args__ = (covering_index("sanctions_round_sources", "source_id", "sanctions_round_id"),)

    sanctions_round_id: Mapped[int] = mapped_column(
        ForeignKey("sanctions_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column()
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"), primary_key=True
    )
    quote: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source] = relationship(lazy="raise")
