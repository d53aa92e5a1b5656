"""Conditional GETs: every read carries an ETag, a matching If-None-Match is a bodiless 304, and a
write changes the tags of exactly the answers whose content it changes."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_actor, make_engagement

TRUSS = "/v1/actors/liz-truss"
BLINKEN = "/v1/actors/antony-blinken"


@pytest.fixture
def actors(session: Session) -> None:
    make_actor(session, key="antony-blinken", name="Antony Blinken", country="US")
    make_actor(session, key="liz-truss", name="Liz Truss", country="GB")


def etag(client: TestClient, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200
    return answer.headers["etag"]


@pytest.mark.usefixtures("actors")
@pytest.mark.parametrize(
    "path", [TRUSS, "/v1/actors", "/v1/countries/GB", "/v1/export", "/openapi.json", "/healthz"]
)
def test_every_read_carries_a_strong_etag_and_asks_to_revalidate(
    anonymous_client: TestClient, path: str
) -> None:
    """Anonymous reads may be cached and revalidated; keyed answers are `no-store`."""
    client = anonymous_client
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer.headers["etag"][0] == answer.headers["etag"][-1] == '"'
    assert answer.headers["cache-control"] == "no-cache"
    assert client.get(path).headers["etag"] == answer.headers["etag"]


@pytest.mark.usefixtures("actors")
def test_a_matching_if_none_match_is_a_304_without_a_body(client: TestClient) -> None:
    tag = etag(client, TRUSS)
    for header in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        answer = client.get(TRUSS, headers={"If-None-Match": header})
        assert answer.status_code == 304, header
        assert answer.content == b""
        assert answer.headers["etag"] == tag
        assert "content-type" not in answer.headers
        assert "content-length" not in answer.headers or answer.headers["content-length"] == "0"


@pytest.mark.usefixtures("actors")
def test_a_stale_tag_gets_the_full_answer(client: TestClient) -> None:
    answer = client.get(TRUSS, headers={"If-None-Match": '"stale"'})
    assert answer.status_code == 200
    assert answer.json()["key"] == "liz-truss"


@pytest.mark.usefixtures("actors")
def test_a_write_changes_the_tags_it_affects_and_no_others(client: TestClient) -> None:
    truss, blinken, actors = etag(client, TRUSS), etag(client, BLINKEN), etag(client, "/v1/actors")
    countries = etag(client, "/v1/countries")

    assert client.patch(TRUSS, json={"name": "Elizabeth Truss"}).status_code == 200

    assert etag(client, TRUSS) != truss
    assert etag(client, "/v1/actors") != actors
    assert etag(client, BLINKEN) == blinken
    assert etag(client, "/v1/countries") == countries
    assert client.get(BLINKEN, headers={"If-None-Match": blinken}).status_code == 304


@pytest.mark.usefixtures("actors")
def test_a_renamed_actor_changes_the_tag_of_the_engagement_naming_it(
    client: TestClient, session: Session
) -> None:
    make_engagement(
        session,
        key="2022-04-01-blinken-truss-call",
        participants=[{"actor": "liz-truss", "role": "counterpart"}],
    )
    path = "/v1/engagements/2022-04-01-blinken-truss-call"
    before = etag(client, path)
    client.patch(TRUSS, json={"name": "Elizabeth Truss"})
    assert etag(client, path) != before


@pytest.mark.usefixtures("actors")
def test_a_write_that_changes_nothing_keeps_the_tag(client: TestClient) -> None:
    before = etag(client, TRUSS)
    assert client.patch(TRUSS, json={"name": "Liz Truss"}).status_code == 200
    assert etag(client, TRUSS) == before


def test_errors_and_writes_carry_no_etag(client: TestClient) -> None:
    missing = client.get("/v1/actors/nobody", headers={"If-None-Match": "*"})
    assert missing.status_code == 404
    assert "etag" not in missing.headers
    created = client.post("/v1/actors", json={"key": "liz-truss", "name": "Liz Truss"})
    assert created.status_code == 201
    assert "etag" not in created.headers


def test_a_streamed_file_is_tagged_before_it_starts(
    client: TestClient, anonymous_client: TestClient, session: Session
) -> None:
    make_actor(session, key="liz-truss", name="Liz Truss", country="GB")
    make_actor(session, key="wally-adeyemo", name="Wally Adeyemo", country="US")
    make_engagement(session, key="call", participants=[{"actor": "liz-truss"}])
    path = "/v1/engagements?format=csv"

    first = anonymous_client.get(path)
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    assert client.get(path).headers["cache-control"] == "no-store"  # an authenticated answer
    again = client.get(path, headers={"If-None-Match": tag})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == tag

    # The same rows in another format, or another order, are another file.
    assert etag(client, "/v1/engagements?format=ndjson") != tag
    accept_ndjson = client.get("/v1/engagements", headers={"Accept": "application/x-ndjson"})
    assert accept_ndjson.headers["etag"] not in (tag, etag(client, "/v1/engagements"))

    # A person the file does not name changes nothing; one it names changes it.
    client.patch("/v1/actors/wally-adeyemo", json={"name": "Adewale Adeyemo"})
    assert etag(client, path) == tag
    client.patch("/v1/actors/liz-truss", json={"name": "Elizabeth Truss"})
    renamed = etag(client, path)
    assert renamed != tag

    # A new leg is listed by its trip; deleting it lists it no more.
    make_engagement(session, key="leg", parent="call")
    with_leg = etag(client, path)
    assert with_leg != renamed
    assert client.delete("/v1/engagements/leg").status_code == 204
    assert etag(client, path) != with_leg


def test_a_filtered_file_ignores_writes_outside_it(client: TestClient, session: Session) -> None:
    make_engagement(session, key="in-india", countries=["IN"])
    make_engagement(session, key="in-france", countries=["FR"])
    path = "/v1/engagements?country=IN&format=ics"
    tag = etag(client, path)
    client.patch("/v1/engagements/in-france", json={"title": "Another title"})
    assert etag(client, path) == tag
    client.patch("/v1/engagements/in-india", json={"title": "Another title"})
    assert etag(client, path) != tag
