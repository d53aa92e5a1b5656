from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sanctions_tracker.enums import OrganizationKind
from sanctions_tracker.models.base import Base, Timestamped, enum_check, key_column


class Organization(Timestamped, Base):
    __tablename__ = "organizations"
    __table_args__ = (
        enum_check("kind", OrganizationKind),
        Index("ix_organizations_name_id", "name", "id"),
        {"sqlite_autoincrement": True},  # ids are never reused, so old links stay true
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(ForeignKey("countries.code"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    wikidata_id: Mapped[str | None] = mapped_column(String(32))

    parent: Mapped["Organization | None"] = relationship(remote_side=[id], lazy="raise")
    aliases: Mapped[list["OrganizationAlias"]] = relationship(
        order_by="OrganizationAlias.ordinal", cascade="all, delete-orphan", lazy="raise"
    )


class OrganizationAlias(Base):
    __tablename__ = "organization_aliases"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column()
    alias: Mapped[str] = mapped_column(String(300), primary_key=True)
