"""Trust: API keys, the change history, idempotent requests, and a version on every record.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 21:47:35.928302+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECORD_TABLES = ["actors", "engagements", "organizations", "sanctions_rounds", "sectors", "sources"]
DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("prefix", sa.String(length=32), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('reader', 'editor', 'admin')", name=op.f("ck_api_keys_role_valid")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("name", name=op.f("uq_api_keys_name")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_api_keys_secret_hash")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "changes",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("writer", sa.String(length=100), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("record_type", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("before", DOCUMENT, nullable=True),
        sa.Column("after", DOCUMENT, nullable=True),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'delete')", name=op.f("ck_changes_action_valid")
        ),
        sa.CheckConstraint("via IN ('api', 'import')", name=op.f("ck_changes_via_valid")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_changes")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_changes_record_id", "changes", ["record_type", "record_id", "seq"])
    op.create_index("ix_changes_record_key", "changes", ["record_type", "record_key", "seq"])
    op.create_table(
        "idempotent_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=2048), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_headers", DOCUMENT, nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('running', 'done')", name=op.f("ck_idempotent_requests_state_valid")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotent_requests")),
        sa.UniqueConstraint(
            "owner",
            "idempotency_key",
            name=op.f("uq_idempotent_requests_owner_idempotency_key"),
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_idempotent_requests_expires_at"), "idempotent_requests", ["expires_at"]
    )
    for table in RECORD_TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    for table in RECORD_TABLES:
        # SQLite (3.35+) drops a column in place; a batch copy of the table would trip the
        # foreign keys of the tables that refer to it.
        op.execute(f"ALTER TABLE {table} DROP COLUMN version")
    op.drop_index(op.f("ix_idempotent_requests_expires_at"), table_name="idempotent_requests")
    op.drop_table("idempotent_requests")
    op.drop_index("ix_changes_record_key", table_name="changes")
    op.drop_index("ix_changes_record_id", table_name="changes")
    op.drop_table("changes")
    op.drop_table("api_keys")
