"""Covering indexes on the link tables: (linked value, owner id) instead of (linked value).

A filter such as "engagements with country IN" reads the owners' ids straight from the index,
without a visit to the table for every entry (SQLite) or an index-only scan (PostgreSQL).
The old single-column indexes are dropped: the new ones start with the same column.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 00:50:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (link table, linked column, owner column)
LINKS = [
    ("engagement_countries", "country", "engagement_id"),
    ("engagement_organizations", "organization_id", "engagement_id"),
    ("engagement_participants", "actor_id", "engagement_id"),
    ("engagement_topics", "topic", "engagement_id"),
    ("engagement_sectors", "sector_id", "engagement_id"),
    ("engagement_sanctions_rounds", "sanctions_round_id", "engagement_id"),
    ("engagement_sources", "source_id", "engagement_id"),
    ("sanctions_round_imposers", "country", "sanctions_round_id"),
    ("sanctions_round_targets", "country", "sanctions_round_id"),
    ("sanctions_round_measures", "measure", "sanctions_round_id"),
    ("sanctions_round_sectors", "sector_id", "sanctions_round_id"),
    ("sanctions_round_sources", "source_id", "sanctions_round_id"),
]


def upgrade() -> None:
    for table, column, owner in LINKS:
        op.create_index(f"ix_{table}_{column}_{owner}", table, [column, owner], unique=False)
        op.drop_index(f"ix_{table}_{column}", table_name=table)


def downgrade() -> None:
    for table, column, owner in LINKS:
        op.create_index(f"ix_{table}_{column}", table, [column], unique=False)
        op.drop_index(f"ix_{table}_{column}_{owner}", table_name=table)
