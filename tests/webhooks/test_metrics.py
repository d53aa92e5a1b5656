"""The webhook sender as an operator's monitoring sees it: attempts by outcome and the backlog."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from sanctions_tracker.app import wire_webhook_metrics
from sanctions_tracker.observability import metrics
from sanctions_tracker.webhooks import worker
from tests.observability.conftest import LOOPBACK, scrape, value
from tests.webhooks.conftest import Receiver, Send
from tests.webhooks.helpers import engagement, subscribe

DELIVERIES = "sanctions_tracker_webhook_deliveries_total"
BACKLOG = "sanctions_tracker_webhook_backlog"


@pytest.fixture
def wired(session: Session) -> Iterator[None]:
    """The wiring a served app does at start (twice: an app started again in the process),
    over the test's session."""
    wire_webhook_metrics(sessionmaker(bind=session.connection()))
    wire_webhook_metrics(sessionmaker(bind=session.connection()))
    yield
    metrics.register_webhook_backlog(None)


def test_attempts_are_counted_by_outcome_and_the_backlog_drains(
    app: FastAPI, client: TestClient, receiver: Receiver, send: Send, wired: None
) -> None:
    with TestClient(app, client=LOOPBACK) as monitor:
        before = scrape(monitor)
        subscribe(client, receiver.url, types=["engagements"])
        receiver.script = [503]  # the first attempt fails, the retry succeeds
        client.post("/v1/engagements", json=engagement("blinken-truss"))
        client.post("/v1/engagements", json=engagement("adeyemo-london"))
        assert value(scrape(monitor), BACKLOG) == 2

        assert send() == 3
        after = scrape(monitor)

    def moved(outcome: str) -> float:
        return value(after, DELIVERIES, outcome=outcome) - value(
            before, DELIVERIES, outcome=outcome
        )

    assert (moved("delivered"), moved("retrying"), moved("failed")) == (2, 1, 0)
    assert value(after, BACKLOG) == 0
    counting = [hook for hook in worker.LISTENERS if hook.__name__ == "_count_webhook_attempt"]
    assert len(counting) == 1  # each attempt counted once, however often the app started
