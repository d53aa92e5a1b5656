"""GET /v1/{collection}/{ref}/history: every committed change of a record, oldest first, with who
made it, how, the version it made and the record before and after; still there once the record
is deleted, and without a trace of any write that failed or was only a dry run."""

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sanctions_tracker.seed import load_seed, seed_bundle
from tests.conftest import ClientAs
from tests.factories import make_actor, make_engagement
from tests.history.feed import changes, history, walk, without_time

FORMAT = "sanctions-tracker-bundle/1"
TYPES = ["sources", "organizations", "actors", "sectors", "sanctions_rounds", "engagements"]
COLLECTIONS = ["sources", "organizations", "actors", "sectors", "sanctions-rounds", "engagements"]
# An actor as the bundle format writes it, every field present.
TRUSS = {"key": "liz-truss", "name": "Liz Truss", "aliases": [], "country": "GB",
         "wikidata_id": None, "positions": []}  # fmt: skip
READOUT = {"key": "readout", "kind": "official_statement", "title": "Readout",
           "publisher": "U.S. Department of State", "url": None, "published_on": "2022-04-01",
           "authors": []}  # fmt: skip


def entry(action: str, version: int, record: dict[str, Any] | None,
          before: dict[str, Any] | None, *, id: int, writer: str | None = "test-admin",
          via: str = "api", type: str = "actors") -> dict[str, Any]:  # fmt: skip
    """A history item as the test expects it, `seq` and `at` aside."""
    key = (record or before or {})["key"]
    return {"type": type, "id": id, "key": key, "previous_key": before["key"] if before else None,
            "action": action, "via": via, "version": version, "writer": writer,
            "record": record, "before": before}  # fmt: skip


def assert_in_order(items: list[dict[str, Any]]) -> None:
    seqs = [item["seq"] for item in items]
    times = [datetime.fromisoformat(item["at"]) for item in items]
    assert seqs == sorted(set(seqs))
    assert times == sorted(times)
    assert all(time.tzinfo is not None for time in times)


def test_create_patch_rename_and_delete_each_make_a_version(client_as: ClientAs) -> None:
    editor, admin = client_as("editor"), client_as("admin")
    created = editor.post("/v1/actors", json=TRUSS).json()
    editor.patch("/v1/actors/liz-truss", json={"aliases": ["Elizabeth Truss"]})
    admin.patch("/v1/actors/liz-truss", json={"key": "elizabeth-truss"})
    editor.delete("/v1/actors/elizabeth-truss")

    named = TRUSS | {"aliases": ["Elizabeth Truss"]}
    renamed = named | {"key": "elizabeth-truss"}
    expected = [
        entry("create", 1, TRUSS, None, id=created["id"], writer="test-editor"),
        entry("update", 2, named, TRUSS, id=created["id"], writer="test-editor"),
        entry("update", 3, renamed, named, id=created["id"], writer="test-admin"),
        entry("delete", 4, None, renamed, id=created["id"], writer="test-editor"),
    ]
    for ref in ("elizabeth-truss", "liz-truss", created["id"]):
        items = history(admin, f"/v1/actors/{ref}")
        assert without_time(items) == expected, ref
        assert_in_order(items)
    assert admin.get("/v1/actors/liz-truss").status_code == 404


def test_the_versions_of_a_record_follow_its_history(client: TestClient, session: Session) -> None:
    make_actor(session, **TRUSS)
    for name in ("Elizabeth Truss", "Liz Truss", "Mary Elizabeth Truss"):
        answer = client.patch("/v1/actors/liz-truss", json={"name": name})
        assert answer.json()["version"] == len(history(client, "/v1/actors/liz-truss"))

    versions = [item["version"] for item in history(client, "/v1/actors/liz-truss")]
    assert versions == [1, 2, 3, 4]
    assert client.get("/v1/actors/liz-truss").json()["version"] == 4


def test_a_write_that_changes_nothing_is_no_version(client: TestClient, session: Session) -> None:
    make_actor(session, **TRUSS)
    before = client.get("/v1/actors/liz-truss")

    answer = client.patch("/v1/actors/liz-truss", json={"name": "Liz Truss", "aliases": []})

    assert answer.status_code == 200
    assert answer.json() == before.json()
    assert answer.headers["etag"] == before.headers["etag"]
    assert len(history(client, "/v1/actors/liz-truss")) == 1


def test_imports_are_recorded_as_imports_and_unchanged_records_are_not(
    client: TestClient,
) -> None:
    bundle = {"format": FORMAT, "actors": [TRUSS], "sources": [READOUT]}
    assert client.post("/v1/import", json=bundle).status_code == 200
    changed = bundle | {"actors": [TRUSS | {"country": None}]}

    again = client.post("/v1/import", json=changed).json()

    assert (again["updated"]["actors"], again["unchanged"]["sources"]) == (1, 1)
    truss_id = client.get("/v1/actors/liz-truss").json()["id"]
    readout_id = client.get("/v1/sources/readout").json()["id"]
    assert without_time(history(client, "/v1/actors/liz-truss")) == [
        entry("create", 1, TRUSS, None, id=truss_id, via="import"),
        entry("update", 2, TRUSS | {"country": None}, TRUSS, id=truss_id, via="import"),
    ]
    assert without_time(history(client, "/v1/sources/readout")) == [
        entry("create", 1, READOUT, None, id=readout_id, via="import", type="sources")
    ]
    assert client.get("/v1/sources/readout").json()["version"] == 1


def test_a_dry_run_and_a_failing_import_leave_no_trace(client: TestClient) -> None:
    client.post("/v1/import", json={"format": FORMAT, "actors": [TRUSS]})
    before = (client.get("/v1/actors/liz-truss").json(), changes(client))
    edited = TRUSS | {"name": "Elizabeth Truss"}
    new = READOUT

    dry = client.post(
        "/v1/import?dry_run=true", json={"format": FORMAT, "actors": [edited], "sources": [new]}
    )
    failed = client.post(
        "/v1/import",
        json={"format": FORMAT, "actors": [edited], "sources": [new, {"key": "bad"}]},
    )

    assert (dry.status_code, dry.json()["updated"]["actors"]) == (200, 1)
    assert failed.status_code == 422
    assert (client.get("/v1/actors/liz-truss").json(), changes(client)) == before
    assert client.get("/v1/sources/readout/history").status_code == 404


def test_failing_writes_leave_no_trace(client: TestClient, session: Session) -> None:
    make_actor(session, **TRUSS)
    make_actor(session, key="antony-blinken", name="Antony Blinken")
    make_engagement(
        session, key="2022-04-01-call", participants=[{"actor": "liz-truss", "role": "counterpart"}]
    )
    before = changes(client)

    statuses = [
        client.post("/v1/actors", json=TRUSS).status_code,
        client.patch("/v1/actors/liz-truss", json={"country": "UK"}).status_code,
        client.patch("/v1/actors/liz-truss", json={"key": "antony-blinken"}).status_code,
        client.patch("/v1/actors/nobody", json={"name": "Nobody"}).status_code,
        client.delete("/v1/actors/liz-truss").status_code,
        client.patch("/v1/actors/liz-truss", json={"version": 7}).status_code,
    ]

    assert statuses == [409, 422, 409, 404, 409, 422]
    assert changes(client) == before
    assert client.get("/v1/actors/liz-truss").json()["version"] == 1


def test_the_version_is_server_owned_in_every_write(client: TestClient, session: Session) -> None:
    make_actor(session, **TRUSS)
    before = changes(client)

    posted = client.post("/v1/actors", json=TRUSS | {"key": "other", "version": 1})
    patched = client.patch("/v1/actors/liz-truss", json={"version": 2})
    imported = client.post(
        "/v1/import", json={"format": FORMAT, "actors": [TRUSS | {"version": 5}]}
    )

    extra = "Extra inputs are not permitted"
    assert [(a.status_code, a.json()["errors"]) for a in (posted, patched)] == [
        (422, [{"pointer": "/version", "message": extra, "location": "body"}]),
        (422, [{"pointer": "/version", "message": extra, "location": "body"}]),
    ]
    assert (imported.status_code, imported.json()["errors"]) == (
        422,
        [{"pointer": "/actors/0/version", "message": extra, "location": "body"}],
    )
    assert changes(client) == before


def test_a_key_taken_again_names_the_record_that_took_it_last(client: TestClient) -> None:
    first = client.post("/v1/actors", json=TRUSS).json()
    client.delete("/v1/actors/liz-truss")
    second = client.post("/v1/actors", json=TRUSS | {"country": None}).json()

    by_key = history(client, "/v1/actors/liz-truss")
    by_first_id = history(client, f"/v1/actors/{first['id']}")

    assert second["id"] != first["id"]
    assert [(item["id"], item["action"]) for item in by_key] == [(second["id"], "create")]
    assert [(item["id"], item["action"]) for item in by_first_id] == [
        (first["id"], "create"),
        (first["id"], "delete"),
    ]


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_a_record_that_never_existed_has_no_history(client: TestClient, collection: str) -> None:
    client.post("/v1/actors", json=TRUSS)  # an actor's key is no other type's

    by_key = client.get(f"/v1/{collection}/liz-truss/history")
    by_id = client.get(f"/v1/{collection}/2147483647/history")
    beyond = client.get(f"/v1/{collection}/99999999999/history")

    if collection == "actors":
        assert by_key.status_code == 200
        return
    singular = {"sanctions-rounds": "sanctions round"}.get(collection, collection[:-1])
    for answer, detail in (
        (by_key, f"No {singular} ever had key 'liz-truss'."),
        (by_id, f"No {singular} ever had id 2147483647."),
        (beyond, f"No {singular} ever had id 99999999999."),
    ):
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json() == {"type": "/problems/not-found", "title": "Not found",
                                 "status": 404, "detail": detail,
                                 "instance": f"{answer.request.url.path}"
                                 f"#request={answer.headers['x-request-id']}"}  # fmt: skip


def test_history_pages_like_the_lists(client: TestClient, session: Session) -> None:
    make_actor(session, **TRUSS)
    for index in range(6):
        client.patch("/v1/actors/liz-truss", json={"name": f"Liz Truss {index}"})

    pages = walk(client, "/v1/actors/liz-truss/history?limit=3")

    assert [len(page) for page in pages] == [3, 3, 1]
    versions = [item["version"] for page in pages for item in page]
    assert versions == [1, 2, 3, 4, 5, 6, 7]
    first = client.get("/v1/actors/liz-truss/history?limit=3").json()
    assert first["total"] == 7
    assert client.get("/v1/actors/liz-truss/history?cursor=forged").status_code == 400
    assert client.get("/v1/actors/liz-truss/history?limit=501").status_code == 422


def test_the_seed_is_an_import_without_writer_and_history_holds_what_export_shows(
    client: TestClient, session: Session
) -> None:
    session.info.pop("writer", None)  # the seed runs without any request, hence without a key
    load_seed(session)
    session.commit()

    bundle = seed_bundle()
    feed = changes(client)
    assert len(feed) == sum(len(bundle[name]) for name in TYPES)
    assert {(item["action"], item["via"], item["version"]) for item in feed} == {
        ("create", "import", 1)
    }
    exported = client.get("/v1/export").json()
    for name, collection in zip(TYPES, COLLECTIONS, strict=True):
        for record in exported[name]:
            (only,) = history(client, f"/v1/{collection}/{record['key']}")
            assert (only["writer"], only["record"]) == (None, record)


def test_history_is_for_admins_and_the_feed_for_whoever_may_read(
    client_as: ClientAs, session: Session
) -> None:
    make_actor(session, **TRUSS)

    statuses = {
        identity: client_as(identity).get("/v1/actors/liz-truss/history").status_code
        for identity in ("anonymous", "reader", "editor", "admin")
    }
    feed = client_as("anonymous").get("/v1/changes")

    assert statuses == {"anonymous": 401, "reader": 403, "editor": 403, "admin": 200}
    assert feed.status_code == 200
    assert [("writer" in item, "before" in item) for item in feed.json()["items"]] == [
        (False, False)
    ]
