"""The outbox: in the transaction that logs changes, one delivery row for each change and each
subscription that wants it. What is committed is sent; what rolls back never was. A failing
subscription's deliveries are queued all the same, and wait until it is made active again."""

from collections import defaultdict
from typing import Any, cast

from sqlalchemy import Table, exists, func, select
from sqlalchemy.orm import Session

from sanctions_tracker.models import Change, Delivery, Subscription
from sanctions_tracker.models.base import utcnow
from sanctions_tracker.models.trust import ChangeAction
from sanctions_tracker.models.webhooks import DeliveryStatus
from sanctions_tracker.record_types import chunks, copy_rows
from sanctions_tracker.webhooks import filters

EVENTS = {
    ChangeAction.create.value: "created",
    ChangeAction.update.value: "updated",
    ChangeAction.delete.value: "deleted",
}


def mark(session: Session) -> int | None:
    """Called before changes are logged: the last sequence number so far, or None when there
    is no subscription (then logging changes costs this one look-up, nothing more). The
    caller holds the change log's write turn, so the numbers after it are its own."""
    if session.scalar(select(Subscription.id).limit(1)) is None:
        return None
    return int(session.scalar(select(func.coalesce(func.max(Change.seq), 0))) or 0)


def enqueue(session: Session, since: int) -> None:
    """Queue the changes logged after `since` for the subscriptions that want them (failing
    ones too: the worker holds theirs back), in the order of the changes: matching is done a
    record type and action at a time, for all the records at once."""
    subscriptions = session.scalars(select(Subscription).order_by(Subscription.id)).all()
    rows = session.execute(
        select(Change.seq, Change.record_type, Change.record_id, Change.action)
        .where(Change.seq > since)
        .order_by(Change.seq)
    ).all()
    groups: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for seq, record_type, record_id, action in rows:
        groups[(record_type, action)].append((seq, record_id))
    queued: list[tuple[int, int, str]] = []  # (change seq, subscription id, event)
    for subscription in subscriptions:
        for (record_type, action), changes in groups.items():
            event = EVENTS[action]
            if record_type not in subscription.types or event not in subscription.events:
                continue
            wanted = _wanted(session, subscription, record_type, action, changes)
            queued += [
                (seq, subscription.id, f"{record_type}.{event}")
                for seq, _ in changes
                if seq in wanted
            ]
    queued.sort()
    now = utcnow()
    table = cast(Table, Delivery.__table__)
    for chunk in chunks(queued):
        copy_rows(session, table, [_row(*item, now=now) for item in chunk])


def _wanted(
    session: Session,
    subscription: Subscription,
    record_type: str,
    action: str,
    changes: list[tuple[int, int]],
) -> set[int]:
    """The sequence numbers of the changes to send."""
    if not subscription.filter:
        return {seq for seq, _ in changes}
    if action != ChangeAction.delete.value:
        ids = filters.matching_ids(
            session, record_type, subscription.filter, [record_id for _, record_id in changes]
        )
        return {seq for seq, record_id in changes if record_id in ids}
    wanted: set[int] = set()
    for seq, record_id in changes:
        before = session.scalar(select(Change.before).where(Change.seq == seq)) or {}
        verdict = filters.deleted_matches(session, record_type, subscription.filter, before)
        if verdict is None:
            verdict = _was_sent(session, subscription.id, record_type, record_id)
        if verdict:
            wanted.add(seq)
    return wanted


def _was_sent(session: Session, subscription_id: int, record_type: str, record_id: int) -> bool:
    earlier = (
        select(Delivery.id)
        .join(Change, Change.seq == Delivery.change_seq)
        .where(
            Delivery.subscription_id == subscription_id,
            Change.record_type == record_type,
            Change.record_id == record_id,
        )
    )
    return bool(session.scalar(select(exists(earlier))))


def _row(seq: int, subscription_id: int, event: str, *, now: Any) -> dict[str, Any]:
    return {
        "subscription_id": subscription_id,
        "change_seq": seq,
        "event": event,
        "status": DeliveryStatus.pending.value,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
