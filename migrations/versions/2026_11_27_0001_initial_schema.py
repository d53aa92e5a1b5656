"""Initial schema: the tracker's records, their ordered link tables and constraints.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 18:27:34.635756+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "countries",
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("official_name", sa.String(length=200), nullable=True),
        sa.Column("alpha3", sa.String(length=3), nullable=True),
        sa.Column("numeric_code", sa.String(length=3), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_countries")),
    )
    op.create_table(
        "sanctions_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("announced_on", sa.Date(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("designations", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'announced', 'in_force', 'lifted')",
            name=op.f("ck_sanctions_rounds_status_valid"),
        ),
        sa.CheckConstraint(
            "designations IS NULL OR designations >= 0",
            name=op.f("ck_sanctions_rounds_designations_positive"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sanctions_rounds")),
        sa.UniqueConstraint("key", name=op.f("uq_sanctions_rounds_key")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_sanctions_rounds_announced_on_id",
        "sanctions_rounds",
        ["announced_on", "id"],
        unique=False,
    )

    op.create_table(
        "sectors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["sectors.id"],
            name=op.f("fk_sectors_parent_id_sectors"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sectors")),
        sa.UniqueConstraint("key", name=op.f("uq_sectors_key")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_sectors_name_id", "sectors", ["name", "id"], unique=False)
    op.create_index(op.f("ix_sectors_parent_id"), "sectors", ["parent_id"], unique=False)

    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("publisher", sa.String(length=300), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('news_article', 'official_statement', 'press_release', 'legal_act', 'other')",
            name=op.f("ck_sources_kind_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("key", name=op.f("uq_sources_key")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_sources_published_on_id", "sources", ["published_on", "id"], unique=False)

    op.create_table(
        "actors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("wikidata_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["country"], ["countries.code"], name=op.f("fk_actors_country_countries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actors")),
        sa.UniqueConstraint("key", name=op.f("uq_actors_key")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_actors_country"), "actors", ["country"], unique=False)
    op.create_index("ix_actors_name_id", "actors", ["name", "id"], unique=False)

    op.create_table(
        "engagements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.Column("date_precision", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("location_city", sa.String(length=300), nullable=True),
        sa.Column("location_country", sa.String(length=2), nullable=True),
        sa.Column("location_latitude", sa.Float(), nullable=True),
        sa.Column("location_longitude", sa.Float(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "date_precision IN ('day', 'week', 'month')",
            name=op.f("ck_engagements_date_precision_valid"),
        ),
        sa.CheckConstraint(
            "kind IN ('call', 'meeting', 'visit', 'trip', 'summit', 'ministerial', 'statement', 'other')",
            name=op.f("ck_engagements_kind_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('planned', 'held', 'cancelled')", name=op.f("ck_engagements_status_valid")
        ),
        sa.CheckConstraint(
            "end_on IS NULL OR end_on >= start_on", name=op.f("ck_engagements_span_ordered")
        ),
        sa.CheckConstraint(
            "location_latitude IS NULL OR location_latitude BETWEEN -90 AND 90",
            name=op.f("ck_engagements_latitude_range"),
        ),
        sa.CheckConstraint(
            "location_longitude IS NULL OR location_longitude BETWEEN -180 AND 180",
            name=op.f("ck_engagements_longitude_range"),
        ),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name=op.f("ck_engagements_not_own_parent")
        ),
        sa.ForeignKeyConstraint(
            ["location_country"],
            ["countries.code"],
            name=op.f("fk_engagements_location_country_countries"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["engagements.id"],
            name=op.f("fk_engagements_parent_id_engagements"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagements")),
        sa.UniqueConstraint("key", name=op.f("uq_engagements_key")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_engagements_kind_start_on", "engagements", ["kind", "start_on"], unique=False
    )
    op.create_index(
        op.f("ix_engagements_location_country"), "engagements", ["location_country"], unique=False
    )
    op.create_index(op.f("ix_engagements_parent_id"), "engagements", ["parent_id"], unique=False)
    op.create_index("ix_engagements_start_on_id", "engagements", ["start_on", "id"], unique=False)
    op.create_index(op.f("ix_engagements_status"), "engagements", ["status"], unique=False)

    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("wikidata_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('government_body', 'alliance', 'international_organization', 'bloc', 'media', 'company', 'other')",
            name=op.f("ck_organizations_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["country"], ["countries.code"], name=op.f("fk_organizations_country_countries")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["organizations.id"],
            name=op.f("fk_organizations_parent_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("key", name=op.f("uq_organizations_key")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_organizations_country"), "organizations", ["country"], unique=False)
    op.create_index("ix_organizations_name_id", "organizations", ["name", "id"], unique=False)
    op.create_index(
        op.f("ix_organizations_parent_id"), "organizations", ["parent_id"], unique=False
    )

    op.create_table(
        "sanctions_round_imposers",
        sa.Column("sanctions_round_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["country"],
            ["countries.code"],
            name=op.f("fk_sanctions_round_imposers_country_countries"),
        ),
        sa.ForeignKeyConstraint(
            ["sanctions_round_id"],
            ["sanctions_rounds.id"],
            name=op.f("fk_sanctions_round_imposers_sanctions_round_id_sanctions_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "sanctions_round_id", "country", name=op.f("pk_sanctions_round_imposers")
        ),
    )
    op.create_index(
        op.f("ix_sanctions_round_imposers_country"),
        "sanctions_round_imposers",
        ["country"],
        unique=False,
    )

    op.create_table(
        "sanctions_round_measures",
        sa.Column("sanctions_round_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "measure IN ('asset_freeze', 'travel_ban', 'export_controls', 'import_ban', 'investment_ban', 'financial_restrictions', 'swift_exclusion', 'sovereign_debt', 'price_cap', 'services_ban', 'transport_ban', 'other')",
            name=op.f("ck_sanctions_round_measures_measure_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["sanctions_round_id"],
            ["sanctions_rounds.id"],
            name=op.f("fk_sanctions_round_measures_sanctions_round_id_sanctions_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "sanctions_round_id", "measure", name=op.f("pk_sanctions_round_measures")
        ),
    )
    op.create_index(
        op.f("ix_sanctions_round_measures_measure"),
        "sanctions_round_measures",
        ["measure"],
        unique=False,
    )

    op.create_table(
        "sanctions_round_sectors",
        sa.Column("sanctions_round_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sanctions_round_id"],
            ["sanctions_rounds.id"],
            name=op.f("fk_sanctions_round_sectors_sanctions_round_id_sanctions_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sector_id"],
            ["sectors.id"],
            name=op.f("fk_sanctions_round_sectors_sector_id_sectors"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "sanctions_round_id", "sector_id", name=op.f("pk_sanctions_round_sectors")
        ),
    )
    op.create_index(
        op.f("ix_sanctions_round_sectors_sector_id"),
        "sanctions_round_sectors",
        ["sector_id"],
        unique=False,
    )

    op.create_table(
        "sanctions_round_sources",
        sa.Column("sanctions_round_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sanctions_round_id"],
            ["sanctions_rounds.id"],
            name=op.f("fk_sanctions_round_sources_sanctions_round_id_sanctions_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_sanctions_round_sources_source_id_sources"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "sanctions_round_id", "source_id", name=op.f("pk_sanctions_round_sources")
        ),
    )
    op.create_index(
        op.f("ix_sanctions_round_sources_source_id"),
        "sanctions_round_sources",
        ["source_id"],
        unique=False,
    )

    op.create_table(
        "sanctions_round_targets",
        sa.Column("sanctions_round_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["country"],
            ["countries.code"],
            name=op.f("fk_sanctions_round_targets_country_countries"),
        ),
        sa.ForeignKeyConstraint(
            ["sanctions_round_id"],
            ["sanctions_rounds.id"],
            name=op.f("fk_sanctions_round_targets_sanctions_round_id_sanctions_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "sanctions_round_id", "country", name=op.f("pk_sanctions_round_targets")
        ),
    )
    op.create_index(
        op.f("ix_sanctions_round_targets_country"),
        "sanctions_round_targets",
        ["country"],
        unique=False,
    )

    op.create_table(
        "actor_aliases",
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_actor_aliases_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("actor_id", "alias", name=op.f("pk_actor_aliases")),
    )
    op.create_table(
        "actor_positions",
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "start_on IS NULL OR end_on IS NULL OR end_on >= start_on",
            name=op.f("ck_actor_positions_span_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_actor_positions_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_actor_positions_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("actor_id", "ordinal", name=op.f("pk_actor_positions")),
    )
    op.create_index(
        "ix_actor_positions_organization_id", "actor_positions", ["organization_id"], unique=False
    )

    op.create_table(
        "engagement_countries",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["country"], ["countries.code"], name=op.f("fk_engagement_countries_country_countries")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_engagement_countries_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("engagement_id", "country", name=op.f("pk_engagement_countries")),
    )
    op.create_index(
        op.f("ix_engagement_countries_country"), "engagement_countries", ["country"], unique=False
    )

    op.create_table(
        "engagement_organizations",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_engagement_organizations_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_engagement_organizations_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "engagement_id", "organization_id", name=op.f("pk_engagement_organizations")
        ),
    )
    op.create_index(
        op.f("ix_engagement_organizations_organization_id"),
        "engagement_organizations",
        ["organization_id"],
        unique=False,
    )

    op.create_table(
        "engagement_participants",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "role IN ('principal', 'counterpart', 'participant', 'spokesperson')",
            name=op.f("ck_engagement_participants_role_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_engagement_participants_actor_id_actors"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_engagement_participants_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "engagement_id", "actor_id", name=op.f("pk_engagement_participants")
        ),
    )
    op.create_index(
        op.f("ix_engagement_participants_actor_id"),
        "engagement_participants",
        ["actor_id"],
        unique=False,
    )

    op.create_table(
        "engagement_sanctions_rounds",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("sanctions_round_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_engagement_sanctions_rounds_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sanctions_round_id"],
            ["sanctions_rounds.id"],
            name=op.f("fk_engagement_sanctions_rounds_sanctions_round_id_sanctions_rounds"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "engagement_id", "sanctions_round_id", name=op.f("pk_engagement_sanctions_rounds")
        ),
    )
    op.create_index(
        op.f("ix_engagement_sanctions_rounds_sanctions_round_id"),
        "engagement_sanctions_rounds",
        ["sanctions_round_id"],
        unique=False,
    )

    op.create_table(
        "engagement_sectors",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_engagement_sectors_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sector_id"],
            ["sectors.id"],
            name=op.f("fk_engagement_sectors_sector_id_sectors"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("engagement_id", "sector_id", name=op.f("pk_engagement_sectors")),
    )
    op.create_index(
        op.f("ix_engagement_sectors_sector_id"), "engagement_sectors", ["sector_id"], unique=False
    )

    op.create_table(
        "engagement_sources",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_engagement_sources_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_engagement_sources_source_id_sources"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("engagement_id", "source_id", name=op.f("pk_engagement_sources")),
    )
    op.create_index(
        op.f("ix_engagement_sources_source_id"), "engagement_sources", ["source_id"], unique=False
    )

    op.create_table(
        "engagement_topics",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_engagement_topics_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("engagement_id", "topic", name=op.f("pk_engagement_topics")),
    )
    op.create_index(
        op.f("ix_engagement_topics_topic"), "engagement_topics", ["topic"], unique=False
    )

    op.create_table(
        "organization_aliases",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_organization_aliases_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "alias", name=op.f("pk_organization_aliases")),
    )


def downgrade() -> None:
    op.drop_table("organization_aliases")
    op.drop_index(op.f("ix_engagement_topics_topic"), table_name="engagement_topics")

    op.drop_table("engagement_topics")
    op.drop_index(op.f("ix_engagement_sources_source_id"), table_name="engagement_sources")

    op.drop_table("engagement_sources")
    op.drop_index(op.f("ix_engagement_sectors_sector_id"), table_name="engagement_sectors")

    op.drop_table("engagement_sectors")
    op.drop_index(
        op.f("ix_engagement_sanctions_rounds_sanctions_round_id"),
        table_name="engagement_sanctions_rounds",
    )

    op.drop_table("engagement_sanctions_rounds")
    op.drop_index(op.f("ix_engagement_participants_actor_id"), table_name="engagement_participants")

    op.drop_table("engagement_participants")
    op.drop_index(
        op.f("ix_engagement_organizations_organization_id"), table_name="engagement_organizations"
    )

    op.drop_table("engagement_organizations")
    op.drop_index(op.f("ix_engagement_countries_country"), table_name="engagement_countries")

    op.drop_table("engagement_countries")
    op.drop_index("ix_actor_positions_organization_id", table_name="actor_positions")

    op.drop_table("actor_positions")
    op.drop_table("actor_aliases")
    op.drop_index(op.f("ix_sanctions_round_targets_country"), table_name="sanctions_round_targets")

    op.drop_table("sanctions_round_targets")
    op.drop_index(
        op.f("ix_sanctions_round_sources_source_id"), table_name="sanctions_round_sources"
    )

    op.drop_table("sanctions_round_sources")
    op.drop_index(
        op.f("ix_sanctions_round_sectors_sector_id"), table_name="sanctions_round_sectors"
    )

    op.drop_table("sanctions_round_sectors")
    op.drop_index(
        op.f("ix_sanctions_round_measures_measure"), table_name="sanctions_round_measures"
    )

    op.drop_table("sanctions_round_measures")
    op.drop_index(
        op.f("ix_sanctions_round_imposers_country"), table_name="sanctions_round_imposers"
    )

    op.drop_table("sanctions_round_imposers")
    op.drop_index(op.f("ix_organizations_parent_id"), table_name="organizations")
    op.drop_index("ix_organizations_name_id", table_name="organizations")
    op.drop_index(op.f("ix_organizations_country"), table_name="organizations")

    op.drop_table("organizations")
    op.drop_index(op.f("ix_engagements_status"), table_name="engagements")
    op.drop_index("ix_engagements_start_on_id", table_name="engagements")
    op.drop_index(op.f("ix_engagements_parent_id"), table_name="engagements")
    op.drop_index(op.f("ix_engagements_location_country"), table_name="engagements")
    op.drop_index("ix_engagements_kind_start_on", table_name="engagements")

    op.drop_table("engagements")
    op.drop_index("ix_actors_name_id", table_name="actors")
    op.drop_index(op.f("ix_actors_country"), table_name="actors")

    op.drop_table("actors")
    op.drop_index("ix_sources_published_on_id", table_name="sources")

    op.drop_table("sources")
    op.drop_index(op.f("ix_sectors_parent_id"), table_name="sectors")
    op.drop_index("ix_sectors_name_id", table_name="sectors")

    op.drop_table("sectors")
    op.drop_index("ix_sanctions_rounds_announced_on_id", table_name="sanctions_rounds")

    op.drop_table("sanctions_rounds")
    op.drop_table("countries")
