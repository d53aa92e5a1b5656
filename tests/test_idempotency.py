"""`Idempotency-Key` on POST: a retry replays the first answer without a second write, the same key
with another request is a 422, a retry while the first still runs a 409; and 20 concurrent
identical POSTs against a real server create exactly one record."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sanctions_tracker import crud
from sanctions_tracker.auth import service as keys
from sanctions_tracker.config import Settings, get_settings
from sanctions_tracker.idempotency import ABANDONED_AFTER
from sanctions_tracker.models import Actor, IdempotentRequest
from sanctions_tracker.models.base import utcnow
from sanctions_tracker.models.trust import Change, Role
from sanctions_tracker.problems import PROBLEM_MEDIA_TYPE, ProblemError
from tests.servers import committed_store, serving, serving_app

TRUSS = {"key": "liz-truss", "name": "Liz Truss", "country": "GB"}
KULEBA = {"key": "dmytro-kuleba", "name": "Dmytro Kuleba", "country": "UA"}
BUNDLE = {"format": "sanctions-tracker-bundle/1", "sectors": [{"key": "energy", "name": "Energy"}]}
KEY = "8e03978e-40d5-43e8-bc93-6894a57f9324"


def editor_key(session: Session) -> dict[str, str]:
    """Headers with a new editor key, made in `session`'s transaction."""
    _, secret = keys.create_key(session, name=f"editor-{uuid.uuid4().hex[:8]}", role=Role.editor)
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def editor(session: Session) -> dict[str, str]:
    return editor_key(session)


def post(
    client: TestClient, path: str, body: Any, headers: dict[str, str], key: str | None = KEY
) -> httpx.Response:
    extra = {"Idempotency-Key": key} if key is not None else {}
    return client.post(path, json=body, headers=headers | extra)


def actor_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Actor)) or 0


def change_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Change)) or 0


def stored(session: Session, key: str = KEY) -> list[IdempotentRequest]:
    query = select(IdempotentRequest).where(IdempotentRequest.idempotency_key == key)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def set_stored(session: Session, key: str = KEY, **values: Any) -> None:
    table = IdempotentRequest
    session.execute(update(table).where(table.idempotency_key == key).values(**values))
    session.commit()


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{slug}"
    assert body["status"] == status
    return body


def test_a_retry_replays_the_first_answer_without_writing_again(
    client: TestClient, session: Session, editor: dict[str, str]
) -> None:
    first = post(client, "/v1/actors", TRUSS, editor)
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    writes = change_count(session)

    retry = post(client, "/v1/actors", TRUSS, editor)

    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.content == first.content
    for header in ("content-type", "content-length", "location"):
        assert retry.headers[header] == first.headers[header]
    assert actor_count(session) == 1
    assert change_count(session) == writes
    assert client.get("/v1/actors").json()["total"] == 1
    [row] = stored(session)
    assert (row.state, row.status_code, row.method, row.path) == ("done", 201, "POST", "/v1/actors")
    assert timedelta(hours=23, minutes=59) < row.expires_at - utcnow() <= timedelta(hours=24)


def test_answers_are_kept_as_long_as_the_setting_says(
    app: FastAPI, session: Session, editor: dict[str, str]
) -> None:
    app.dependency_overrides[get_settings] = lambda: Settings(idempotency_ttl_hours=48)
    with TestClient(app) as client:
        assert post(client, "/v1/actors", TRUSS, editor).status_code == 201
    [row] = stored(session)
    assert timedelta(hours=47, minutes=59) < row.expires_at - utcnow() <= timedelta(hours=48)


def test_without_a_key_every_post_runs(
    client: TestClient, session: Session, editor: dict[str, str]
) -> None:
    assert post(client, "/v1/actors", TRUSS, editor, key=None).status_code == 201
    assert_problem(post(client, "/v1/actors", TRUSS, editor, key=None), 409, "conflict")
    assert session.scalar(select(func.count()).select_from(IdempotentRequest)) == 0


def test_an_import_with_a_key_replays_its_counts_without_writing(
    client: TestClient, session: Session, editor: dict[str, str]
) -> None:
    first = post(client, "/v1/import", BUNDLE, editor)
    assert first.status_code == 200
    assert first.json()["sectors"] == {"created": 1, "updated": 0, "unchanged": 0}
    writes = change_count(session)

    retry = post(client, "/v1/import", BUNDLE, editor)

    assert retry.status_code == 200
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()  # created, not "unchanged": the import did not run again
    assert change_count(session) == writes
    again = post(client, "/v1/import", BUNDLE, editor, key=str(uuid.uuid4()))
    assert again.json()["sectors"] == {"created": 0, "updated": 0, "unchanged": 1}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/actors", KULEBA),  # another body
        ("/v1/actors?dry_run=true", TRUSS),  # another query string
        ("/v1/import", BUNDLE),  # another path
    ],
)
def test_the_same_key_with_another_request_is_a_422_and_writes_nothing(
    client: TestClient, session: Session, editor: dict[str, str], path: str, body: Any
) -> None:
    assert post(client, "/v1/actors", TRUSS, editor).status_code == 201
    writes = change_count(session)

    refused = post(client, path, body, editor)
    problem = assert_problem(refused, 422, "idempotency-key-reused")

    assert "Idempotency-Key" in problem["detail"]
    assert problem["instance"] == (
        f"{path.partition('?')[0]}#request={refused.headers['x-request-id']}"
    )
    assert actor_count(session) == 1
    assert change_count(session) == writes
    assert client.get("/problems/idempotency-key-reused").status_code == 200


def test_a_retry_while_the_first_request_runs_is_a_409_with_retry_after(
    client: TestClient, session: Session, editor: dict[str, str]
) -> None:
    assert post(client, "/v1/actors", TRUSS, editor).status_code == 201
    # As if the first request were still being processed.
    set_stored(session, state="running", status_code=None, response_body=None)

    answer = post(client, "/v1/actors", TRUSS, editor)

    assert_problem(answer, 409, "idempotency-key-in-use")
    assert answer.headers["retry-after"] == "1"
    assert actor_count(session) == 1
    # Another request under a running key is still told apart from a retry.
    assert_problem(post(client, "/v1/actors", KULEBA, editor), 422, "idempotency-key-reused")


def test_a_request_abandoned_while_running_is_taken_over(
    client: TestClient, session: Session, editor: dict[str, str]
) -> None:
    assert post(client, "/v1/actors", TRUSS, editor).status_code == 201
    set_stored(session, state="running", created_at=utcnow() - ABANDONED_AFTER)
    assert client.delete("/v1/actors/liz-truss", headers=editor).status_code == 204

    answer = post(client, "/v1/actors", TRUSS, editor)

    assert answer.status_code == 201
    assert "idempotent-replayed" not in answer.headers
    assert actor_count(session) == 1
    assert [row.state for row in stored(session)] == ["done"]


def test_an_expired_key_runs_again_and_expired_keys_are_purged(
    client: TestClient, session: Session, editor: dict[str, str]
) -> None:
    assert post(client, "/v1/actors", TRUSS, editor).status_code == 201
    assert post(client, "/v1/actors", KULEBA, editor, key="kuleba").status_code == 201
    [old] = stored(session)
    set_stored(session, expires_at=utcnow() - timedelta(seconds=1))
    set_stored(session, key="kuleba", expires_at=utcnow() - timedelta(seconds=1))
    assert client.delete("/v1/actors/liz-truss", headers=editor).status_code == 204

    answer = post(client, "/v1/actors", TRUSS, editor)

    assert answer.status_code == 201
    assert "idempotent-replayed" not in answer.headers
    [new] = stored(session)
    assert new.id != old.id
    assert new.expires_at > utcnow() + timedelta(hours=23)
    assert stored(session, "kuleba") == []  # purged on the way


class Unavailable(ProblemError):
    status = 503
    slug = "service-unavailable"
    title = "Service unavailable"


class Forbidden(ProblemError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"


@pytest.mark.parametrize("failure", [Unavailable, Forbidden])
def test_a_5xx_or_an_answer_that_depends_on_more_than_the_request_is_not_kept(
    client: TestClient,
    session: Session,
    editor: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    failure: type[ProblemError],
) -> None:
    def refuse(*_args: Any) -> None:
        raise failure("Not now.")

    monkeypatch.setattr(crud, "create", refuse)
    assert_problem(post(client, "/v1/actors", TRUSS, editor), failure.status, failure.slug)
    assert stored(session) == []

    monkeypatch.undo()
    answer = post(client, "/v1/actors", TRUSS, editor)
    assert answer.status_code == 201
    assert "idempotent-replayed" not in answer.headers


def test_an_exception_in_the_app_leaves_no_trace_and_the_retry_runs(
    client: TestClient, session: Session, editor: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*_args: Any) -> None:
        raise RuntimeError("the worker fell over")

    monkeypatch.setattr(crud, "create", crash)
    with pytest.raises(RuntimeError):  # the test client re-raises what the server logs as a 500
        post(client, "/v1/actors", TRUSS, editor)
    assert stored(session) == []

    monkeypatch.undo()
    assert post(client, "/v1/actors", TRUSS, editor).status_code == 201
    assert actor_count(session) == 1


def test_client_errors_that_follow_from_the_request_are_replayed(
    client: TestClient, session: Session, editor: dict[str, str]
) -> None:
    invalid = TRUSS | {"country": "UK"}
    first = post(client, "/v1/actors", invalid, editor)
    assert_problem(first, 422, "validation-error")

    retry = post(client, "/v1/actors", invalid, editor)

    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.content == first.content
    # The corrected request is a new request: it needs a new key.
    assert_problem(post(client, "/v1/actors", TRUSS, editor), 422, "idempotency-key-reused")
    assert post(client, "/v1/actors", TRUSS, editor, key=str(uuid.uuid4())).status_code == 201


def test_the_same_key_from_two_api_keys_never_collides(
    client: TestClient, session: Session, editor: dict[str, str]
) -> None:
    other = editor_key(session)
    assert post(client, "/v1/actors", TRUSS, editor).status_code == 201

    answer = post(client, "/v1/actors", KULEBA, other)

    assert answer.status_code == 201
    assert "idempotent-replayed" not in answer.headers
    assert actor_count(session) == 2
    assert len({row.owner for row in stored(session)}) == 2


def test_the_owner_is_a_digest_of_the_bearer_token(
    client: TestClient, session: Session, editor: dict[str, str]
) -> None:
    assert post(client, "/v1/actors", TRUSS, editor).status_code == 201
    [row] = stored(session)
    assert len(row.owner) == 64
    assert editor["Authorization"].removeprefix("Bearer ") not in row.owner


@pytest.mark.parametrize(
    "value",
    ["", "   ", "k" * 256, " leading-space", "tab\tinside", "line-end\n", b"cl\xc3\xa9"],
    ids=["empty", "blank", "too-long", "leading-space", "tab", "line-feed", "non-ascii"],
)
def test_a_malformed_key_is_a_400_and_nothing_runs(
    client: TestClient, session: Session, editor: dict[str, str], value: str | bytes
) -> None:
    answer = client.post(
        "/v1/actors", json=TRUSS, headers=[*editor.items(), ("Idempotency-Key", value)]
    )

    problem = assert_problem(answer, 400, "bad-request")
    assert problem["errors"][0]["pointer"] == "/Idempotency-Key"
    assert problem["errors"][0]["location"] == "header"
    assert actor_count(session) == 0


def test_two_keys_in_one_request_are_a_400(
    client: TestClient, session: Session, editor: dict[str, str]
) -> None:
    headers = [*editor.items(), ("Idempotency-Key", "a"), ("Idempotency-Key", "b")]
    assert_problem(client.post("/v1/actors", json=TRUSS, headers=headers), 400, "bad-request")
    assert actor_count(session) == 0


@pytest.mark.parametrize("value", ["k" * 255, f'"{KEY}"', "with inner spaces"])
def test_keys_of_up_to_255_visible_characters_are_accepted(
    client: TestClient, session: Session, editor: dict[str, str], value: str
) -> None:
    assert post(client, "/v1/actors", TRUSS, editor, key=value).status_code == 201
    replay = post(client, "/v1/actors", TRUSS, editor, key=value)
    assert replay.headers["idempotent-replayed"] == "true"
    assert [row.idempotency_key for row in stored(session, value)] == [value]


def test_reads_ignore_the_key(client: TestClient, session: Session) -> None:
    assert client.get("/v1/actors", headers={"Idempotency-Key": ""}).status_code == 200
    assert session.scalar(select(func.count()).select_from(IdempotentRequest)) == 0


def test_every_post_documents_the_header_but_key_creation(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    posts = {path: item["post"] for path, item in schema["paths"].items() if "post" in item}
    assert {"/v1/actors", "/v1/engagements", "/v1/import"} <= set(posts)
    for path, operation in posts.items():
        names = [parameter["name"] for parameter in operation.get("parameters", [])]
        assert names.count("Idempotency-Key") == (0 if path.startswith("/v1/keys") else 1), path
        if path != "/v1/keys":
            assert {"400", "409", "422"} <= set(operation["responses"]), path


# The proof: a real server, real connections, a committed database of each kind.


CONCURRENT = 20


def test_twenty_concurrent_identical_posts_create_exactly_one_record(
    backend: str, tmp_path: Any
) -> None:
    with committed_store(backend, str(tmp_path)) as sessions:
        with sessions() as session:
            headers = editor_key(session) | {"Idempotency-Key": KEY}
        app = serving_app(sessions)
        start = threading.Barrier(CONCURRENT)

        def send(url: str) -> httpx.Response:
            with httpx.Client(timeout=30) as http:
                start.wait()
                return http.post(f"{url}/v1/actors", json=TRUSS, headers=headers)

        with serving(app) as url, ThreadPoolExecutor(CONCURRENT) as pool:
            answers = list(pool.map(send, [url] * CONCURRENT))
            with httpx.Client(timeout=30) as http:
                late = http.post(f"{url}/v1/actors", json=TRUSS, headers=headers)
                listed = http.get(f"{url}/v1/actors").json()

        created = [answer for answer in answers if answer.status_code == 201]
        refused = [answer for answer in answers if answer.status_code != 201]
        ran = [answer for answer in created if "idempotent-replayed" not in answer.headers]
        assert len(ran) == 1
        assert all(answer.content == ran[0].content for answer in created)
        for answer in refused:  # only "still running", never a second attempt's "key taken"
            assert_problem(answer, 409, "idempotency-key-in-use")
        assert late.status_code == 201
        assert late.headers["idempotent-replayed"] == "true"
        assert late.content == ran[0].content
        assert [item["key"] for item in listed["items"]] == ["liz-truss"]
        with sessions() as session:
            assert actor_count(session) == 1
            assert [row.state for row in stored(session)] == ["done"]


def test_a_refused_key_is_not_remembered(
    client: TestClient, anonymous_client: TestClient, session: Session, editor: dict[str, str]
) -> None:
    assert_problem(post(anonymous_client, "/v1/actors", TRUSS, {}), 401, "unauthorized")
    unknown = {"Authorization": "Bearer sdt_unknown"}
    assert_problem(post(client, "/v1/actors", TRUSS, unknown), 401, "unauthorized")
    assert session.scalar(select(func.count()).select_from(IdempotentRequest)) == 0
    assert post(client, "/v1/actors", TRUSS, editor).status_code == 201


def test_a_revoked_key_gets_a_401_not_the_stored_answer(
    client: TestClient, session: Session
) -> None:
    key, secret = keys.create_key(session, name="editor-to-revoke", role=Role.editor)
    session.commit()
    editor = {"Authorization": f"Bearer {secret}"}
    assert post(client, "/v1/actors", TRUSS, editor).status_code == 201
    keys.revoke_key(session, key.name)
    session.commit()

    assert_problem(post(client, "/v1/actors", TRUSS, editor), 401, "unauthorized")
    assert_problem(post(client, "/v1/actors", KULEBA, editor), 401, "unauthorized")


def test_a_new_api_keys_secret_is_never_stored(client: TestClient, session: Session) -> None:
    body = {"name": "mirror", "role": "reader"}

    assert post(client, "/v1/keys", body, {}).status_code == 201  # `client` holds an admin key
    assert_problem(post(client, "/v1/keys", body, {}), 409, "conflict")  # ran again: no replay
    assert session.scalar(select(func.count()).select_from(IdempotentRequest)) == 0
