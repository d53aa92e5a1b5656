"""The tables behind trust: API keys, the change history, and remembered idempotent answers."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from sanctions_tracker.models.base import KEY_LENGTH, Base, UTCDateTime, enum_check, utcnow

Document = JSON().with_variant(JSONB(), "postgresql")


class Role(StrEnum):
    reader = "reader"
    editor = "editor"
    admin = "admin"


class ChangeAction(StrEnum):
    create = "create"
    update = "update"
    delete = "delete"


class ChangeVia(StrEnum):
    api = "api"  # POST, PATCH or DELETE on a record
    import_ = "import"  # POST /v1/import, the command line's import, the seed


class ApiKey(Base):
    """A key is shown once; only the SHA-256 of its secret is kept."""

    __tablename__ = "api_keys"
    __table_args__ = (enum_check("role", Role), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    prefix: Mapped[str] = mapped_column(String(32))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Change(Base):
    """One committed write of one record, in the transaction that made it: the change feed and
    every record's history. `before`/`after` are the record as the bundle format writes it."""

    __tablename__ = "changes"
    __table_args__ = (
        enum_check("action", ChangeAction),
        enum_check("via", ChangeVia),
        Index("ix_changes_record_id", "record_type", "record_id", "seq"),
        Index("ix_changes_record_key", "record_type", "record_key", "seq"),
        {"sqlite_autoincrement": True},  # sequence numbers are never reused
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    writer: Mapped[str | None] = mapped_column(String(100))  # the API key's name
    action: Mapped[str] = mapped_column(String(16))
    via: Mapped[str] = mapped_column(String(16))
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int] = mapped_column(Integer)
    record_key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    version: Mapped[int] = mapped_column(Integer)  # the record's version after the change
    before: Mapped[dict[str, Any] | None] = mapped_column(Document)
    after: Mapped[dict[str, Any] | None] = mapped_column(Document)


class IdempotentRequest(Base):
    """A POST sent with an `Idempotency-Key`: running until its answer is stored, then replayed
    for retries with the same key and body until `expires_at`."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (
        UniqueConstraint("owner", "idempotency_key"),
        CheckConstraint("state IN ('running', 'done')", name="state_valid"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(100))  # the API key's name
    idempotency_key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(2048))
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_headers: Mapped[list[list[str]] | None] = mapped_column(Document)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
