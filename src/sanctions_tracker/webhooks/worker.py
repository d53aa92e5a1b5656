"""The sender: takes the due deliveries off the outbox and posts them, retrying with backoff.

Any number of workers may run (each server process's thread, `sanctions-tracker worker`): a
delivery is claimed with a lease (a time until which it is theirs), taken on PostgreSQL with
`FOR UPDATE SKIP LOCKED` and on SQLite in a short write transaction, so no two workers send it
at once; a worker that dies mid-send leaves a lease that expires, and the delivery is sent
again. Only the oldest pending delivery of each subscription is ever due, so a subscription
receives its changes in order: the next one waits until the previous one succeeded or was
given up. All state is in the database: a restart loses nothing."""

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from sanctions_tracker.config import Settings
from sanctions_tracker.db import writing_session
from sanctions_tracker.models import Change, Delivery, DeliveryAttempt, Subscription
from sanctions_tracker.models.base import utcnow
from sanctions_tracker.models.webhooks import DeliveryStatus, SubscriptionStatus
from sanctions_tracker.webhooks import delivery

logger = logging.getLogger("sanctions_tracker.webhooks")


class UnitOfWork(Protocol):
    """Opens a session in a transaction that commits when the block ends without error; one
    that will write takes SQLite's write lock at once (a look that only reads does not)."""

    def __call__(self, write: bool = True) -> AbstractContextManager[Session]: ...


CLAIM_BATCH = 20

# For the metrics: attempts by outcome ("delivered", "retried", "given_up"), since start.
COUNTS: Counter[str] = Counter()
LISTENERS: list[Callable[[str, int | None], None]] = []
"""Called after every attempt with its outcome and the receiver's status code (or None)."""


def units(sessions: sessionmaker[Session]) -> UnitOfWork:
    @contextmanager
    def unit(write: bool = True) -> Iterator[Session]:
        session = writing_session(sessions) if write else sessions()
        with session, session.begin():
            yield session

    return unit


def backlog(session: Session) -> int:
    """Deliveries not yet sent nor given up (for the metrics)."""
    pending = select(func.count()).where(Delivery.status == DeliveryStatus.pending)
    return int(session.scalar(pending) or 0)


def claim(session: Session, settings: Settings, now: datetime, limit: int) -> list[int]:
    """Lease the due deliveries: the oldest pending one of each active subscription, if its
    time has come and no other worker holds it."""
    due = _due(now).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(of=Delivery, skip_locked=True)
    ids: list[int] = list(session.scalars(due))
    if ids:
        lease = now + timedelta(seconds=settings.webhook_lease_seconds)
        session.execute(update(Delivery).where(Delivery.id.in_(ids)).values(lease_until=lease))
    return ids


def _due(now: datetime) -> Select[Any]:
    heads = (
        select(func.min(Delivery.id))
        .where(Delivery.status == DeliveryStatus.pending)
        .group_by(Delivery.subscription_id)
    )
    due: Select[Any] = (
        select(Delivery.id)
        .join(Subscription, Subscription.id == Delivery.subscription_id)
        .where(
            Subscription.status == SubscriptionStatus.active,
            Delivery.id.in_(heads),
            Delivery.next_attempt_at <= now,
            or_(Delivery.lease_until.is_(None), Delivery.lease_until < now),
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
    )
    return due


def run_once(
    unit: UnitOfWork, settings: Settings, client: httpx.Client, senders: Executor | None = None
) -> int:
    """Send what is due now, once each; answers how many were attempted. An idle look takes
    no write lock. The claimed deliveries belong to different subscriptions, so with
    `senders` they go out at once: a receiver that takes its time delays only its own."""
    with unit(write=False) as session:
        if session.scalar(_due(utcnow()).limit(1)) is None:
            return 0
    with unit() as session:
        ids = claim(session, settings, utcnow(), CLAIM_BATCH)
    if senders is None or len(ids) < 2:
        for delivery_id in ids:
            _attempt(unit, settings, client, delivery_id)
    else:
        attempts = [senders.submit(_attempt, unit, settings, client, id_) for id_ in ids]
        for attempt in attempts:
            attempt.result()
    return len(ids)


def _attempt(unit: UnitOfWork, settings: Settings, client: httpx.Client, delivery_id: int) -> None:
    with unit() as session:
        row = session.get(Delivery, delivery_id)
        if row is None or row.status != DeliveryStatus.pending:
            return  # its subscription was deleted meanwhile, or another worker finished it
        subscription = session.get(Subscription, row.subscription_id)
        change = session.get(Change, row.change_seq) if row.change_seq is not None else None
        assert subscription is not None
        url, secret, subscription_id = subscription.url, subscription.secret, subscription.id
        if change is not None:
            body = delivery.change_body(row.event, change)
        else:
            body = delivery.ping_body(subscription.id, row.created_at)
        message = delivery.message_id(subscription_id, row.change_seq, row.id)
    # no transaction is held open while the receiver takes its time
    outcome = delivery.send(client, settings, url=url, secret=secret, message=message, body=body)
    with unit() as session:
        settle(session, settings, delivery_id, outcome)


def settle(
    session: Session, settings: Settings, delivery_id: int, outcome: delivery.Outcome
) -> str:
    """Record the attempt and decide: delivered, tried again later, or given up (then the
    subscription is marked failing and stops until it is made active again)."""
    row = session.get(Delivery, delivery_id)
    if row is None:
        return "gone"
    now = utcnow()
    session.add(
        DeliveryAttempt(
            delivery_id=row.id,
            at=now,
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
        )
    )
    session.flush()
    if row.status != DeliveryStatus.pending:
        return "duplicate"  # sent meanwhile by a worker that took over an expired lease
    row.attempts += 1
    row.lease_until = None
    first = session.scalar(
        select(func.min(DeliveryAttempt.at)).where(DeliveryAttempt.delivery_id == row.id)
    )
    window = timedelta(seconds=settings.webhook_retry_window_seconds)
    if outcome.succeeded:
        verdict = "delivered"
        row.status, row.finished_at = DeliveryStatus.delivered.value, now
    elif outcome.gone or first is None or now - first >= window:
        verdict = "given_up"
        row.status, row.finished_at = DeliveryStatus.failed.value, now
        session.execute(
            update(Subscription)
            .where(Subscription.id == row.subscription_id)
            .values(status=SubscriptionStatus.failing.value, updated_at=now)
        )
        logger.warning(
            "webhook delivery %s given up; subscription %s failing", row.id, row.subscription_id
        )
    else:
        verdict = "retried"
        row.next_attempt_at = now + timedelta(seconds=delivery.backoff(row.attempts, settings))
    COUNTS[verdict] += 1
    logger.info(
        "webhook delivery %s (subscription %s, attempt %s): %s, %s",
        row.id,
        row.subscription_id,
        row.attempts,
        verdict,
        outcome.status_code if outcome.status_code is not None else "no answer",
    )
    for listener in LISTENERS:
        listener(verdict, outcome.status_code)
    return verdict


class Worker:
    """`run_once` in a loop on a thread, until `stop`."""

    def __init__(self, unit: UnitOfWork, settings: Settings) -> None:
        self._unit = unit
        self._settings = settings
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self.run, name="webhook-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request_stop(self) -> None:
        """Finish the attempt under way, then stop (safe from a signal handler)."""
        self._stopping.set()

    def stop(self, timeout: float | None = None) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def run(self) -> None:
        senders = ThreadPoolExecutor(self._settings.webhook_senders, "webhook-sender")
        with senders, delivery.client(self._settings) as client:
            while not self._stopping.is_set():
                try:
                    busy = run_once(self._unit, self._settings, client, senders)
                except Exception:  # the database may be away for a while: keep trying
                    logger.exception("webhook worker: sending failed; trying again")
                    busy = 0
                if not busy:
                    self._stopping.wait(self._settings.webhook_poll_seconds)


def start_for(app: object, settings: Settings) -> Worker | None:
    """The worker a server process runs beside its requests, if the settings want one. An app
    whose request session a test replaced has no database of its own to send from."""
    from sanctions_tracker.db import get_session, sessionmaker_of

    overrides: dict[object, object] = getattr(app, "dependency_overrides", {})
    if not settings.webhook_worker_in_app or get_session in overrides:
        return None
    worker = Worker(units(sessionmaker_of(app)), settings)
    worker.start()
    return worker
