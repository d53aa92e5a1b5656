"""Subscriptions: made, read, changed and deleted; their deliveries listed; a ping sent."""

from collections import defaultdict
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from sanctions_tracker.config import Settings
from sanctions_tracker.models import Delivery, DeliveryAttempt, Subscription
from sanctions_tracker.models.base import utcnow
from sanctions_tracker.models.webhooks import DeliveryStatus, SubscriptionStatus
from sanctions_tracker.problems import NotFound, ValidationFailed, field_error
from sanctions_tracker.webhooks import addresses, delivery, filters, signing
from sanctions_tracker.webhooks.schemas import SubscriptionCreate, SubscriptionPatch


def create(
    session: Session, body: SubscriptionCreate, settings: Settings
) -> tuple[Subscription, str]:
    """The new subscription and its secret (the only time it is handed out)."""
    _check_url(body.url, settings)
    subscription = Subscription(
        url=body.url,
        events=_unique(body.events),
        types=_unique(body.types),
        filter=filters.check(body.types, body.filter),
        description=body.description,
        secret=signing.new_secret(),
        status=SubscriptionStatus.active.value,
        version=1,
    )
    session.add(subscription)
    session.flush()
    return subscription, subscription.secret


def get(session: Session, subscription_id: int) -> Subscription:
    found = session.get(Subscription, subscription_id)
    if found is None:
        raise NotFound(f"No subscription with id {subscription_id}.")
    return found


def list_query() -> Select[Any]:
    return select(Subscription)


def patch(
    session: Session, subscription_id: int, changes: SubscriptionPatch, settings: Settings
) -> Subscription:
    """Only the fields sent change; the filter is checked again against the types it will
    have. A status set back to `active` resumes the deliveries where they stopped."""
    subscription = get(session, subscription_id)
    sent = changes.model_dump(exclude_unset=True)
    for field in ("url", "events", "types", "filter"):
        if field in sent and sent[field] is None:
            raise ValidationFailed([field_error(f"/{field}", f"`{field}` cannot be null")])
    if "url" in sent:
        _check_url(sent["url"], settings)
    types = sent.get("types", subscription.types)
    if "types" in sent or "filter" in sent:
        sent["filter"] = filters.check(types, sent.get("filter", subscription.filter))
    for field in ("events", "types"):
        if field in sent:
            sent[field] = _unique(sent[field])
    if sent.get("status") is not None:
        sent["status"] = SubscriptionStatus(sent["status"]).value
    elif "status" in sent:
        raise ValidationFailed([field_error("/status", "`status` cannot be null")])
    changed = False
    for field, value in sent.items():
        if getattr(subscription, field) != value:
            setattr(subscription, field, value)
            changed = True
    if changed:
        subscription.version += 1
        subscription.updated_at = utcnow()
        session.flush()
    return subscription


def remove(session: Session, subscription_id: int) -> None:
    """Its pending deliveries go with it."""
    session.delete(get(session, subscription_id))
    session.flush()


def deliveries_query(session: Session, subscription_id: int) -> Select[Any]:
    get(session, subscription_id)
    return select(Delivery).where(Delivery.subscription_id == subscription_id)


def attempts_of(session: Session, ids: list[int]) -> dict[int, list[DeliveryAttempt]]:
    found: dict[int, list[DeliveryAttempt]] = defaultdict(list)
    query = (
        select(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id.in_(ids))
        .order_by(DeliveryAttempt.id)
    )
    for attempt in session.scalars(query):
        found[attempt.delivery_id].append(attempt)
    return found


def ping(
    session: Session, subscription_id: int, settings: Settings
) -> tuple[Delivery, delivery.Outcome]:
    """Send a `ping` now, once (no retries, and a failure does not mark the subscription
    failing); it is listed with the deliveries."""
    subscription = get(session, subscription_id)
    now = utcnow()
    row = Delivery(
        subscription_id=subscription.id,
        change_seq=None,
        event="ping",
        status=DeliveryStatus.pending.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    message = delivery.message_id(subscription.id, None, row.id)
    with delivery.client(settings) as client:
        outcome = delivery.send(
            client,
            settings,
            url=subscription.url,
            secret=subscription.secret,
            message=message,
            body=delivery.ping_body(subscription.id, now),
        )
    session.add(
        DeliveryAttempt(
            delivery_id=row.id,
            at=utcnow(),
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
        )
    )
    row.attempts = 1
    row.status = (DeliveryStatus.delivered if outcome.succeeded else DeliveryStatus.failed).value
    row.finished_at = utcnow()
    session.flush()
    return row, outcome


def _check_url(url: str, settings: Settings) -> None:
    try:
        addresses.check_url(url, settings.webhook_allowed_hosts)
    except addresses.Refused as exc:
        raise ValidationFailed([field_error("/url", str(exc))]) from exc


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(str(value) for value in values))
