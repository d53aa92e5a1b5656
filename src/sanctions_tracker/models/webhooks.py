"""The tables behind webhooks: subscriptions, and the outbox of their deliveries with each
attempt, so that a delivery survives any restart until it succeeded or was given up."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sanctions_tracker.models.base import Base, UTCDateTime, enum_check, utcnow


class SubscriptionStatus(StrEnum):
    active = "active"
    failing = "failing"  # a delivery was given up: nothing is sent until it is made active again


class DeliveryStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    failed = "failed"  # given up


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (enum_check("status", SubscriptionStatus), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(JSON)
    types: Mapped[list[str]] = mapped_column(JSON)
    filter: Mapped[dict[str, Any]] = mapped_column(JSON)
    description: Mapped[str | None] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(100))  # the HMAC key must be kept to sign with
    status: Mapped[str] = mapped_column(String(16), default=SubscriptionStatus.active.value)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Delivery(Base):
    """One change (or ping) owed to one subscription. The body is built from the change row
    when sent, so queueing costs one small row however big the record."""

    __tablename__ = "deliveries"
    __table_args__ = (
        enum_check("status", DeliveryStatus),
        # the worker's question: the oldest pending delivery of each subscription
        Index("ix_deliveries_status_subscription_id", "status", "subscription_id", "id"),
        Index("ix_deliveries_subscription_id", "subscription_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"))
    change_seq: Mapped[int | None] = mapped_column(Integer)  # null for a ping
    event: Mapped[str] = mapped_column(String(64))  # "engagements.created", "ping"
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.pending.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"
    __table_args__ = (
        Index("ix_delivery_attempts_delivery_id", "delivery_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer)
