"""Delivery: signed as Standard Webhooks say, in the order of the changes, retried after a
failure, given up after the window, and nothing lost when a worker stops mid-way."""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sanctions_tracker.bundles.engine import Incoming, write_records
from sanctions_tracker.config import Settings
from sanctions_tracker.engagements.schemas import EngagementRecord
from sanctions_tracker.models import Delivery
from sanctions_tracker.models.base import utcnow
from sanctions_tracker.models.trust import ChangeVia
from sanctions_tracker.webhooks import delivery, service, worker
from sanctions_tracker.webhooks.schemas import SubscriptionCreate
from tests.servers import committed_store
from tests.webhooks.conftest import Received, Receiver, Send, receiving
from tests.webhooks.helpers import engagement, subscribe, verify


def test_a_change_arrives_signed_with_the_change_as_the_feed_has_it(
    client: TestClient, receiver: Receiver, send: Send
) -> None:
    created = subscribe(client, receiver.url, types=["engagements"])
    assert client.post("/v1/engagements", json=engagement("blinken-truss")).status_code == 201
    assert send() == 1
    [(received, status)] = receiver.received
    assert status == 204
    assert verify(created["secret"], received)
    assert not verify("whsec_" + "A" * 32, received)
    headers = received.headers
    assert headers["content-type"] == "application/json"
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    [change] = client.get("/v1/changes", params={"type": "engagements"}).json()["items"]
    assert headers["webhook-id"] == f"msg_{change['seq']}_{created['id']}"
    assert received.json == {
        "type": "engagements.created",
        "timestamp": received.json["timestamp"],
        "data": change,
    }
    assert change["record"]["key"] == "blinken-truss"


def test_changes_arrive_in_order_and_a_500_is_retried_before_the_next_is_sent(
    client: TestClient, receiver: Receiver, send: Send
) -> None:
    created = subscribe(client, receiver.url, types=["engagements"])
    receiver.script = [500, 503]  # the first change fails twice
    client.post("/v1/engagements", json=engagement("call-one"))
    client.patch("/v1/engagements/call-one", json={"status": "planned"})
    client.post("/v1/engagements", json=engagement("call-two"))
    client.delete("/v1/engagements/call-one")
    assert send() == 6
    events = [
        (body["type"], body["data"]["key"], status)
        for body, (_, status) in zip(receiver.bodies, receiver.received, strict=True)
    ]
    assert events == [
        ("engagements.created", "call-one", 500),
        ("engagements.created", "call-one", 503),
        ("engagements.created", "call-one", 204),
        ("engagements.updated", "call-one", 204),
        ("engagements.created", "call-two", 204),
        ("engagements.deleted", "call-one", 204),
    ]
    ids = [received.headers["webhook-id"] for received, _ in receiver.received]
    assert ids[0] == ids[1] == ids[2]  # a retry carries the same id: receivers de-duplicate
    assert len(set(ids)) == 4
    deleted = receiver.bodies[-1]["data"]
    assert deleted["record"] is None
    assert deleted["before"]["status"] == "planned"
    page = client.get(f"/v1/subscriptions/{created['id']}/deliveries").json()
    assert page["total"] == 4
    first = page["items"][-1]  # newest first
    assert first["status"] == "delivered"
    assert [attempt["status_code"] for attempt in first["attempts"]] == [500, 503, 204]
    assert first["webhook_id"] == ids[0]


def test_a_worker_that_stops_mid_way_loses_nothing(
    client: TestClient,
    receiver: Receiver,
    session: Session,
    settings: Settings,
    unit: worker.UnitOfWork,
    send: Send,
) -> None:
    subscribe(client, receiver.url, types=["engagements"])
    client.post("/v1/engagements", json=engagement("before-the-crash"))
    # a worker claims the delivery and dies before sending it: its lease runs out
    with unit() as claiming:
        assert len(worker.claim(claiming, settings, utcnow(), 10)) == 1
    with unit() as claiming:
        assert worker.claim(claiming, settings, utcnow(), 10) == []  # still leased
    time.sleep(settings.webhook_lease_seconds * 2)
    # a worker thread started afresh sends it, and is stopped; the next change waits for the next
    first = worker.Worker(unit, settings)
    first.start()
    receiver.wait_for(1)
    first.stop(timeout=5)
    client.post("/v1/engagements", json=engagement("after-the-restart"))
    time.sleep(0.1)
    assert len(receiver.received) == 1
    second = worker.Worker(unit, settings)
    second.start()
    receiver.wait_for(2)
    second.stop(timeout=5)
    assert [body["data"]["key"] for body in receiver.bodies] == [
        "before-the-crash",
        "after-the-restart",
    ]
    pending = select(func.count()).where(Delivery.status == "pending")
    assert session.scalar(pending) == 0


def test_after_the_window_a_delivery_is_given_up_and_the_subscription_waits_until_resumed(
    client: TestClient, receiver: Receiver, settings: Settings, send: Send
) -> None:
    settings.webhook_retry_window_seconds = 0.05
    created = subscribe(client, receiver.url, types=["engagements"])
    path = f"/v1/subscriptions/{created['id']}"
    receiver.script = [502] * 1000
    client.post("/v1/engagements", json=engagement("lost-call"))
    client.post("/v1/engagements", json=engagement("waiting-call"))
    send()
    assert {body["data"]["key"] for body in receiver.bodies} == {"lost-call"}
    assert client.get(path).json()["status"] == "failing"
    # changes made while it is failing are queued too, and wait with the others
    client.patch("/v1/engagements/waiting-call", json={"status": "planned"})
    client.delete("/v1/engagements/lost-call")
    sent_so_far = len(receiver.received)
    send()
    assert len(receiver.received) == sent_so_far
    statuses = [item["status"] for item in client.get(f"{path}/deliveries").json()["items"]]
    assert statuses == ["pending", "pending", "pending", "failed"]
    receiver.script = []
    assert client.patch(path, json={"status": "active"}).json()["status"] == "active"
    send()
    assert [(body["type"], body["data"]["key"]) for body in receiver.bodies[sent_so_far:]] == [
        ("engagements.created", "waiting-call"),
        ("engagements.updated", "waiting-call"),
        ("engagements.deleted", "lost-call"),
    ]
    statuses = [item["status"] for item in client.get(f"{path}/deliveries").json()["items"]]
    assert statuses == ["delivered", "delivered", "delivered", "failed"]


def test_410_gone_gives_up_at_once(client: TestClient, receiver: Receiver, send: Send) -> None:
    created = subscribe(client, receiver.url, types=["engagements"])
    receiver.script = [410]
    client.post("/v1/engagements", json=engagement("unwanted"))
    assert send() == 1
    assert client.get(f"/v1/subscriptions/{created['id']}").json()["status"] == "failing"


def test_an_address_that_is_not_allowed_is_refused_at_delivery_time(
    client: TestClient, receiver: Receiver, settings: Settings, send: Send
) -> None:
    """A name that resolves to a loopback address (DNS rebinding, or a name for an inside
    host) is refused when sent, though the name itself passed when subscribed."""
    settings.webhook_allowed_hosts = ["public"]
    url = receiver.url.replace("127.0.0.1", "localhost")
    created = subscribe(client, url, types=["engagements"])
    settings.webhook_retry_window_seconds = 0  # give up at the first failure
    client.post("/v1/engagements", json=engagement("probe"))
    send()
    assert receiver.received == []
    [item] = client.get(f"/v1/subscriptions/{created['id']}/deliveries").json()["items"]
    [attempt] = item["attempts"]
    assert attempt["status_code"] is None
    assert attempt["error"].startswith("refused: host 'localhost' does not resolve to addresses")
    assert "127.0.0.1" not in attempt["error"]  # how inside names resolve is not told


def test_a_write_that_fails_queues_nothing(
    client: TestClient, receiver: Receiver, session: Session, send: Send
) -> None:
    subscribe(client, receiver.url)
    bundle = {
        "format": "sanctions-tracker-bundle/1",
        "engagements": [
            engagement("fine-call"),
            engagement("broken-call", participants=[{"actor": "nobody", "role": "principal"}]),
        ],
    }
    answer = client.post("/v1/import", json=bundle)
    assert answer.status_code == 422
    assert [error["pointer"] for error in answer.json()["errors"]] == [
        "/engagements/1/participants/0/actor"
    ]
    assert session.scalar(select(func.count()).select_from(Delivery)) == 0
    # a transaction that fails after its changes were logged takes its deliveries with it
    deliveries = select(func.count()).select_from(Delivery)
    transaction = session.begin_nested()
    record = EngagementRecord.model_validate(engagement("rolled-back-call"))
    write_records(session, {"engagements": [Incoming("", record)]}, via=ChangeVia.api)
    assert session.scalar(deliveries) == 1
    transaction.rollback()
    assert session.scalar(deliveries) == 0
    assert send() == 0
    assert receiver.received == []


def test_the_backoff_retries_for_at_least_24_hours_with_jitter() -> None:
    settings = Settings()
    rng = random.Random(8)
    delays: list[float] = []
    while sum(delays) < settings.webhook_retry_window_seconds:
        delays.append(delivery.backoff(len(delays) + 1, settings, rng))
    assert sum(delays) >= 24 * 3600
    assert 20 <= len(delays) <= 60  # attempts over the day: not a storm, not a trickle
    assert 2.5 <= delays[0] <= 5
    assert all(delay <= settings.webhook_retry_max_delay_seconds for delay in delays)
    assert delays[1] != 2 * delays[0]  # jittered
    grows = [delivery.backoff(attempt, settings, random.Random(0)) for attempt in range(1, 10)]
    assert grows == sorted(grows)


def test_the_backlog_and_the_counts_for_the_metrics(
    client: TestClient, receiver: Receiver, session: Session, send: Send
) -> None:
    subscribe(client, receiver.url, types=["engagements"])
    heard: list[tuple[str, int | None]] = []
    worker.LISTENERS.append(lambda outcome, status: heard.append((outcome, status)))
    try:
        receiver.script = [500]
        client.post("/v1/engagements", json=engagement("counted-one"))
        client.post("/v1/engagements", json=engagement("counted-two"))
        assert worker.backlog(session) == 2
        delivered_before = worker.COUNTS["delivered"]
        send()
    finally:
        worker.LISTENERS.pop()
    assert worker.backlog(session) == 0
    assert heard == [("retried", 500), ("delivered", 204), ("delivered", 204)]
    assert worker.COUNTS["delivered"] - delivered_before == 2


def test_a_slow_receiver_holds_up_only_its_own_subscription(
    backend: str, tmp_path: Path, settings: Settings
) -> None:
    """Two subscriptions with a change each: the first receiver does not answer until the
    second one has had its delivery, which only a worker sending both at once can do."""
    second_arrived = threading.Event()

    def slow(_: Received) -> int:
        return 204 if second_arrived.wait(timeout=settings.webhook_timeout_seconds / 2) else 500

    def fast(_: Received) -> int:
        second_arrived.set()
        return 204

    with (
        committed_store(backend, str(tmp_path)) as sessions,
        receiving(slow) as slow_url,
        receiving(fast) as fast_url,
    ):
        with sessions() as session:
            for url in (slow_url, fast_url):
                body = SubscriptionCreate.model_validate({"url": url, "types": ["engagements"]})
                service.create(session, body, settings)
            record = EngagementRecord.model_validate(engagement("one-change"))
            write_records(session, {"engagements": [Incoming("", record)]}, via=ChangeVia.api)
            session.commit()
        unit = worker.units(sessions)
        with delivery.client(settings) as client, ThreadPoolExecutor(2) as senders:
            assert worker.run_once(unit, settings, client, senders) == 2
        with sessions() as session:
            statuses = session.scalars(select(Delivery.status).order_by(Delivery.id)).all()
        assert statuses == ["delivered", "delivered"]
