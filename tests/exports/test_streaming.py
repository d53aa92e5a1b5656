"""Files hold every matching row, past any page size, in the list's sort, batch by batch."""

import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from sanctions_tracker.listing import begin_snapshot
from sanctions_tracker.models import Engagement
from sanctions_tracker.pagination import keyset, keyset_batches
from tests.exports.data import bulk_engagements, import_records

COUNT = 1203  # more than two batches of 500, and not a multiple of the batch size


@pytest.fixture
def bulk(client: TestClient) -> list[dict[str, Any]]:
    records = bulk_engagements(COUNT)
    import_records(client, engagements=records)
    return records


def keys_in_order(
    records: list[dict[str, Any]], ids: dict[str, int], descending: bool
) -> list[str]:
    ordered = sorted(
        records, key=lambda record: (record["start_date"], ids[record["key"]]), reverse=descending
    )
    return [record["key"] for record in ordered]


def test_every_row_is_streamed_in_the_sort_ignoring_limit_and_cursor(
    client: TestClient, session: Session, bulk: list[dict[str, Any]]
) -> None:
    ids = dict(session.execute(select(Engagement.key, Engagement.id)).all())
    cursor = client.get("/v1/engagements?limit=1").json()["next_cursor"]

    response = client.get(f"/v1/engagements?format=ndjson&limit=1&cursor={cursor}")

    keys = [json.loads(line)["key"] for line in response.text.splitlines()]
    assert keys == keys_in_order(bulk, ids, descending=True)
    ascending = client.get("/v1/engagements?format=csv&sort=start_date").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(ascending, newline="")))
    assert [row["key"] for row in rows] == keys_in_order(bulk, ids, descending=False)


def test_filters_apply_to_every_batch(
    client: TestClient, session: Session, bulk: list[dict[str, Any]]
) -> None:
    ids = dict(session.execute(select(Engagement.key, Engagement.id)).all())
    wanted = [
        record for record in bulk if record["kind"] == "meeting" and "GB" in record["countries"]
    ]

    response = client.get("/v1/engagements?format=ndjson&kind=meeting&country=GB")

    keys = [json.loads(line)["key"] for line in response.text.splitlines()]
    assert len(keys) == len(wanted) > 100
    assert keys == keys_in_order(wanted, ids, descending=True)


def test_each_batch_is_dropped_before_the_next_is_loaded(
    client: TestClient, session: Session
) -> None:
    import_records(client, engagements=bulk_engagements(45))
    session.expunge_all()
    order = keyset({"start_date": Engagement.start_on}, "start_date", Engagement.id)

    held = []
    seen = []
    for batch in keyset_batches(session, select(Engagement), order, size=10):
        held.append(len(session.identity_map))
        seen += [row.key for row in batch]

    assert held == [10, 10, 10, 10, 5]
    assert len(seen) == len(set(seen)) == 45


def test_an_export_reads_one_snapshot_on_postgresql(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's read transaction already is a snapshot")
    with Session(engine) as session:
        begin_snapshot(session)

        assert session.scalar(text("SHOW transaction_isolation")) == "repeatable read"
        assert session.scalar(text("SHOW transaction_read_only")) == "on"
