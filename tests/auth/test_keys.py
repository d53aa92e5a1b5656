"""API keys: the service, the command line and `/v1/keys`; what each kind of
refused key is told; that the key's name reaches the write path; no-store on keyed answers."""

import hashlib
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanctions_tracker import migrations
from sanctions_tracker.auth import service as keys
from sanctions_tracker.config import Settings, get_settings
from sanctions_tracker.db import SessionDep, build_engine
from sanctions_tracker.models import ApiKey
from sanctions_tracker.models.base import utcnow
from sanctions_tracker.models.trust import Role
from sanctions_tracker.problems import Conflict, NotFound, Unauthorized, ValidationFailed
from tests.conftest import ClientAs, CommandResult, RunCommand, blank_database
from tests.factories import make_actor

PROBLEM = "application/problem+json"
CHALLENGE = 'Bearer realm="sanctions-tracker"'
INVALID_TOKEN = CHALLENGE + ', error="invalid_token"'
MISSING = "This operation needs an API key: send it as `Authorization: Bearer KEY`."
NEW_ACTOR = {"key": "liz-truss", "name": "Liz Truss", "country": "GB"}


def assert_problem(
    response: httpx.Response, status: int, detail: str, **extra: Any
) -> dict[str, Any]:
    slug, title = {401: ("unauthorized", "Unauthorized"), 403: ("forbidden", "Forbidden")}[status]
    expected = {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail,
                "instance": f"{response.request.url.path}#request={response.headers['x-request-id']}",
                **extra}  # fmt: skip
    assert (response.status_code, response.headers["content-type"], response.json()) == (
        status,
        PROBLEM,
        expected,
    )
    return dict(response.json())


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def stored_key(session: Session, name: str) -> ApiKey:
    key = session.scalar(
        select(ApiKey).where(ApiKey.name == name).execution_options(populate_existing=True)
    )
    assert key is not None
    return key


# The service


def test_a_key_is_random_recognisable_and_stored_only_as_its_hash(session: Session) -> None:
    key, secret = keys.create_key(session, name="analyst", role=Role.reader)
    _, other = keys.create_key(session, name="analyst-2", role=Role.reader)

    assert secret.startswith("sdt_")
    body = secret.removeprefix("sdt_")
    assert len(body) == 52  # base32 of 32 random bytes: 260 bits of text for 256 of randomness
    assert set(body) <= set("abcdefghijklmnopqrstuvwxyz234567")
    assert other != secret
    row = stored_key(session, "analyst")
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.prefix == secret[:12]
    columns = [getattr(row, column.key) for column in ApiKey.__table__.columns]
    assert not any(isinstance(value, str) and body in value for value in columns)
    assert (key.name, key.role, key.last_used_at, key.expires_at, key.revoked_at) == (
        "analyst",
        "reader",
        None,
        None,
        None,
    )


def test_authenticate_names_the_key_and_refuses_dead_ones(session: Session) -> None:
    _, live = keys.create_key(session, name="live", role=Role.editor)
    _, old = keys.create_key(
        session, name="old", role=Role.admin, expires_at=utcnow() - timedelta(seconds=1)
    )
    _, gone = keys.create_key(session, name="gone", role=Role.admin)
    keys.revoke_key(session, "gone")

    assert keys.authenticate(session, live) == keys.Identity("live", Role.editor)
    refused = {}
    for secret in (old, gone, live + "x", "sdt_", "not-even-a-key"):
        with pytest.raises(Unauthorized) as caught:
            keys.authenticate(session, secret)
        refused[secret] = caught.value.detail
    assert refused[old].startswith("The API key expired at ")
    assert refused[gone] == "The API key has been revoked."
    assert {refused[live + "x"], refused["sdt_"], refused["not-even-a-key"]} == {
        "The API key is not recognised."
    }


def test_last_use_is_recorded_at_most_once_a_minute(session: Session) -> None:
    _, secret = keys.create_key(session, name="busy", role=Role.reader)
    keys.authenticate(session, secret)
    first = stored_key(session, "busy").last_used_at
    assert first is not None

    keys.authenticate(session, secret)
    assert stored_key(session, "busy").last_used_at == first

    an_earlier_use = utcnow() - timedelta(minutes=2)
    stored_key(session, "busy").last_used_at = an_earlier_use
    session.flush()
    keys.authenticate(session, secret)
    assert stored_key(session, "busy").last_used_at > an_earlier_use  # type: ignore[operator]


@pytest.fixture
def committed_key(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A database of its own holding one committed, never used key: (engine, secret)."""
    databases = blank_database(backend, str(tmp_path_factory.mktemp("lock")))
    engine = build_engine(next(databases), busy_timeout=5)
    try:
        migrations.upgrade(engine)
        with Session(engine) as session:
            _, secret = keys.create_key(session, name="shared", role=Role.reader)
            session.commit()
        yield engine, secret
    finally:
        engine.dispose()
        next(databases, None)


def test_recording_a_use_never_waits_for_a_writer(committed_key: Any) -> None:
    engine, secret = committed_key
    with engine.connect() as writer:
        # Another transaction holds what recording the use needs: SQLite's write lock, or
        # (PostgreSQL) the key's row, as a long import made with the same key would.
        writer.begin()
        if engine.dialect.name == "sqlite":
            writer.exec_driver_sql("UPDATE api_keys SET prefix = prefix")
        else:
            writer.execute(select(ApiKey.id).with_for_update())

        started = time.monotonic()
        with Session(engine) as session:
            identity = keys.authenticate(session, secret)
            session.commit()
        waited = time.monotonic() - started
        writer.rollback()

    assert identity == keys.Identity("shared", Role.reader)
    assert waited < 2  # the busy timeout is 5 s
    with Session(engine) as session:
        assert stored_key(session, "shared").last_used_at is None
        keys.authenticate(session, secret)  # nothing in the way now
        session.commit()
        assert stored_key(session, "shared").last_used_at is not None


def test_names_are_unique_for_good_and_slug_like(session: Session) -> None:
    keys.create_key(session, name="ci.importer_2-a", role=Role.editor)
    keys.revoke_key(session, "ci.importer_2-a")

    with pytest.raises(Conflict):
        keys.create_key(session, name="ci.importer_2-a", role=Role.editor)
    for bad in ("", "Alice", "-leading", "has space", "x" * 101, "ünicode"):
        with pytest.raises(ValidationFailed):
            keys.create_key(session, name=bad, role=Role.reader)
    with pytest.raises(NotFound):
        keys.revoke_key(session, "nobody")


def test_revoking_twice_keeps_the_first_time(session: Session) -> None:
    keys.create_key(session, name="twice", role=Role.reader)
    first = keys.revoke_key(session, "twice").revoked_at

    assert keys.revoke_key(session, "twice").revoked_at == first


# Who may do what, and what the refused are told


def test_reads_are_open_and_writes_need_an_editor_key(client_as: ClientAs) -> None:
    anonymous, reader, editor = (client_as(who) for who in ("anonymous", "reader", "editor"))

    assert anonymous.get("/v1/actors").status_code == 200
    refused = anonymous.post("/v1/actors", json=NEW_ACTOR)
    assert_problem(refused, 401, MISSING)
    assert refused.headers["www-authenticate"] == CHALLENGE
    assert_problem(
        reader.post("/v1/actors", json=NEW_ACTOR),
        403,
        "This operation needs a key with the editor role; key 'test-reader' has the reader role.",
        required_role="editor",
        role="reader",
    )
    assert editor.post("/v1/actors", json=NEW_ACTOR).status_code == 201
    assert anonymous.get("/v1/actors/liz-truss").json()["name"] == "Liz Truss"


def test_each_refused_key_is_told_why(client_as: ClientAs, anonymous_client: TestClient) -> None:
    revoked, expired = client_as("revoked"), client_as("expired")
    answers = {
        "revoked": revoked.post("/v1/actors", json=NEW_ACTOR),
        "expired": expired.post("/v1/actors", json=NEW_ACTOR),
        "unknown": anonymous_client.post(
            "/v1/actors", json=NEW_ACTOR, headers=bearer("sdt_" + "a" * 52)
        ),
    }

    assert_problem(answers["revoked"], 401, "The API key has been revoked.")
    assert answers["expired"].json()["detail"].startswith("The API key expired at ")
    assert answers["expired"].json()["detail"].endswith("; ask an admin for a new one.")
    assert_problem(answers["unknown"], 401, "The API key is not recognised.")
    for answer in answers.values():
        assert answer.headers["www-authenticate"] == INVALID_TOKEN
        assert "test-" not in answer.text  # the key's name is never revealed


def test_a_dead_key_is_refused_even_where_no_key_is_needed(client_as: ClientAs) -> None:
    assert client_as("anonymous").get("/v1/actors").status_code == 200

    assert_problem(client_as("revoked").get("/v1/actors"), 401, "The API key has been revoked.")
    assert client_as("revoked").get("/healthz").status_code == 200


@pytest.mark.parametrize("parameter", ["api_key", "key", "access_token", "token", "API_KEY"])
def test_a_key_in_the_url_is_refused(client_as: ClientAs, parameter: str) -> None:
    for who in ("anonymous", "reader"):
        answer = client_as(who).get("/v1/actors", params={parameter: "sdt_secret"})

        assert_problem(
            answer,
            401,
            f"API keys are never accepted in the URL (`{parameter}=`): send the key in the "
            "`Authorization: Bearer KEY` header, and treat the one in the URL as exposed.",
        )


@pytest.mark.parametrize(
    ("authorization", "detail"),
    [
        (
            "Basic dXNlcjpwYXNz",
            "Only `Authorization: Bearer KEY` is accepted, not the 'Basic' scheme.",
        ),
        ("Token sdt_abc", "Only `Authorization: Bearer KEY` is accepted, not the 'Token' scheme."),
        ("sdt_abc", "Only `Authorization: Bearer KEY` is accepted, not the 'sdt_abc' scheme."),
        ("Bearer", "The `Authorization: Bearer` header carries no key."),
        ("Bearer   ", "The `Authorization: Bearer` header carries no key."),
    ],
)
def test_other_schemes_and_empty_bearers_are_refused(
    anonymous_client: TestClient, authorization: str, detail: str
) -> None:
    answer = anonymous_client.get("/v1/actors", headers={"Authorization": authorization})

    assert_problem(answer, 401, detail)


def test_the_scheme_name_is_case_insensitive(client_as: ClientAs, session: Session) -> None:
    _, secret = keys.create_key(session, name="shouty", role=Role.editor)

    answer = client_as("anonymous").post(
        "/v1/actors", json=NEW_ACTOR, headers={"Authorization": f"BEARER {secret}"}
    )

    assert answer.status_code == 201


def test_a_revocation_counts_from_the_very_next_request(client_as: ClientAs) -> None:
    editor, admin = client_as("editor"), client_as("admin")
    assert editor.post("/v1/actors", json=NEW_ACTOR).status_code == 201

    assert admin.delete("/v1/keys/test-editor").status_code == 204

    assert_problem(editor.get("/v1/actors"), 401, "The API key has been revoked.")


def test_a_key_that_expires_stops_working(client_as: ClientAs, session: Session) -> None:
    reader = client_as("reader")
    assert reader.get("/v1/actors").status_code == 200

    stored_key(session, "test-reader").expires_at = utcnow() - timedelta(seconds=1)
    session.commit()

    assert reader.get("/v1/actors").status_code == 401


@pytest.fixture
def read_key_required(app: FastAPI) -> None:
    app.dependency_overrides[get_settings] = lambda: Settings(require_read_key=True)


@pytest.mark.usefixtures("read_key_required")
def test_reads_can_require_a_reader_key(client_as: ClientAs) -> None:
    assert_problem(client_as("anonymous").get("/v1/actors"), 401, MISSING)
    assert client_as("reader").get("/v1/actors").status_code == 200
    assert client_as("anonymous").get("/healthz").status_code == 200
    assert client_as("anonymous").get("/openapi.json").status_code == 200


@pytest.fixture
def environment_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SANCTIONS_TRACKER_REQUIRE_READ_KEY", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.mark.usefixtures("environment_settings")
def test_the_read_rule_is_read_from_the_environment(anonymous_client: TestClient) -> None:
    assert get_settings().require_read_key is True
    assert anonymous_client.get("/v1/actors").status_code == 401


# The key's name on the write path


@pytest.fixture
def whoami(app: FastAPI) -> None:
    """A write route added for the test: it answers what the write path sees."""

    def who(request: Request, session: SessionDep) -> dict[str, Any]:
        identity = request.state.api_key
        return {
            "writer": session.info.get("writer"),
            "identity": [identity.name, identity.role.value],
        }

    app.add_api_route("/v1/test-whoami", who, methods=["POST"])


@pytest.mark.usefixtures("whoami")
def test_the_key_name_reaches_the_write_path(client_as: ClientAs) -> None:
    assert client_as("editor").post("/v1/test-whoami").json() == {
        "writer": "test-editor",
        "identity": ["test-editor", "editor"],
    }
    assert client_as("admin").post("/v1/test-whoami").json() == {
        "writer": "test-admin",
        "identity": ["test-admin", "admin"],
    }


def test_a_request_records_the_keys_use(client_as: ClientAs, session: Session) -> None:
    client_as("reader").get("/v1/actors")

    used = client_as("admin").get("/v1/keys/test-reader").json()["last_used_at"]

    assert used is not None
    assert stored_key(session, "test-reader").last_used_at is not None


# Caching


@pytest.mark.parametrize("path", ["/v1/actors/liz-truss", "/v1/actors", "/v1/export?format=x"])
def test_answers_to_keyed_requests_are_never_stored(
    client_as: ClientAs, session: Session, path: str
) -> None:
    make_actor(session, key="liz-truss", name="Liz Truss", country="GB")
    path = path.replace("?format=x", "")
    keyed = client_as("reader").get(path)

    assert (keyed.status_code, keyed.headers["cache-control"]) == (200, "no-store")
    assert client_as("anonymous").get(path).headers["cache-control"] == "no-cache"
    again = client_as("reader").get(path, headers={"If-None-Match": keyed.headers["etag"]})
    assert (again.status_code, again.headers["cache-control"]) == (304, "no-store")
    assert client_as("revoked").get(path).headers["cache-control"] == "no-store"


def test_a_streamed_file_for_a_key_is_never_stored(client_as: ClientAs, session: Session) -> None:
    make_actor(session, key="liz-truss", name="Liz Truss", country="GB")

    answer = client_as("reader").get("/v1/actors?format=csv")

    assert (answer.status_code, answer.headers["cache-control"]) == (200, "no-store")


# /v1/keys


def test_admins_manage_keys_over_http(client_as: ClientAs, session: Session) -> None:
    admin = client_as("admin")

    created = admin.post("/v1/keys", json={"name": "ci", "role": "editor", "expires_in_days": 30})

    assert created.status_code == 201
    body = created.json()
    secret = body.pop("key")
    assert created.headers["location"] == "http://testserver/v1/keys/ci"
    assert secret.startswith("sdt_")
    assert body["prefix"] == secret[:12]
    expires_at = stored_key(session, "ci").expires_at
    assert expires_at is not None
    assert timedelta(days=29, hours=23) < expires_at - utcnow() <= timedelta(days=30)
    metadata = {
        "name": "ci",
        "role": "editor",
        "prefix": secret[:12],
        "status": "active",
        "created_at": body["created_at"],
        "last_used_at": None,
        "expires_at": body["expires_at"],
        "revoked_at": None,
    }
    assert body == metadata
    # The new key works at once.
    assert (
        client_as("anonymous")
        .post("/v1/actors", json=NEW_ACTOR, headers=bearer(secret))
        .status_code
        == 201
    )

    listed = admin.get("/v1/keys")
    assert listed.status_code == 200
    assert [item["name"] for item in listed.json()["items"]] == ["ci", "test-admin"]
    assert listed.json()["total"] == 2
    assert listed.json()["next_cursor"] is None
    assert secret.removeprefix("sdt_")[8:] not in listed.text
    assert "key" not in listed.json()["items"][0]
    one = admin.get("/v1/keys/ci").json()
    assert one["last_used_at"] is not None
    assert one | {"last_used_at": None} == metadata

    assert admin.delete("/v1/keys/ci").status_code == 204
    revoked = admin.get("/v1/keys/ci").json()
    assert (revoked["status"], revoked["revoked_at"] is not None) == ("revoked", True)
    assert admin.delete("/v1/keys/ci").status_code == 204  # idempotent, first time kept
    assert admin.get("/v1/keys/ci").json()["revoked_at"] == revoked["revoked_at"]
    assert client_as("anonymous").get("/v1/actors", headers=bearer(secret)).status_code == 401


def test_key_management_errors(client: TestClient) -> None:
    assert client.post("/v1/keys", json={"name": "dup", "role": "reader"}).status_code == 201

    duplicate = client.post("/v1/keys", json={"name": "dup", "role": "admin"})
    assert (duplicate.status_code, duplicate.json()["detail"]) == (
        409,
        "An API key named 'dup' already exists; key names are never reused.",
    )
    missing = client.get("/v1/keys/nobody")
    assert (missing.status_code, missing.json()["detail"]) == (404, "No API key named 'nobody'.")
    assert client.delete("/v1/keys/nobody").status_code == 404
    for body, pointer in [
        ({"name": "Bad Name", "role": "reader"}, "/name"),
        ({"name": "", "role": "reader"}, "/name"),
        ({"name": "x" * 101, "role": "reader"}, "/name"),
        ({"name": "ok", "role": "owner"}, "/role"),
        ({"name": "ok", "role": "reader", "expires_in_days": 0}, "/expires_in_days"),
        ({"name": "ok", "role": "reader", "expires_in_days": 1.5}, "/expires_in_days"),
        ({"name": "ok", "role": "reader", "key": "sdt_mine"}, "/key"),
        ({"name": "ok", "role": "reader", "created_at": "2022-01-01T00:00:00Z"}, "/created_at"),
    ]:
        answer = client.post("/v1/keys", json=body)
        assert answer.status_code == 422, body
        assert [error["pointer"] for error in answer.json()["errors"]] == [pointer], body
    assert [item["name"] for item in client.get("/v1/keys").json()["items"]] == [
        "dup",
        "test-admin",
    ]


def test_only_admins_manage_keys(client_as: ClientAs) -> None:
    for who, status in [("anonymous", 401), ("reader", 403), ("editor", 403), ("expired", 401)]:
        client = client_as(who)
        assert client.get("/v1/keys").status_code == status, who
        assert client.post("/v1/keys", json={"name": "x", "role": "admin"}).status_code == status
        assert client.delete("/v1/keys/test-admin").status_code == status, who
    assert client_as("admin").get("/v1/keys/test-admin").json()["status"] == "active"


# OpenAPI


def test_the_bearer_scheme_and_each_operations_needs_are_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]

    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "security" not in paths["/healthz"]["get"]
    read, write, admin = paths["/v1/actors"]["get"], paths["/v1/actors"]["post"], paths["/v1/keys"]["post"]  # fmt: skip
    assert read["security"] == [{}, {"bearerAuth": []}]
    assert write["security"] == admin["security"] == [{"bearerAuth": []}]
    assert "401" in read["responses"]
    assert "403" not in read["responses"]
    assert write["description"].endswith("Needs an API key with the `editor` role.")
    assert admin["description"].endswith("Needs an API key with the `admin` role.")
    for operation in (write, admin):
        for status, slug in (("401", "unauthorized"), ("403", "forbidden")):
            content = operation["responses"][status]["content"][PROBLEM]
            assert content["example"]["type"] == f"/problems/{slug}"


def test_the_problem_types_are_described(anonymous_client: TestClient) -> None:
    for slug in ("unauthorized", "forbidden"):
        assert anonymous_client.get(f"/problems/{slug}").status_code == 200


# The command line, as a user runs it


@pytest.fixture
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    databases = blank_database(backend, str(tmp_path_factory.mktemp("keys-cli")))
    yield next(databases)
    next(databases, None)


@pytest.fixture
def run(run_command: RunCommand) -> Callable[..., CommandResult]:
    """`run(database_url, "list")`: `sanctions-tracker keys list` (in-process, see `run_command`)."""
    return lambda database_url, *args: run_command(database_url, "keys", *args)


def identity_of(database_url: str, secret: str) -> keys.Identity:
    engine = build_engine(database_url)
    try:
        with Session(engine) as session:
            return keys.authenticate(session, secret)
    finally:
        engine.dispose()


def test_keys_on_the_command_line(
    database_url: str, run: Callable[..., CommandResult], run_command: RunCommand
) -> None:
    not_migrated = run(database_url, "list")
    assert not_migrated.returncode == 1
    assert "run `sanctions-tracker db upgrade` first" in not_migrated.stderr
    assert run_command(database_url, "db", "upgrade").returncode == 0

    created = run(database_url, "create", "--role", "admin", "--name", "me")
    expiring = run(database_url, "create", "--role", "editor", "--name", "ci", "--expires-in", "7")

    assert created.returncode == expiring.returncode == 0
    secret = created.stdout.splitlines()[-1]
    assert secret.startswith("sdt_")
    assert len(secret) == 56
    assert identity_of(database_url, secret) == keys.Identity("me", Role.admin)
    assert "expires never" in created.stdout
    listed = run(database_url, "list")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert lines[0].split() == [
        "name", "role", "prefix", "status", "created", "last", "used", "expires", "revoked"
    ]  # fmt: skip
    assert [line.split()[:4] for line in lines[1:]] == [
        ["ci", "editor", expiring.stdout.splitlines()[-1][:12], "active"],
        ["me", "admin", secret[:12], "active"],
    ]
    assert secret[12:] not in listed.stdout

    revoked = run(database_url, "revoke", "me")
    assert revoked.returncode == 0
    with pytest.raises(Unauthorized):
        identity_of(database_url, secret)
    assert run(database_url, "list").stdout.splitlines()[2].split()[3] == "revoked"


def test_key_command_errors(
    database_url: str, run: Callable[..., CommandResult], run_command: RunCommand
) -> None:
    assert run_command(database_url, "db", "upgrade").returncode == 0
    assert run(database_url, "create", "--role", "reader", "--name", "taken").returncode == 0

    duplicate = run(database_url, "create", "--role", "reader", "--name", "taken")
    unknown = run(database_url, "revoke", "nobody")
    bad_name = run(database_url, "create", "--role", "reader", "--name", "Not Valid")
    bad_role = run(database_url, "create", "--role", "owner", "--name", "ok")
    bad_days = run(database_url, "create", "--role", "reader", "--name", "ok", "--expires-in", "0")

    assert (duplicate.returncode, duplicate.stdout) == (1, "")
    assert "An API key named 'taken' already exists" in duplicate.stderr
    assert (unknown.returncode, unknown.stderr.strip()) == (1, "No API key named 'nobody'.")
    for usage_error in (bad_name, bad_role, bad_days):
        assert usage_error.returncode == 2
        assert usage_error.stdout == ""
    assert "is not a valid key name" in bad_name.stderr
