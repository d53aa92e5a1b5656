"""A covering index for the engagement filters by kind and date range: (kind, start_on, end_on)
instead of (kind, start_on).

An engagement overlaps `from`..`to` when `start_on <= to` and `coalesce(end_on, start_on) >=
from`. The old index found the kind's rows up to `to`, then read each row from the table for its
`end_on`; with `end_on` in the index the count and the filter read the index alone (SQLite's
count of scenario 2 in the benchmark: 8.5 -> 4.4 ms over 20,000 engagements). It still serves
the sort by start date within a kind, so it replaces the old one.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 02:55:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_engagements_kind_start_on_end_on",
        "engagements",
        ["kind", "start_on", "end_on"],
        unique=False,
    )
    op.drop_index("ix_engagements_kind_start_on", table_name="engagements")


def downgrade() -> None:
    op.create_index(
        "ix_engagements_kind_start_on", "engagements", ["kind", "start_on"], unique=False
    )
    op.drop_index("ix_engagements_kind_start_on_end_on", table_name="engagements")
