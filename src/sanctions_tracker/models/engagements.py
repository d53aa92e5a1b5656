from datetime import date

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sanctions_tracker.enums import DatePrecision, EngagementKind, EngagementStatus, ParticipantRole
from sanctions_tracker.models.actors import Actor
from sanctions_tracker.models.base import Base, Timestamped, covering_index, enum_check, key_column
from sanctions_tracker.models.organizations import Organization
from sanctions_tracker.models.sanctions_rounds import SanctionsRound
from sanctions_tracker.models.sectors import Sector
from sanctions_tracker.models.sources import Source


class Engagement(Timestamped, Base):
    """A call, meeting, visit, trip, summit, ministerial or statement; trips have legs."""

    __tablename__ = "engagements"
    __table_args__ = (
        enum_check("kind", EngagementKind),
        enum_check("status", EngagementStatus),
        enum_check("date_precision", DatePrecision),
        CheckConstraint("end_on IS NULL OR end_on >= start_on", name="span_ordered"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        CheckConstraint(
            "location_latitude IS NULL OR location_latitude BETWEEN -90 AND 90",
            name="latitude_range",
        ),
        CheckConstraint(
            "location_longitude IS NULL OR location_longitude BETWEEN -180 AND 180",
            name="longitude_range",
        ),
        Index("ix_engagements_start_on_id", "start_on", "id"),
        Index("ix_engagements_kind_start_on_end_on", "kind", "start_on", "end_on"),
        {"sqlite_autoincrement": True},  # ids are never reused, so old links stay true
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), index=True)
    location_city: Mapped[str | None] = mapped_column(String(300))
    location_country: Mapped[str | None] = mapped_column(ForeignKey("countries.code"), index=True)
    location_latitude: Mapped[float | None] = mapped_column(Float)
    location_longitude: Mapped[float | None] = mapped_column(Float)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("engagements.id", ondelete="RESTRICT"), index=True
    )

    parent: Mapped["Engagement | None"] = relationship(remote_side=[id], lazy="raise")
    legs: Mapped[list["Engagement"]] = relationship(
        order_by="(Engagement.start_on, Engagement.id)", lazy="raise", viewonly=True
    )
    countries: Mapped[list["EngagementCountry"]] = relationship(
        order_by="EngagementCountry.ordinal", cascade="all, delete-orphan", lazy="raise"
    )
    organizations: Mapped[list["EngagementOrganization"]] = relationship(
        order_by="EngagementOrganization.ordinal", cascade="all, delete-orphan", lazy="raise"
    )
    participants: Mapped[list["EngagementParticipant"]] = relationship(
        order_by="EngagementParticipant.ordinal", cascade="all, delete-orphan", lazy="raise"
    )
    topics: Mapped[list["EngagementTopic"]] = relationship(
        order_by="EngagementTopic.ordinal", cascade="all, delete-orphan", lazy="raise"
    )
    sectors: Mapped[list["EngagementSector"]] = relationship(
        order_by="EngagementSector.ordinal", cascade="all, delete-orphan", lazy="raise"
    )
    sanctions_rounds: Mapped[list["EngagementSanctionsRound"]] = relationship(
        order_by="EngagementSanctionsRound.ordinal", cascade="all, delete-orphan", lazy="raise"
    )
    sources: Mapped[list["EngagementSource"]] = relationship(
        order_by="EngagementSource.ordinal", cascade="all, delete-orphan", lazy="raise"
    )


class EngagementCountry(Base):
    __tablename__ = "engagement_countries"
    __table_args__ = (covering_index("engagement_countries", "country", "engagement_id"),)

    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column()
    country: Mapped[str] = mapped_column(ForeignKey("countries.code"), primary_key=True)


class EngagementOrganization(Base):
    __tablename__ = "engagement_organizations"
    __table_args__ = (
        covering_index("engagement_organizations", "organization_id", "engagement_id"),
    )

    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column()
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), primary_key=True
    )

    organization: Mapped[Organization] = relationship(lazy="raise")


class EngagementParticipant(Base):
    __tablename__ = "engagement_participants"
    __table_args__ = (
        covering_index("engagement_participants", "actor_id", "engagement_id"),
        enum_check("role", ParticipantRole),
    )

    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column()
    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actors.id", ondelete="RESTRICT"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16))

    actor: Mapped[Actor] = relationship(lazy="raise")


class EngagementTopic(Base):
    __tablename__ = "engagement_topics"
    __table_args__ = (covering_index("engagement_topics", "topic", "engagement_id"),)

    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column()
    topic: Mapped[str] = mapped_column(String(128), primary_key=True)


class EngagementSector(Base):
    __tablename__ = "engagement_sectors"
    __table_args__ = (covering_index("engagement_sectors", "sector_id", "engagement_id"),)

    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column()
    sector_id: Mapped[int] = mapped_column(
        ForeignKey("sectors.id", ondelete="RESTRICT"), primary_key=True
    )

    sector: Mapped[Sector] = relationship(lazy="raise")


class EngagementSanctionsRound(Base):
    __tablename__ = "engagement_sanctions_rounds"
    __table_args__ = (
        covering_index("engagement_sanctions_rounds", "sanctions_round_id", "engagement_id"),
    )

    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column()
    sanctions_round_id: Mapped[int] = mapped_column(
        ForeignKey("sanctions_rounds.id", ondelete="RESTRICT"), primary_key=True
    )

    sanctions_round: Mapped[SanctionsRound] = relationship(lazy="raise")


class EngagementSource(Base):
    __tablename__ = "engagement_sources"
    __table_args__ = (covering_index("engagement_sources", "source_id", "engagement_id"),)

    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column()
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"), primary_key=True
    )
    quote: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source] = relationship(lazy="raise")
