"""Sources over HTTP: the citations behind records, and the list contract every collection shares
(envelope, keyset pages, Link header, sorts, cursors, problem documents)."""

import base64
import json
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_engagement, make_round, make_source

PROBLEM = "application/problem+json"
TITLES = {
    400: ("bad-request", "Bad request"),
    404: ("not-found", "Not found"),
    409: ("conflict", "Conflict"),
    422: ("validation-error", "Validation failed"),
}
BAD_KEY = (
    "{!r} is not a valid key: use lower-case letters, digits and '-', start with a letter "
    "or digit, at most 128 characters, at least one letter"
)
KIND = "Input should be 'news_article', 'official_statement', 'press_release', 'legal_act' or 'other'"  # fmt: skip
READOUT = {
    "key": "state-2022-04-01-blinken-truss",
    "kind": "official_statement",
    "title": "Secretary Blinken's Call with UK Foreign Secretary Truss",
    "publisher": "U.S. Department of State",
    "url": "https://www.state.gov/secretary-blinkens-call-with-uk-foreign-secretary-truss/",
    "published_on": "2022-04-01",
    "authors": ["Office of the Spokesperson"],
}
PATH = f"/v1/sources/{READOUT['key']}"
EMPTY = {"items": [], "total": 0, "next_cursor": None}


def assert_problem(response: httpx.Response, status: int, detail: str, **extra: Any) -> None:
    """The whole RFC 9457 answer: media type, type, title, status, detail, instance, extras."""
    slug, title = TITLES[status]
    expected = {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail,
                "instance": f"{response.request.url.path}#request={response.headers['x-request-id']}",
                **extra}  # fmt: skip
    answer = (response.status_code, response.headers["content-type"], response.json())
    assert answer == (status, PROBLEM, expected)


def assert_invalid(response: httpx.Response, *errors: tuple[str, str], where: str = "body") -> None:
    """A 422 listing each (pointer, message) in order; a single message is also the detail."""
    listed = [{"pointer": pointer, "message": message, "location": where} for pointer, message in errors]  # fmt: skip
    detail = errors[0][1] if len(errors) == 1 else f"{len(errors)} fields are invalid; see `errors`."  # fmt: skip
    assert_problem(response, 422, detail, errors=listed)


def stored(client: TestClient, ref: str | int) -> dict[str, Any]:
    response = client.get(f"/v1/sources/{ref}")
    assert response.status_code == 200, response.json()
    return dict(response.json())


def keys(client: TestClient, query: str) -> list[str]:
    response = client.get(f"/v1/sources?{query}")
    assert response.status_code == 200, response.json()
    return [item["key"] for item in response.json()["items"]]


def walk(client: TestClient, url: str) -> list[list[str]]:
    """The keys of every page, following the Link header; every page counts all matches."""
    pages, totals = [], set()
    while True:
        response = client.get(url)
        body = response.json()
        pages.append([item["key"] for item in body["items"]])
        totals.add(body["total"])
        if body["next_cursor"] is None:
            assert ("link" in response.headers, len(totals)) == (False, 1)
            return pages
        url = response.headers["link"].removeprefix("<").removesuffix('>; rel="next"')
        assert httpx.URL(url).params["cursor"] == body["next_cursor"]
        assert len(pages) < 20, "the pages never end"


def cursor(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def test_create_source_answers_201_with_location_and_the_record(client: TestClient) -> None:
    response = client.post("/v1/sources", json=READOUT)

    body = response.json()
    assert (response.status_code, response.headers["location"]) == (201, f"http://testserver{PATH}")
    timestamps = {"created_at": body["created_at"], "updated_at": body["created_at"], "version": 1}
    assert body == READOUT | {"id": body["id"]} | timestamps
    assert client.get(response.headers["location"]).json() == body
    assert client.get(f"/v1/sources/{body['id']}").json() == body


def test_create_fills_defaults_and_trims_text(client: TestClient) -> None:
    sent = {"key": "eu-4th-package", "title": "  EU 4th package ", "published_on": "2022-03-15"}

    body = client.post("/v1/sources", json=sent | {"url": ""}).json()

    assert body == sent | {"title": "EU 4th package", "kind": "other", "publisher": None, "url": None,
                           "authors": [], "version": 1} | {k: body[k] for k in ("id", "created_at", "updated_at")}  # fmt: skip


def test_create_with_a_taken_key_answers_409_and_keeps_the_stored_source(
    client: TestClient, session: Session
) -> None:
    make_source(session, key=READOUT["key"], title="The first one")
    before = stored(client, READOUT["key"])

    response = client.post("/v1/sources", json=READOUT)

    key = READOUT["key"]
    assert_problem(response, 409, f"A source with key {key!r} already exists; PATCH {PATH} changes it.")  # fmt: skip
    assert stored(client, key) == before


@pytest.mark.parametrize(
    ("change", "pointer", "message"),
    [
        ({"key": "Bad Key"}, "/key", BAD_KEY.format("Bad Key")),
        ({"key": "123"}, "/key", BAD_KEY.format("123")),
        ({"kind": "blog"}, "/kind", KIND),
        ({"title": "   "}, "/title", "must not be empty"),
        ({"title": None}, "/title", "Input should be a valid string"),
        ({"published_on": "2022-02-30"}, "/published_on", "Input should be a valid date or datetime, day value is outside expected range"),
        ({"authors": ["Humeyra Pamuk", "Humeyra Pamuk"]}, "/authors", "'Humeyra Pamuk' is listed twice"),
        ({"publisher_name": "Reuters"}, "/publisher_name", "Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_invalid_source_is_422_with_a_pointer_and_nothing_is_written(
    client: TestClient, change: dict[str, Any], pointer: str, message: str
) -> None:
    response = client.post("/v1/sources", json=READOUT | change)

    assert_invalid(response, (pointer, message))
    assert client.get("/v1/sources").json() == EMPTY


def test_every_mistake_is_reported_at_once(client: TestClient) -> None:
    response = client.post("/v1/sources", json={"key": "123", "kind": "blog", "extra": 1})

    assert_invalid(
        response,
        ("/key", BAD_KEY.format("123")),
        ("/kind", KIND),
        ("/title", "Field required"),
        ("/published_on", "Field required"),
        ("/extra", "Extra inputs are not permitted"),
    )


def test_a_publisher_longer_than_the_store_holds_is_422_not_500(client: TestClient) -> None:
    """The publisher column holds 300 characters; the schema must say so before the database."""
    response = client.post("/v1/sources", json=READOUT | {"publisher": "P" * 301})

    pointers = [error["pointer"] for error in response.json().get("errors", [])]
    assert (response.status_code, pointers) == (422, ["/publisher"])
    assert client.get(PATH).status_code == 404


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize(("ref", "named"), [("no-such-source", "key"), ("999999", "id")])
def test_an_unknown_source_answers_404(client: TestClient, method: str, ref: str, named: str) -> None:  # fmt: skip
    response = client.request(method, f"/v1/sources/{ref}", json={} if method == "PATCH" else None)

    assert_problem(response, 404, f"No source with {named} {ref!r}.")


@pytest.mark.parametrize("ref", ["99999999999999999999", "²"])
def test_a_ref_that_is_no_storable_id_answers_404_not_500(client: TestClient, ref: str) -> None:
    response = client.get(f"/v1/sources/{ref}")

    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)


def test_patch_changes_only_the_fields_sent_and_replaces_lists_whole(
    client: TestClient, session: Session
) -> None:
    make_source(session, **READOUT)
    before = stored(client, READOUT["key"])
    changes = {"url": None, "authors": ["Humeyra Pamuk", "Simon Lewis"], "kind": "news_article"}

    response = client.patch(PATH, json=changes)

    body = response.json()
    assert (response.status_code, body) == (200, before | changes | {"updated_at": body["updated_at"], "version": 2})  # fmt: skip
    assert datetime.fromisoformat(body["updated_at"]) > datetime.fromisoformat(before["updated_at"])
    assert stored(client, READOUT["key"]) == body


def test_patch_renames_the_key_by_id_and_keeps_the_id(client: TestClient, session: Session) -> None:
    make_source(session, **READOUT)
    before = stored(client, READOUT["key"])

    body = client.patch(f"/v1/sources/{before['id']}", json={"key": "blinken-truss"}).json()

    assert body == before | {"key": "blinken-truss", "updated_at": body["updated_at"], "version": 2}
    assert client.get(PATH).status_code == 404
    assert stored(client, "blinken-truss") == body


def test_a_patch_that_changes_nothing_keeps_updated_at(
    client: TestClient, session: Session
) -> None:
    make_source(session, **READOUT)
    before = stored(client, READOUT["key"])

    for changes in ({}, {"title": READOUT["title"], "authors": READOUT["authors"]}):
        assert client.patch(PATH, json=changes).json() == before


def test_patch_to_a_taken_key_answers_409(client: TestClient, session: Session) -> None:
    make_source(session, key="first")
    make_source(session, key="second")
    before = stored(client, "second")

    response = client.patch("/v1/sources/second", json={"key": "first"})

    assert_problem(response, 409, "Another source already has key 'first'.")
    assert stored(client, "second") == before


@pytest.mark.parametrize(
    ("changes", "pointer", "message"),
    [
        ({"kind": "blog"}, "/kind", KIND),
        ({"key": "Bad Key"}, "/key", BAD_KEY.format("Bad Key")),
        ({"title": None}, "/title", "Input should be a valid string"),
        ({"published_on": None}, "/published_on", "Input should be a valid date"),
        ({"authors": None}, "/authors", "Input should be a valid list"),
        ({"year": 2022}, "/year", "Extra inputs are not permitted"),
    ],
)
def test_invalid_patch_is_422_and_changes_nothing(
    client: TestClient, session: Session, changes: dict[str, Any], pointer: str, message: str
) -> None:
    make_source(session, **READOUT)
    before = stored(client, READOUT["key"])

    assert_invalid(client.patch(PATH, json=changes), (pointer, message))
    assert stored(client, READOUT["key"]) == before


@pytest.mark.parametrize("by", ["key", "id"])
def test_delete_answers_204_then_404(client: TestClient, session: Session, by: str) -> None:
    make_source(session, **READOUT)
    ref = stored(client, READOUT["key"])[by]

    response = client.delete(f"/v1/sources/{ref}")

    assert (response.status_code, response.content) == (204, b"")
    assert client.get(PATH).status_code == 404
    assert client.delete(f"/v1/sources/{ref}").status_code == 404


def test_a_cited_source_is_not_deleted_and_409_names_the_citers(
    client: TestClient, session: Session
) -> None:
    make_source(session, key="readout")
    citation = [{"source": "readout", "quote": None}]
    make_round(session, key="us-oil-ban", title="US oil import ban", sources=citation)
    make_engagement(session, key="call", title="Blinken-Truss call", sources=citation)
    before = stored(client, "readout")

    response = client.delete("/v1/sources/readout")

    assert_problem(
        response,
        409,
        "Source 'readout' is still referred to by sanctions_rounds 'us-oil-ban', "
        "engagements 'call'; change or delete those first.",
        referenced_by=[
            {"type": "sanctions_rounds", "key": "us-oil-ban", "name": "US oil import ban"},
            {"type": "engagements", "key": "call", "name": "Blinken-Truss call"},
        ],
        referenced_by_total=2,
    )
    assert stored(client, "readout") == before


# (key, kind, publisher, published_on, title) newest first
LIBRARY = [
    ("reg-576", "legal_act", "Official Journal of the European Union", "2022-04-08", "Council Regulation (EU) 2022/576"),
    ("reuters-truss", "news_article", "Reuters", "2022-04-01", "Blinken, UK's Truss discuss response"),
    ("eu-4th", "news_article", "Reuters", "2022-03-15", "EU agrees fourth package of sanctions"),
    ("hmt-oligarchs", "press_release", "HM Treasury", "2022-03-10", "UK sanctions Russian oligarchs"),
    ("state-call", "official_statement", "U.S. Department of State", "2022-03-08", "Secretary Blinken's call with UK Foreign Secretary Truss"),
]  # fmt: skip
NEWEST_FIRST = [row[0] for row in LIBRARY]


@pytest.fixture
def library(session: Session) -> None:
    for key, kind, publisher, published_on, title in sorted(LIBRARY):
        make_source(session, key=key, kind=kind, publisher=publisher, published_on=published_on, title=title)  # fmt: skip


@pytest.mark.usefixtures("library")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", NEWEST_FIRST),
        ("kind=news_article", ["reuters-truss", "eu-4th"]),
        ("kind=legal_act&kind=press_release", ["reg-576", "hmt-oligarchs"]),
        ("kind=other", []),
        ("publisher=REUTERS", ["reuters-truss", "eu-4th"]),
        ("publisher=treasury", ["hmt-oligarchs"]),
        ("publisher=Bloomberg", []),
        ("from=2022-03-15", ["reg-576", "reuters-truss", "eu-4th"]),
        ("to=2022-03-10", ["hmt-oligarchs", "state-call"]),
        ("from=2022-03-08&to=2022-03-10", ["hmt-oligarchs", "state-call"]),
        ("from=2022-05-01", []),
        ("q=truss", ["reuters-truss", "state-call"]),
        ("q=SANCTIONS", ["eu-4th", "hmt-oligarchs"]),
        ("q=2022/576", ["reg-576"]),
        ("q=100%25", []),
        ("kind=news_article&q=fourth", ["eu-4th"]),
        ("sort=published_on", NEWEST_FIRST[::-1]),
        ("sort=-key", sorted(NEWEST_FIRST, reverse=True)),
        ("sort=title", [row[0] for row in sorted(LIBRARY, key=lambda row: row[4])]),
    ],
)
def test_filters_and_sorts(client: TestClient, query: str, expected: list[str]) -> None:
    assert keys(client, query) == expected


@pytest.mark.parametrize(
    ("query", "pointer", "message"),
    [
        ("kind=blog", "/kind/0", KIND),
        ("from=2022-13-01", "/from", "Input should be a valid date or datetime, month value is outside expected range of 1-12"),
        ("from=2022-03-10&to=2022-03-09", "/to", "`to` must not be before `from`"),
        ("q=", "/q", "String should have at least 1 character"),
        ("sort=publisher", "/sort", "cannot sort by 'publisher'; choose one of created_at, id, key, kind, published_on, title, updated_at (prefix '-' for descending)"),
        ("limit=-1", "/limit", "Input should be greater than or equal to 0"),
        ("limit=501", "/limit", "Input should be less than or equal to 500"),
    ],
)  # fmt: skip
def test_bad_list_parameters_are_422(
    client: TestClient, query: str, pointer: str, message: str
) -> None:
    assert_invalid(client.get(f"/v1/sources?{query}"), (pointer, message), where="query")


def test_pages_walk_every_source_once_newest_first(client: TestClient, session: Session) -> None:
    dates = ["2022-03-04", "2022-03-01", "2022-03-06", "2022-03-01", "2022-03-07", "2022-03-02", "2022-03-05"]  # fmt: skip
    for n, published_on in enumerate(dates):
        make_source(session, key=f"source-{n}", published_on=published_on)
    # equal dates are ordered by id, which grows with creation order
    by_date = sorted(range(7), key=lambda n: (dates[n], n), reverse=True)
    expected = [f"source-{n}" for n in by_date]

    first = client.get("/v1/sources?limit=3")

    assert first.headers["link"] == (
        f'<http://testserver/v1/sources?limit=3&cursor={first.json()["next_cursor"]}>; rel="next"'
    )
    assert first.json()["total"] == 7
    assert walk(client, "/v1/sources?limit=3") == [expected[0:3], expected[3:6], expected[6:]]


def test_an_exact_multiple_of_the_page_size_ends_without_an_empty_page(
    client: TestClient, session: Session
) -> None:
    for n in range(6):
        make_source(session, key=f"source-{n}", published_on=f"2022-03-0{n + 1}")

    assert walk(client, "/v1/sources?limit=3&sort=published_on") == [
        ["source-0", "source-1", "source-2"],
        ["source-3", "source-4", "source-5"],
    ]


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize(
    "field", ["published_on", "title", "key", "kind", "created_at", "updated_at", "id"]
)
def test_every_sort_field_pages_through_all_sources_in_order(
    client: TestClient, session: Session, field: str, descending: bool
) -> None:
    rows = [("b", "legal_act", "2022-03-02"), ("a", "other", "2022-03-02"), ("c", "news_article", "2022-03-01"),
            ("e", "news_article", "2022-03-03"), ("d", "other", "2022-03-01"), ("f", "legal_act", "2022-03-03"),
            ("g", "press_release", "2022-03-02")]  # fmt: skip
    for n, (letter, kind, published_on) in enumerate(rows):
        make_source(session, key=f"{letter}-{n}", title=f"Title {rows[-n - 1][0]}", kind=kind, published_on=published_on)  # fmt: skip
    records = [stored(client, f"{letter}-{n}") for n, (letter, _, _) in enumerate(rows)]

    def order(record: dict[str, Any]) -> tuple[Any, int]:
        value = record[field]
        return (datetime.fromisoformat(value) if field.endswith("_at") else value), record["id"]

    expected = [record["key"] for record in sorted(records, key=order, reverse=descending)]
    sort = ("-" if descending else "") + field

    assert walk(client, f"/v1/sources?limit=3&sort={sort}") == [expected[:3], expected[3:6], expected[6:]]  # fmt: skip


def test_a_source_added_between_pages_shows_up_only_if_it_sorts_after_the_cursor(
    client: TestClient, session: Session
) -> None:
    for key, published_on in [("a", "2022-01-10"), ("b", "2022-01-20"), ("c", "2022-01-30"), ("d", "2022-02-10")]:  # fmt: skip
        make_source(session, key=key, published_on=published_on)
    first = client.get("/v1/sources?sort=published_on&limit=2").json()

    make_source(session, key="before-the-cursor", published_on="2022-01-05")
    make_source(session, key="tied-with-the-cursor", published_on="2022-01-20")
    make_source(session, key="after-the-cursor", published_on="2022-02-01")
    rest = walk(client, f"/v1/sources?sort=published_on&limit=2&cursor={first['next_cursor']}")

    assert [item["key"] for item in first["items"]] == ["a", "b"]
    assert rest == [["tied-with-the-cursor", "c"], ["after-the-cursor", "d"]]
    assert client.get("/v1/sources?limit=1").json()["total"] == 7


def test_the_link_header_keeps_every_filter(client: TestClient, session: Session) -> None:
    for n, kind in enumerate(["legal_act", "press_release", "news_article"]):
        make_source(session, key=f"s-{n}", kind=kind)

    response = client.get("/v1/sources?kind=legal_act&kind=press_release&limit=1")

    assert response.headers["link"] == (
        "<http://testserver/v1/sources?kind=legal_act&kind=press_release&limit=1"
        f'&cursor={response.json()["next_cursor"]}>; rel="next"'
    )
    assert walk(client, "/v1/sources?kind=legal_act&kind=press_release&limit=1") == [["s-1"], ["s-0"]]  # fmt: skip


def test_a_cursor_only_works_with_the_sort_it_came_from(
    client: TestClient, session: Session
) -> None:
    for n in range(2):
        make_source(session, key=f"s-{n}")
    next_cursor = client.get("/v1/sources?sort=published_on&limit=1").json()["next_cursor"]

    response = client.get(f"/v1/sources?sort=title&limit=1&cursor={next_cursor}")

    assert_problem(
        response,
        400,
        "This cursor belongs to sort='published_on', not sort='title'; "
        "keep the same sort while paging.",
    )


@pytest.mark.parametrize(
    "bad",
    [
        "not-a-cursor",
        cursor({"s": "-published_on", "v": "yesterday", "i": 1}),
        cursor({"s": "-published_on", "v": "2022-03-01", "i": "1"}),
        cursor({"s": "-published_on", "v": "2022-03-01"}),
        cursor({"s": "-published_on", "v": "2022-03-01", "i": 10**30}),
    ],
    ids=["garbage", "bad-value", "bad-id", "no-id", "id-out-of-range"],
)
def test_a_cursor_this_api_did_not_issue_is_400(client: TestClient, bad: str) -> None:
    response = client.get("/v1/sources", params={"cursor": bad})

    assert_problem(
        response, 400, "The cursor is malformed: pass `next_cursor` from a previous page unchanged."
    )
