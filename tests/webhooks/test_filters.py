"""A subscription's filter keeps exactly the records the list with the same filters shows;
a deletion is judged on the record as it was. Matching is done in bulk, even for big imports."""

import time
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from sanctions_tracker.models import Delivery
from sanctions_tracker.webhooks import filters, outbox
from tests.webhooks.conftest import Receiver, Send
from tests.webhooks.helpers import engagement, subscribe

NOT_FILTERS = {"sort", "limit", "cursor", "facets", "format"}


def test_the_filters_are_those_of_the_lists(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    for record_type, type_filters in filters.TYPES.items():
        operation = paths[f"/v1/{record_type.replace('_', '-')}"]["get"]
        names = {param["name"] for param in operation["parameters"]} - NOT_FILTERS
        assert set(type_filters.params) == names, record_type


def sent(receiver: Receiver) -> list[tuple[str, str]]:
    return [(body["type"], body["data"]["key"]) for body in receiver.bodies]


def test_a_filter_keeps_what_the_list_with_those_filters_shows(
    client: TestClient, receiver: Receiver, send: Send
) -> None:
    client.post("/v1/sectors", json={"key": "energy", "name": "Energy"})
    client.post("/v1/sectors", json={"key": "oil", "name": "Oil", "parent": "energy"})
    client.post("/v1/sectors", json={"key": "finance", "name": "Finance"})
    subscribe(
        client,
        receiver.url,
        types=["engagements"],
        filter={"country": ["IN"], "sector": ["energy"]},
    )
    records = {
        "india-oil": {"countries": ["US", "IN"], "sectors": ["oil"]},  # below energy: kept
        "india-energy": {"countries": ["IN"], "sectors": ["energy", "finance"]},
        "india-finance": {"countries": ["IN"], "sectors": ["finance"]},
        "india-nothing": {"countries": ["IN"]},
        "britain-oil": {"countries": ["GB"], "sectors": ["oil"]},
    }
    for key, fields in records.items():
        assert client.post("/v1/engagements", json=engagement(key, **fields)).status_code == 201
    # a change that makes a record match is sent; one that makes it stop matching is not
    client.patch("/v1/engagements/india-finance", json={"sectors": ["oil"]})
    client.patch("/v1/engagements/india-energy", json={"countries": ["GB"]})
    send()
    listed = client.get("/v1/engagements", params={"country": "IN", "sector": "energy"}).json()
    assert {item["key"] for item in listed["items"]} == {"india-oil", "india-finance"}
    assert sent(receiver) == [
        ("engagements.created", "india-oil"),
        ("engagements.created", "india-energy"),
        ("engagements.updated", "india-finance"),
    ]


def test_a_deletion_is_judged_on_the_record_as_it_was(
    client: TestClient, receiver: Receiver, send: Send
) -> None:
    for key, countries in (("with-india", ["IN"]), ("without-india", ["GB"])):
        client.post("/v1/engagements", json=engagement(key, countries=countries))
    subscribe(
        client, receiver.url, types=["engagements"], events=["deleted"], filter={"country": ["IN"]}
    )
    client.delete("/v1/engagements/with-india")
    client.delete("/v1/engagements/without-india")
    send()
    assert sent(receiver) == [("engagements.deleted", "with-india")]


def test_rounds_filtered_by_jurisdiction_measure_and_date(
    client: TestClient, receiver: Receiver, send: Send
) -> None:
    subscribe(
        client,
        receiver.url,
        types=["sanctions_rounds"],
        filter={"imposed_by": ["eu"], "measure": ["import_ban"], "from": "2022-03-01"},
    )

    def round_(key: str, **fields: Any) -> dict[str, Any]:
        return {
            "key": key,
            "title": "Ban on imports of Russian coal",
            "imposed_by": ["EU"],
            "targets": ["RU"],
            "announced_on": "2022-04-08",
            "measures": ["import_ban"],
        } | fields

    client.post("/v1/sanctions-rounds", json=round_("eu-coal-ban"))
    client.post("/v1/sanctions-rounds", json=round_("us-oil-ban", imposed_by=["US"]))
    client.post("/v1/sanctions-rounds", json=round_("eu-old-ban", announced_on="2022-02-23"))
    client.post("/v1/sanctions-rounds", json=round_("eu-freeze", measures=["asset_freeze"]))
    client.delete("/v1/sanctions-rounds/eu-old-ban")
    client.delete("/v1/sanctions-rounds/eu-coal-ban")
    send()
    assert sent(receiver) == [
        ("sanctions_rounds.created", "eu-coal-ban"),
        ("sanctions_rounds.deleted", "eu-coal-ban"),
    ]


def test_a_full_text_filter_and_the_deletion_of_what_it_matched(
    client: TestClient, receiver: Receiver, send: Send
) -> None:
    subscribe(client, receiver.url, types=["engagements"], filter={"q": "pipeline"})
    client.post("/v1/engagements", json=engagement("gas-talks", title="Talks on the pipelines"))
    client.post("/v1/engagements", json=engagement("other-talks", title="Talks on wheat"))
    client.delete("/v1/engagements/gas-talks")
    client.delete("/v1/engagements/other-talks")
    send()
    assert sent(receiver) == [
        ("engagements.created", "gas-talks"),
        ("engagements.deleted", "gas-talks"),  # it was sent before: its end is too
    ]


def test_without_subscriptions_the_outbox_stays_empty(client: TestClient, session: Session) -> None:
    assert outbox.mark(session) is None
    client.post("/v1/engagements", json=engagement("unheard"))
    assert session.scalar(select(func.count()).select_from(Delivery)) == 0


def test_a_big_import_is_matched_in_bulk(client: TestClient, session: Session) -> None:
    size = 3000
    everything = subscribe(client, "https://hooks.example.org/all", types=["engagements"])
    india = subscribe(
        client,
        "https://hooks.example.org/india",
        types=["engagements"],
        filter={"country": ["IN"]},
    )
    calls = [
        engagement(f"call-{index}", countries=["US", "IN" if index % 3 == 0 else "GB"])
        for index in range(size)
    ]
    statements: list[str] = []

    def keep(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", keep)
    started = time.monotonic()
    answer = client.post(
        "/v1/import", json={"format": "sanctions-tracker-bundle/1", "engagements": calls}
    )
    assert answer.status_code == 200, answer.text[:500]
    elapsed = time.monotonic() - started
    event.remove(connection, "before_cursor_execute", keep)
    # the outbox's work is a handful of statements for the whole import, not one per record
    outbox_work = [text for text in statements if "deliveries" in text or "subscriptions" in text]
    assert 1 <= len(outbox_work) <= 10

    def queued(subscription: dict[str, Any]) -> list[int]:
        query = (
            select(Delivery.change_seq)
            .where(Delivery.subscription_id == subscription["id"])
            .order_by(Delivery.id)
        )
        return [seq for seq in session.scalars(query) if seq is not None]

    assert len(queued(everything)) == size
    assert len(queued(india)) == size // 3
    assert queued(everything) == sorted(queued(everything))  # the order of the changes
    assert elapsed < 60
