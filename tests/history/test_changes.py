"""GET /v1/changes: every committed write in strictly increasing sequence order, paged, filtered
by type; its counts equal the successful writes, and replaying it from 0 into an empty store
rebuilds the same data."""

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from sanctions_tracker import crud, migrations
from sanctions_tracker.app import create_app
from sanctions_tracker.bundles import service as bundles
from sanctions_tracker.bundles.engine import Incoming, write_records
from sanctions_tracker.db import build_engine, get_session, get_stream_session
from sanctions_tracker.history.router import TypeName
from sanctions_tracker.models.trust import ChangeVia
from sanctions_tracker.record_types import get_by_ref
from sanctions_tracker.registry import RECORD_TYPES
from tests.conftest import blank_database
from tests.history.feed import changes, history, walk

FORMAT = "sanctions-tracker-bundle/1"
FEED_FIELDS = {"seq", "at", "type", "id", "key", "previous_key", "action", "via", "version",
               "record"}  # fmt: skip


def actor(key: str, name: str = "Liz Truss", country: str | None = "GB") -> dict[str, Any]:
    """An actor as the bundle format writes it, every field present."""
    return {"key": key, "name": name, "aliases": [], "country": country, "wikidata_id": None,
            "positions": []}  # fmt: skip


def source(key: str, title: str = "Readout") -> dict[str, Any]:
    return {"key": key, "kind": "official_statement", "title": title, "publisher": None,
            "url": None, "published_on": "2022-04-01", "authors": []}  # fmt: skip


def test_the_feed_lists_every_change_after_since_in_order(client: TestClient) -> None:
    client.post("/v1/actors", json=actor("liz-truss"))
    client.post("/v1/sources", json=source("readout"))
    client.patch("/v1/actors/liz-truss", json={"name": "Elizabeth Truss"})
    client.delete("/v1/sources/readout")

    feed = client.get("/v1/changes").json()

    items = feed["items"]
    assert [(item["type"], item["key"], item["action"]) for item in items] == [
        ("actors", "liz-truss", "create"),
        ("sources", "readout", "create"),
        ("actors", "liz-truss", "update"),
        ("sources", "readout", "delete"),
    ]
    assert (feed["total"], feed["next_cursor"]) == (4, None)
    assert all(set(item) == FEED_FIELDS for item in items)
    assert items[2]["record"] == actor("liz-truss", "Elizabeth Truss")
    assert (items[3]["record"], items[3]["previous_key"]) == (None, "readout")
    seqs = [item["seq"] for item in items]
    assert seqs == sorted(set(seqs))
    after_second = client.get(f"/v1/changes?since={seqs[1]}").json()
    assert (after_second["items"], after_second["total"]) == (items[2:], 2)
    assert client.get(f"/v1/changes?since={seqs[-1]}").json() == {
        "items": [], "total": 0, "next_cursor": None
    }  # fmt: skip


def test_the_feed_keeps_to_the_types_asked_for(client: TestClient) -> None:
    client.post("/v1/actors", json=actor("liz-truss"))
    client.post("/v1/sources", json=source("readout"))
    client.post("/v1/sectors", json={"key": "energy", "name": "Energy"})

    def types(query: str) -> list[str]:
        return [item["type"] for item in client.get(f"/v1/changes?{query}").json()["items"]]

    assert types("type=sources") == ["sources"]
    assert types("type=sectors&type=actors") == ["actors", "sectors"]
    assert types("") == ["actors", "sources", "sectors"]
    answer = client.get("/v1/changes?type=actors&type=people")
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {
            "pointer": "/type/1",
            "message": "Input should be 'sources', 'organizations', 'actors', 'sectors', "
            "'sanctions_rounds' or 'engagements'",
            "location": "query",
        }
    ]
    assert client.get("/v1/changes?since=-1").status_code == 422
    assert get_args(TypeName) == tuple(RECORD_TYPES)


def test_the_feed_lists_one_records_versions_by_type_and_id(client: TestClient) -> None:
    truss = client.post("/v1/actors", json=actor("liz-truss")).json()["id"]
    other = client.post("/v1/actors", json=actor("ned-price", "Ned Price", "US")).json()["id"]
    client.patch("/v1/actors/liz-truss", json={"name": "Elizabeth Truss"})
    client.patch("/v1/actors/ned-price", json={"country": None})
    client.delete("/v1/actors/liz-truss")

    versions = client.get(f"/v1/changes?type=actors&id={truss}").json()

    assert [(item["key"], item["action"], item["version"]) for item in versions["items"]] == [
        ("liz-truss", "create", 1), ("liz-truss", "update", 2), ("liz-truss", "delete", 3)
    ]  # fmt: skip
    assert versions["items"][1]["record"] == actor("liz-truss", "Elizabeth Truss")
    assert all(set(item) == FEED_FIELDS for item in versions["items"])
    both = client.get(f"/v1/changes?type=actors&id={truss}&id={other}").json()
    assert both["total"] == 5
    for query, pointer in [(f"id={truss}", "/id"), (f"type=actors&type=sources&id={truss}", "/id"),
                           ("type=actors&id=0", "/id/0")]:  # fmt: skip
        answer = client.get(f"/v1/changes?{query}")
        assert (answer.status_code, answer.headers["content-type"]) == (
            422, "application/problem+json"
        )  # fmt: skip
        assert [error["pointer"] for error in answer.json()["errors"]] == [pointer]


def test_the_feed_pages_by_cursor_or_by_since(client: TestClient) -> None:
    for index in range(7):
        client.post("/v1/actors", json=actor(f"actor-{index}"))

    pages = walk(client, "/v1/changes?limit=3")

    assert [[item["key"] for item in page] for page in pages] == [
        ["actor-0", "actor-1", "actor-2"], ["actor-3", "actor-4", "actor-5"], ["actor-6"]
    ]  # fmt: skip
    by_since = client.get(f"/v1/changes?limit=3&since={pages[0][-1]['seq']}").json()["items"]
    assert by_since == pages[1]
    assert client.get("/v1/changes?cursor=forged").status_code == 400


def test_an_import_lists_parents_before_their_children(client: TestClient) -> None:
    bundle = {
        "format": FORMAT,
        "sectors": [
            {"key": "crude", "name": "Crude oil", "parent": "oil"},
            {"key": "oil", "name": "Oil", "parent": "energy"},
            {"key": "energy", "name": "Energy"},
            {"key": "gas", "name": "Gas", "parent": "energy"},
        ],
        "actors": [actor("liz-truss")],
        "sources": [source("readout")],
    }
    assert client.post("/v1/import", json=bundle).status_code == 200

    feed = changes(client)

    assert [item["key"] for item in feed] == [
        "readout", "liz-truss", "energy", "oil", "crude", "gas"
    ]  # fmt: skip


# Replaying the feed


@dataclass
class Store:
    client: TestClient
    sessions: sessionmaker[Session]


@pytest.fixture
def empty_store(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A second, empty, migrated database, and a client serving it."""
    databases = blank_database(backend, str(tmp_path_factory.mktemp("replica")))
    engine = build_engine(next(databases))
    try:
        migrations.upgrade(engine)
        sessions = sessionmaker(bind=engine, expire_on_commit=False)

        def read_only() -> Iterator[Session]:
            with sessions() as session:
                yield session
                session.rollback()

        app = create_app()
        app.dependency_overrides[get_session] = read_only
        app.dependency_overrides[get_stream_session] = read_only
        with TestClient(app) as client:
            yield Store(client, sessions)
    finally:
        engine.dispose()
        databases.close()


def replay(feed: list[dict[str, Any]], session: Session) -> None:
    """What a mirror does with the feed: creates and updates through the import path, a rename
    to the record found by its previous key, deletes by key."""
    for change in feed:
        name, record = change["type"], change["record"]
        record_type = RECORD_TYPES[name]
        if change["action"] == "delete":
            crud.remove(session, record_type, change["key"])
        elif change["previous_key"] not in (None, change["key"]):
            stored = get_by_ref(session, record_type, change["previous_key"])
            parsed = record_type.record_schema.model_validate(record)
            write_records(session, {name: [Incoming("", parsed, target=stored)]}, via=ChangeVia.import_)  # fmt: skip
        else:
            bundles.import_bundle(session, {"format": FORMAT, name: [record]})


def assert_replay_rebuilds(client: TestClient, store: Store) -> None:
    feed = changes(client)
    with store.sessions.begin() as session:
        replay(feed, session)
    original = client.get("/v1/export").json()
    assert store.client.get("/v1/export").json() == original
    assert store.client.get("/v1/changes").json()["total"] == len(feed)


def test_replaying_the_feed_into_an_empty_store_rebuilds_the_same_data(
    client: TestClient, empty_store: Store
) -> None:
    trip = {"key": "trip", "kind": "trip", "title": "Adeyemo in Europe", "start_date": "2022-03-28",
            "end_date": "2022-04-01", "countries": ["US", "GB"]}  # fmt: skip
    leg = {"key": "leg-london", "kind": "meeting", "title": "London", "start_date": "2022-03-29",
           "parent": "trip", "countries": ["US", "GB"],
           "participants": [{"actor": "liz-truss", "role": "counterpart"}],
           "sources": [{"source": "readout", "quote": "in London"}], "sectors": ["oil"]}  # fmt: skip
    bundle = {
        "format": FORMAT,
        "engagements": [leg, trip],
        "sectors": [{"key": "oil", "name": "Oil", "parent": "energy"}, {"key": "energy", "name": "Energy"}],
        "organizations": [{"key": "ofac", "name": "OFAC", "parent": "treasury"},
                          {"key": "treasury", "name": "U.S. Treasury"}],
        "actors": [actor("liz-truss"), actor("antony-blinken", "Antony Blinken", "US")],
        "sources": [source("readout"), source("statement", "Statement")],
    }  # fmt: skip
    steps = [
        ("post", "/v1/import", bundle),
        ("patch", "/v1/actors/liz-truss", {"key": "elizabeth-truss", "name": "Elizabeth Truss"}),
        ("patch", "/v1/sectors/energy", {"key": "energy-sector"}),
        ("patch", "/v1/sectors/oil", {"parent": None}),
        ("patch", "/v1/sectors/energy-sector", {"parent": "oil"}),
        # a swap of keys through a third one
        ("patch", "/v1/sources/readout", {"key": "swap"}),
        ("patch", "/v1/sources/statement", {"key": "readout"}),
        ("patch", "/v1/sources/swap", {"key": "statement"}),
        ("patch", "/v1/engagements/leg-london", {"parent": None, "title": "London, alone"}),
        ("delete", "/v1/engagements/trip", None),
        ("delete", "/v1/organizations/ofac", None),
        ("post", "/v1/organizations", {"key": "ofac", "name": "OFAC again"}),
        ("patch", "/v1/actors/antony-blinken", {"name": "Antony Blinken"}),  # changes nothing
        ("post", "/v1/import", {"format": FORMAT, "actors": [actor("antony-blinken", "Tony Blinken", "US")]}),
    ]  # fmt: skip
    for method, path, body in steps:
        answer = client.request(method, path, json=body)
        assert answer.status_code < 300, (path, answer.text)

    assert_replay_rebuilds(client, empty_store)


# A randomized sequence of writes, successful or not


@dataclass
class Model:
    """What the test expects the store to hold: live actors by key, and per record id the number
    of changes it has had."""

    live: dict[str, dict[str, Any]] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    changes_of: Counter[int] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)

    def wrote(self, key: str, action: str) -> None:
        self.changes_of[self.ids[key]] += 1
        self.actions[action] += 1


def run_operations(client: TestClient, rng: random.Random, model: Model, steps: int) -> None:
    counter = 0

    def fresh_key() -> str:
        nonlocal counter
        counter += 1
        return f"actor-{counter}"

    def created(key: str, record: dict[str, Any]) -> None:
        model.live[key] = record
        model.ids[key] = client.get(f"/v1/actors/{key}").json()["id"]
        model.wrote(key, "create")

    for _ in range(steps):
        keys = sorted(model.live)
        free = [key for key in keys if key != "anchor"]
        operation = rng.choice(
            ["create", "create_taken", "patch", "noop", "rename", "invalid", "delete",
             "delete_referenced", "import", "bad_import", "dry_import", "stale", "unknown"]
        )  # fmt: skip
        if operation in ("patch", "noop", "rename", "delete") and not free:
            operation = "create"
        key = rng.choice(free) if free else "anchor"
        if operation == "create":
            record = actor(fresh_key(), f"Person {counter}", rng.choice(["GB", "US", None]))
            assert client.post("/v1/actors", json=record).status_code == 201
            created(record["key"], record)
        elif operation == "create_taken":
            assert client.post("/v1/actors", json=actor(rng.choice(keys))).status_code == 409
        elif operation == "patch":
            name = f"Renamed {fresh_key()}"
            assert client.patch(f"/v1/actors/{key}", json={"name": name}).status_code == 200
            model.live[key] = model.live[key] | {"name": name}
            model.wrote(key, "update")
        elif operation == "noop":
            same = {"name": model.live[key]["name"], "country": model.live[key]["country"]}
            assert client.patch(f"/v1/actors/{key}", json=same).status_code == 200
        elif operation == "rename":
            new_key = fresh_key()
            assert client.patch(f"/v1/actors/{key}", json={"key": new_key}).status_code == 200
            model.live[new_key] = model.live.pop(key) | {"key": new_key}
            model.ids[new_key] = model.ids.pop(key)
            model.wrote(new_key, "update")
        elif operation == "invalid":
            assert client.patch(f"/v1/actors/{key}", json={"country": "UK"}).status_code == 422
        elif operation == "delete":
            assert client.delete(f"/v1/actors/{key}").status_code == 204
            model.wrote(key, "delete")
            del model.live[key], model.ids[key]
        elif operation == "delete_referenced":
            assert client.delete("/v1/actors/anchor").status_code == 409
        elif operation in ("import", "bad_import", "dry_import"):
            records = [
                model.live[key] | {"name": rng.choice([model.live[key]["name"], "Imported"])}
                for key in rng.sample(keys, k=min(len(keys), 3))
            ] + [actor(fresh_key(), "Imported") for _ in range(rng.randint(0, 2))]
            if operation == "bad_import":
                records.append(actor("bad", "Bad", "UK"))
            query = "?dry_run=true" if operation == "dry_import" else ""
            answer = client.post(f"/v1/import{query}", json={"format": FORMAT, "actors": records})
            if operation == "bad_import":
                assert answer.status_code == 422
                continue
            new = [r for r in records if r["key"] not in model.live]
            updated = [r for r in records if r["key"] in model.live and model.live[r["key"]] != r]
            assert answer.status_code == 200
            assert (answer.json()["created"]["actors"], answer.json()["updated"]["actors"]) == (
                len(new), len(updated)
            )  # fmt: skip
            if operation == "dry_import":
                continue
            for record in new:
                created(record["key"], record)
            for record in updated:
                model.live[record["key"]] = record
                model.wrote(record["key"], "update")
        elif operation == "stale":
            answer = client.patch(
                f"/v1/actors/{key}", json={"name": "Lost"}, headers={"If-Match": '"0-0"'}
            )
            assert answer.status_code == 412
        else:
            assert client.patch("/v1/actors/nobody", json={"name": "X"}).status_code == 404


@pytest.mark.parametrize("seed", [1, 2])
def test_history_and_feed_counts_equal_the_successful_writes(
    client: TestClient, empty_store: Store, seed: int
) -> None:
    model = Model()
    assert client.post("/v1/actors", json=actor("anchor", "Anchor")).status_code == 201
    model.live["anchor"] = actor("anchor", "Anchor")
    model.ids["anchor"] = client.get("/v1/actors/anchor").json()["id"]
    model.wrote("anchor", "create")
    engagement = {"key": "call", "kind": "call", "title": "Call", "start_date": "2022-04-01",
                  "participants": [{"actor": "anchor", "role": "principal"}]}  # fmt: skip
    assert client.post("/v1/engagements", json=engagement).status_code == 201

    run_operations(client, random.Random(seed), model, steps=80)

    writes = sum(model.changes_of.values()) + 1  # and the engagement
    feed = changes(client)
    assert len(feed) == client.get("/v1/changes").json()["total"] == writes
    assert Counter(item["action"] for item in feed if item["type"] == "actors") == model.actions
    for record_id, count in model.changes_of.items():
        assert len(history(client, f"/v1/actors/{record_id}")) == count, record_id
    for key, record_id in model.ids.items():
        stored = client.get(f"/v1/actors/{key}").json()
        assert (stored["id"], stored["version"]) == (record_id, model.changes_of[record_id])
    assert client.get("/v1/actors?limit=500").json()["total"] == len(model.live)
    assert_replay_rebuilds(client, empty_store)
