"""Safe concurrent edits: a record's GET answers `ETag: "{version}-{digest}"`; PATCH and DELETE
honour `If-Match` (strongly compared, `*` for any version), refuse a stale tag with 412 and
change nothing, and answer 428 without one when the server requires it."""

import hashlib
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sanctions_tracker.config import Settings, get_settings
from tests.factories import make_actor, make_engagement

TRUSS = "/v1/actors/liz-truss"
CALL = "/v1/engagements/2022-04-01-blinken-truss-call"


@pytest.fixture
def records(session: Session) -> None:
    make_actor(session, key="liz-truss", name="Liz Truss", country="GB")
    make_actor(session, key="antony-blinken", name="Antony Blinken", country="US")
    make_engagement(
        session,
        key="2022-04-01-blinken-truss-call",
        participants=[
            {"actor": "antony-blinken", "role": "principal"},
            {"actor": "liz-truss", "role": "counterpart"},
        ],
    )


def expected_tag(answer: httpx.Response) -> str:
    """The tag the API promises, computed from the answer itself."""
    digest = hashlib.sha256(answer.content).hexdigest()[:16]
    return f'"{answer.json()["version"]}-{digest}"'


def read(client: TestClient, path: str) -> tuple[dict[str, Any], str]:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    return answer.json(), answer.headers["etag"]


def history(client: TestClient, path: str) -> list[dict[str, Any]]:
    answer = client.get(f"{path}/history")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def assert_precondition_failed(answer: httpx.Response, sent: str, current: str) -> None:
    assert answer.status_code == 412
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {
        "type": "/problems/precondition-failed",
        "title": "Precondition failed",
        "status": 412,
        "detail": f"The record has changed since it was read: its ETag is now {current}, not "
        f"{sent}. Nothing was written; GET it again, reapply the change and retry with the "
        "new ETag.",
        "instance": f"{answer.request.url.path}#request={answer.headers['x-request-id']}",
    }


@pytest.mark.usefixtures("records")
@pytest.mark.parametrize(
    ("collection", "record"),
    [
        ("actors", None),
        ("engagements", None),
        ("sectors", {"key": "energy", "name": "Energy"}),
        ("sources", {"key": "readout", "title": "Readout", "published_on": "2022-04-01"}),
        ("organizations", {"key": "nato", "name": "NATO"}),
        ("sanctions-rounds", {"key": "us-oil-ban", "title": "Oil ban", "imposed_by": ["US"],
                              "targets": ["RU"], "announced_on": "2022-03-08"}),
    ],
)  # fmt: skip
def test_a_single_record_get_answers_its_version_and_digest_as_etag(
    client: TestClient, collection: str, record: dict[str, Any] | None
) -> None:
    if record is not None:
        assert client.post(f"/v1/{collection}", json=record).status_code == 201
    first = client.get(f"/v1/{collection}").json()["items"][0]

    for ref in (first["key"], first["id"]):
        answer = client.get(f"/v1/{collection}/{ref}")

        assert answer.status_code == 200
        assert answer.headers["etag"] == expected_tag(answer)
        assert answer.json()["version"] == 1
        again = client.get(f"/v1/{collection}/{ref}", headers={"If-None-Match": answer.headers["etag"]})  # fmt: skip
        assert again.status_code == 304


@pytest.mark.usefixtures("records")
def test_a_fresh_tag_lets_the_patch_through_and_its_answer_carries_the_next_tag(
    client: TestClient,
) -> None:
    _, tag = read(client, TRUSS)

    answer = client.patch(TRUSS, json={"name": "Elizabeth Truss"}, headers={"If-Match": tag})

    assert answer.status_code == 200
    assert answer.json()["version"] == 2
    assert answer.headers["etag"] == expected_tag(answer)
    assert answer.headers["etag"] != tag
    body, next_tag = read(client, TRUSS)
    assert (body, next_tag) == (answer.json(), answer.headers["etag"])


@pytest.mark.usefixtures("records")
def test_an_engagement_patch_answers_the_tag_its_get_answers(client: TestClient) -> None:
    _, tag = read(client, CALL)

    answer = client.patch(CALL, json={"status": "planned"}, headers={"If-Match": tag})

    assert answer.status_code == 200
    assert read(client, CALL)[1] == answer.headers["etag"]


@pytest.mark.usefixtures("records")
def test_a_stale_tag_is_412_and_changes_nothing(client: TestClient) -> None:
    _, stale = read(client, TRUSS)
    assert client.patch(TRUSS, json={"name": "Elizabeth Truss"}).status_code == 200
    body, current = read(client, TRUSS)
    versions = history(client, TRUSS)

    patched = client.patch(TRUSS, json={"country": "US"}, headers={"If-Match": stale})
    deleted = client.delete(TRUSS, headers={"If-Match": stale})

    assert_precondition_failed(patched, stale, current)
    assert_precondition_failed(deleted, stale, current)
    assert read(client, TRUSS) == (body, current)
    assert history(client, TRUSS) == versions


@pytest.mark.usefixtures("records")
def test_a_weak_tag_never_matches(client: TestClient) -> None:
    _, tag = read(client, TRUSS)

    answer = client.patch(TRUSS, json={"country": "US"}, headers={"If-Match": f"W/{tag}"})

    assert_precondition_failed(answer, f"W/{tag}", tag)


@pytest.mark.usefixtures("records")
def test_any_listed_tag_or_a_star_matches(client: TestClient) -> None:
    _, tag = read(client, TRUSS)

    listed = client.patch(TRUSS, json={"country": "US"}, headers={"If-Match": f'"1-0", {tag}'})
    star = client.patch(TRUSS, json={"country": "FR"}, headers={"If-Match": "*"})
    deleted = client.delete("/v1/actors/antony-blinken", headers={"If-Match": "*"})

    assert (listed.status_code, star.status_code) == (200, 200)
    assert star.json()["version"] == 3
    assert deleted.status_code == 409  # still a participant: the precondition held, the rule not


@pytest.mark.usefixtures("records")
def test_a_star_does_not_conjure_a_missing_record(client: TestClient) -> None:
    answer = client.patch("/v1/actors/nobody", json={"name": "X"}, headers={"If-Match": "*"})

    assert answer.status_code == 404


@pytest.mark.usefixtures("records")
def test_delete_with_a_fresh_tag_deletes(client: TestClient) -> None:
    client.delete(CALL)
    _, tag = read(client, TRUSS)

    answer = client.delete(TRUSS, headers={"If-Match": tag})

    assert answer.status_code == 204
    assert client.get(TRUSS).status_code == 404


@pytest.mark.usefixtures("records")
def test_renaming_an_actor_makes_the_engagement_tag_stale_without_a_new_version(
    client: TestClient,
) -> None:
    call, tag = read(client, CALL)

    client.patch(TRUSS, json={"name": "Elizabeth Truss"})

    renamed, new_tag = read(client, CALL)
    assert renamed["version"] == call["version"] == 1
    assert new_tag != tag
    assert new_tag.startswith('"1-')
    answer = client.patch(CALL, json={"status": "planned"}, headers={"If-Match": tag})
    assert_precondition_failed(answer, tag, new_tag)


@pytest.mark.usefixtures("records")
def test_a_patch_that_changes_nothing_keeps_the_tag(client: TestClient) -> None:
    _, tag = read(client, TRUSS)

    answer = client.patch(TRUSS, json={"name": "Liz Truss"}, headers={"If-Match": tag})

    assert (answer.status_code, answer.headers["etag"]) == (200, tag)


@pytest.fixture
def if_match_required(app: FastAPI) -> None:
    app.dependency_overrides[get_settings] = lambda: Settings(require_if_match=True)


@pytest.mark.usefixtures("records", "if_match_required")
def test_with_the_setting_a_write_without_if_match_is_428(client: TestClient) -> None:
    body, tag = read(client, TRUSS)

    patched = client.patch(TRUSS, json={"name": "Elizabeth Truss"})
    deleted = client.delete(TRUSS)

    for answer in (patched, deleted):
        assert answer.status_code == 428
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json() == {
            "type": "/problems/precondition-required",
            "title": "Precondition required",
            "status": 428,
            "detail": "This server requires If-Match on every PATCH and DELETE: GET the record "
            "and send its ETag back in If-Match.",
            "instance": f"{TRUSS}#request={answer.headers['x-request-id']}",
        }
    assert read(client, TRUSS) == (body, tag)
    with_tag = client.patch(TRUSS, json={"name": "Elizabeth Truss"}, headers={"If-Match": tag})
    assert with_tag.status_code == 200
    created = client.post("/v1/actors", json={"key": "wally-adeyemo", "name": "Wally Adeyemo"})
    assert created.status_code == 201


def test_the_problem_types_are_documented(client: TestClient) -> None:
    for slug in ("precondition-failed", "precondition-required"):
        answer = client.get(f"/problems/{slug}")
        assert answer.status_code == 200
        assert answer.json()["type"] == f"/problems/{slug}"


def test_openapi_documents_if_match_412_and_428_on_every_patch_and_delete(
    client: TestClient,
) -> None:
    spec = client.get("/openapi.json").json()

    for collection in ("engagements", "sanctions-rounds", "actors", "organizations", "sectors",
                       "sources"):  # fmt: skip
        for method in ("patch", "delete"):
            operation = spec["paths"][f"/v1/{collection}/{{ref}}"][method]
            where = f"{method} {collection}"
            assert "If-Match" in [p["name"].title() for p in operation["parameters"]], where
            for status in ("412", "428"):
                example = operation["responses"][status]["content"]["application/problem+json"]
                assert example["example"]["status"] == int(status), where
