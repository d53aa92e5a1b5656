"""Organizations over HTTP: ministries, alliances and blocs in a parent tree, referenced by
actors' positions and by engagements."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.factories import make_actor, make_engagement, make_organization

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
KIND = "Input should be 'government_body', 'alliance', 'international_organization', 'bloc', 'media', 'company' or 'other'"  # fmt: skip
CYCLE = "organization {!r} cannot have {} as parent (the parent chain would form a cycle)"
MAX_QUERIES_PER_TEST = 1000
TREASURY = {"key": "us-treasury", "name": "U.S. Department of the Treasury", "country": "US"}
OFAC = {
    "key": "ofac",
    "name": "Office of Foreign Assets Control",
    "kind": "government_body",
    "country": "US",
    "parent": "us-treasury",
    "aliases": ["OFAC"],
    "wikidata_id": None,
}
YELLEN = {"key": "janet-yellen", "name": "Janet Yellen",
          "positions": [{"title": "Secretary of the Treasury", "organization": "us-treasury"}]}  # fmt: skip


@pytest.fixture(autouse=True)
def no_runaway_requests(session: Session) -> Iterator[None]:
    """A request caught in an endless loop of queries fails the test instead of hanging it."""
    connection = session.connection()
    executed = 0

    def count(*_: Any) -> None:
        nonlocal executed
        executed += 1
        if executed > MAX_QUERIES_PER_TEST:
            raise RuntimeError(f"more than {MAX_QUERIES_PER_TEST} queries: the request never ends")

    event.listen(connection, "before_cursor_execute", count)
    yield
    event.remove(connection, "before_cursor_execute", count)


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
    response = client.get(f"/v1/organizations/{ref}")
    assert response.status_code == 200, response.json()
    return dict(response.json())


def ref_to(client: TestClient, key: str) -> dict[str, Any]:
    record = stored(client, key)
    return {"id": record["id"], "key": record["key"], "name": record["name"]}


def keys(client: TestClient, query: str) -> list[str]:
    response = client.get(f"/v1/organizations?{query}")
    assert response.status_code == 200, response.json()
    return [item["key"] for item in response.json()["items"]]


def walk(client: TestClient, url: str) -> list[list[str]]:
    """The keys of every page, following the Link header."""
    pages = []
    while True:
        response = client.get(url)
        body = response.json()
        pages.append([item["key"] for item in body["items"]])
        if body["next_cursor"] is None:
            assert "link" not in response.headers
            return pages
        url = response.headers["link"].removeprefix("<").removesuffix('>; rel="next"')
        assert len(pages) < 20, "the pages never end"


def test_create_organization_answers_201_with_location_and_embedded_parent(
    client: TestClient, session: Session
) -> None:
    make_organization(session, **TREASURY)

    response = client.post("/v1/organizations", json=OFAC)

    body = response.json()
    assert (response.status_code, response.headers["location"]) == (201, "http://testserver/v1/organizations/ofac")  # fmt: skip
    assert body == OFAC | {"id": body["id"], "parent": ref_to(client, "us-treasury"),
                           "created_at": body["created_at"], "updated_at": body["created_at"], "version": 1}  # fmt: skip
    assert client.get(response.headers["location"]).json() == body
    assert client.get(f"/v1/organizations/{body['id']}").json() == body


def test_create_fills_defaults(client: TestClient) -> None:
    body = client.post("/v1/organizations", json={"key": "nato", "name": "NATO"}).json()

    assert body == {"key": "nato", "name": "NATO", "kind": "other", "country": None, "parent": None,
                    "aliases": [], "wikidata_id": None, "version": 1} | {k: body[k] for k in ("id", "created_at", "updated_at")}  # fmt: skip


def test_create_with_a_taken_key_answers_409(client: TestClient, session: Session) -> None:
    make_organization(session, **TREASURY)
    make_organization(session, key="ofac", name="OFAC", parent="us-treasury")
    before = stored(client, "ofac")

    response = client.post("/v1/organizations", json=OFAC)

    assert stored(client, "ofac") == before
    assert_problem(response, 409, "An organization with key 'ofac' already exists; PATCH /v1/organizations/ofac changes it.")  # fmt: skip


@pytest.mark.parametrize(
    ("change", "pointer", "message"),
    [
        ({"country": "XX"}, "/country", "unknown country code 'XX': use ISO 3166-1 alpha-2, or EU"),
        ({"country": "UK"}, "/country", "'UK' is not an ISO 3166-1 code; use 'GB'"),
        ({"country": "us"}, "/country", "'us' is not a country code: use ISO 3166-1 alpha-2 in upper case, or EU"),
        ({"parent": "us-treasury-department"}, "/parent", "unknown organization 'us-treasury-department': it is neither in this request nor stored"),
        ({"parent": "ofac"}, "/parent", CYCLE.format("ofac", "itself")),
        ({"parent": "Bad Key"}, "/parent", BAD_KEY.format("Bad Key")),
        ({"key": "123"}, "/key", BAD_KEY.format("123")),
        ({"kind": "ngo"}, "/kind", KIND),
        ({"wikidata_id": "12345"}, "/wikidata_id", "String should match pattern '^Q[1-9][0-9]*$'"),
        ({"aliases": ["OFAC", " OFAC "]}, "/aliases", "'OFAC' is listed twice"),
        ({"acronym": "OFAC"}, "/acronym", "Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_invalid_organization_is_422_with_a_pointer_and_nothing_is_written(
    client: TestClient, session: Session, change: dict[str, Any], pointer: str, message: str
) -> None:
    make_organization(session, **TREASURY)

    assert_invalid(client.post("/v1/organizations", json=OFAC | change), (pointer, message))
    assert keys(client, "") == ["us-treasury"]


@pytest.mark.parametrize(
    ("change", "pointer"),
    [({"aliases": ["A" * 301]}, "/aliases/0"), ({"wikidata_id": "Q" + "1" * 40}, "/wikidata_id")],
)
def test_values_longer_than_the_store_holds_are_422_not_500(
    client: TestClient, change: dict[str, Any], pointer: str
) -> None:
    """aliases hold 300 characters and wikidata_id 32 in the database."""
    response = client.post("/v1/organizations", json={"key": "nato", "name": "NATO"} | change)

    pointers = [error["pointer"] for error in response.json().get("errors", [])]
    assert (response.status_code, pointers, keys(client, "")) == (422, [pointer], [])


def test_get_an_unknown_organization_answers_404(client: TestClient) -> None:
    assert_problem(client.get("/v1/organizations/nato"), 404, "No organization with key 'nato'.")


def test_patch_changes_only_the_fields_sent_and_replaces_lists_whole(
    client: TestClient, session: Session
) -> None:
    make_organization(session, **TREASURY)
    make_organization(session, **OFAC)
    before = stored(client, "ofac")
    changes = {"aliases": ["Treasury OFAC"], "wikidata_id": "Q1501536"}

    body = client.patch("/v1/organizations/ofac", json=changes).json()

    assert body == before | changes | {"updated_at": body["updated_at"], "version": 2}
    assert datetime.fromisoformat(body["updated_at"]) > datetime.fromisoformat(before["updated_at"])
    assert stored(client, "ofac") == body
    detached = client.patch("/v1/organizations/ofac", json={"parent": None, "aliases": []}).json()
    assert detached == body | {"parent": None, "aliases": [], "updated_at": detached["updated_at"], "version": 3}  # fmt: skip


def test_a_renamed_key_shows_in_every_record_that_embeds_it(
    client: TestClient, session: Session
) -> None:
    make_organization(session, **TREASURY)
    make_organization(session, **OFAC)
    make_actor(session, **YELLEN)
    treasury_id = stored(client, "us-treasury")["id"]

    body = client.patch(f"/v1/organizations/{treasury_id}", json={"key": "treasury"}).json()

    embedded = {"id": treasury_id, "key": "treasury", "name": TREASURY["name"]}
    assert (body["id"], body["key"]) == (treasury_id, "treasury")
    assert client.get("/v1/organizations/us-treasury").status_code == 404
    assert stored(client, "ofac")["parent"] == embedded
    assert client.get("/v1/actors/janet-yellen").json()["positions"][0]["organization"] == embedded


@pytest.mark.parametrize(
    ("parent", "what"),
    [("us-treasury", "itself"), ("ofac", "one of its own descendants"),
     ("ofac-sanctions-division", "one of its own descendants")],
)  # fmt: skip
def test_an_organization_cannot_become_its_own_ancestor(
    client: TestClient, session: Session, parent: str, what: str
) -> None:
    make_organization(session, **TREASURY)
    make_organization(session, **OFAC)
    make_organization(session, key="ofac-sanctions-division", name="Division", parent="ofac")
    before = stored(client, "us-treasury")

    response = client.patch("/v1/organizations/us-treasury", json={"parent": parent})

    assert_invalid(response, ("/parent", CYCLE.format("us-treasury", what)))
    assert stored(client, "us-treasury") == before


@pytest.mark.parametrize(
    ("changes", "pointer", "message"),
    [
        ({"country": "UK"}, "/country", "'UK' is not an ISO 3166-1 code; use 'GB'"),
        ({"parent": "nobody"}, "/parent", "unknown organization 'nobody': it is neither in this request nor stored"),
        ({"name": None}, "/name", "Input should be a valid string"),
        ({"kind": None}, "/kind", KIND),
        ({"parent_key": "us-treasury"}, "/parent_key", "Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_invalid_patch_is_422_and_changes_nothing(
    client: TestClient, session: Session, changes: dict[str, Any], pointer: str, message: str
) -> None:
    make_organization(session, **TREASURY)
    make_organization(session, **OFAC)
    before = stored(client, "ofac")

    assert_invalid(client.patch("/v1/organizations/ofac", json=changes), (pointer, message))
    assert stored(client, "ofac") == before


def test_patch_to_a_taken_key_answers_409(client: TestClient, session: Session) -> None:
    make_organization(session, **TREASURY)
    make_organization(session, **OFAC)

    response = client.patch("/v1/organizations/ofac", json={"key": "us-treasury"})

    assert_problem(response, 409, "Another organization already has key 'us-treasury'.")
    assert stored(client, "ofac")["key"] == "ofac"


@pytest.mark.parametrize("by", ["key", "id"])
def test_delete_answers_204_then_404(client: TestClient, session: Session, by: str) -> None:
    make_organization(session, **TREASURY)
    ref = stored(client, "us-treasury")[by]

    response = client.delete(f"/v1/organizations/{ref}")

    assert (response.status_code, response.content) == (204, b"")
    assert client.get(f"/v1/organizations/{ref}").status_code == 404


def test_a_referenced_organization_is_not_deleted_and_409_names_who_refers_to_it(
    client: TestClient, session: Session
) -> None:
    make_organization(session, **TREASURY)
    make_organization(session, **OFAC)
    make_actor(session, **YELLEN)
    make_engagement(session, key="g7-call", title="G7 finance call", organizations=["us-treasury"])
    before = stored(client, "us-treasury")

    response = client.delete("/v1/organizations/us-treasury")

    assert_problem(
        response,
        409,
        "Organization 'us-treasury' is still referred to by organizations 'ofac', actors "
        "'janet-yellen', engagements 'g7-call'; change or delete those first.",
        referenced_by=[
            {"type": "organizations", "key": "ofac", "name": OFAC["name"]},
            {"type": "actors", "key": "janet-yellen", "name": "Janet Yellen"},
            {"type": "engagements", "key": "g7-call", "name": "G7 finance call"},
        ],
        referenced_by_total=3,
    )
    assert stored(client, "us-treasury") == before


def test_the_conflict_detail_names_five_referrers_and_counts_the_rest(
    client: TestClient, session: Session
) -> None:
    make_organization(session, key="eu", name="European Union")
    for n in range(7):
        make_organization(session, key=f"body-{n}", name=f"Body {n}", parent="eu")
    named = ", ".join(f"organizations 'body-{n}'" for n in range(5))
    children = [
        {"type": "organizations", "key": f"body-{n}", "name": f"Body {n}"} for n in range(7)
    ]
    detail = f"Organization 'eu' is still referred to by {named} and 2 more; change or delete those first."  # fmt: skip

    response = client.delete("/v1/organizations/eu")

    assert_problem(response, 409, detail, referenced_by=children, referenced_by_total=7)


# (key, name, kind, country, parent, aliases) in name order
DIRECTORY = [
    ("bis", "Bureau of Industry and Security", "government_body", "US", "us-commerce", ["BIS"]),
    ("eu-council", "Council of the European Union", "bloc", "EU", None, []),
    ("uk-fcdo", "Foreign, Commonwealth and Development Office", "government_body", "GB", None, ["FCDO"]),
    ("nato", "North Atlantic Treaty Organization", "alliance", None, None, ["NATO"]),
    ("ofac", "Office of Foreign Assets Control", "government_body", "US", "us-treasury", ["OFAC"]),
    ("us-commerce", "U.S. Department of Commerce", "government_body", "US", None, []),
    ("us-treasury", "U.S. Department of the Treasury", "government_body", "US", None, ["Treasury"]),
]  # fmt: skip
ALL = [row[0] for row in DIRECTORY]


@pytest.fixture
def directory(session: Session) -> None:
    for key, name, kind, country, parent, aliases in sorted(DIRECTORY, key=lambda r: r[4] is not None):  # fmt: skip
        make_organization(session, key=key, name=name, kind=kind, country=country, parent=parent, aliases=aliases)  # fmt: skip


@pytest.mark.usefixtures("directory")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL),
        ("kind=alliance", ["nato"]),
        ("kind=alliance&kind=bloc", ["eu-council", "nato"]),
        ("kind=media", []),
        ("country=GB", ["uk-fcdo"]),
        ("country=gb&country=EU", ["eu-council", "uk-fcdo"]),
        ("country=FR", []),
        ("parent=us-treasury", ["ofac"]),
        ("parent=us-treasury&parent=us-commerce", ["bis", "ofac"]),
        ("parent=nato", []),
        ("parent=no-such-body", []),
        ("q=nato", ["nato"]),
        ("q=TREATY", ["nato"]),
        ("q=department", ["us-commerce", "us-treasury"]),
        ("q=treasury", ["us-treasury"]),
        ("q=kremlin", []),
        ("country=US&kind=government_body&q=bureau", ["bis"]),
        ("sort=-name", ALL[::-1]),
        ("sort=key", sorted(ALL)),
        ("kind=bloc&kind=alliance&sort=kind", ["nato", "eu-council"]),
    ],
)
def test_filters_and_sorts(client: TestClient, query: str, expected: list[str]) -> None:
    assert keys(client, query) == expected


@pytest.mark.usefixtures("directory")
def test_the_parent_filter_takes_an_id(client: TestClient) -> None:
    assert keys(client, f"parent={stored(client, 'us-commerce')['id']}") == ["bis"]


@pytest.mark.parametrize(
    ("query", "pointer", "message"),
    [
        ("country=XX", "/country/0", "unknown country code 'XX': use ISO 3166-1 alpha-2, or EU"),
        ("country=GB&country=UK", "/country/1", "unknown country code 'UK': use ISO 3166-1 alpha-2, or EU; use 'GB'"),
        ("parent=Bad%20Key", "/parent/0", "'Bad Key' is neither a key nor an id"),
        ("kind=ngo", "/kind/0", KIND),
        ("sort=country", "/sort", "cannot sort by 'country'; choose one of created_at, id, key, kind, name, updated_at (prefix '-' for descending)"),
        ("limit=501", "/limit", "Input should be less than or equal to 500"),
    ],
)  # fmt: skip
def test_bad_list_parameters_are_422(client: TestClient, query: str, pointer: str, message: str) -> None:  # fmt: skip
    assert_invalid(client.get(f"/v1/organizations?{query}"), (pointer, message), where="query")


def test_a_bad_cursor_is_400(client: TestClient) -> None:
    assert_problem(
        client.get("/v1/organizations?cursor=abc"),
        400,
        "The cursor is malformed: pass `next_cursor` from a previous page unchanged.",
    )


@pytest.mark.usefixtures("directory")
@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("field", ["name", "key", "kind", "created_at", "updated_at", "id"])
def test_every_sort_field_pages_through_all_organizations_in_order(
    client: TestClient, field: str, descending: bool
) -> None:
    records = [stored(client, key) for key in ALL]

    def order(record: dict[str, Any]) -> tuple[Any, int]:
        value = record[field]
        return (datetime.fromisoformat(value) if field.endswith("_at") else value), record["id"]

    expected = [record["key"] for record in sorted(records, key=order, reverse=descending)]
    sort = ("-" if descending else "") + field

    assert walk(client, f"/v1/organizations?limit=3&sort={sort}") == [expected[:3], expected[3:6], expected[6:]]  # fmt: skip


@pytest.mark.usefixtures("directory")
def test_every_page_counts_the_total_and_an_exact_multiple_ends_cleanly(
    client: TestClient,
) -> None:
    first = client.get("/v1/organizations?limit=3").json()
    government = ["bis", "uk-fcdo", "ofac", "us-commerce", "us-treasury"]

    assert (first["total"], len(first["items"])) == (7, 3)
    assert walk(client, "/v1/organizations?limit=3&kind=government_body") == [government[:3], government[3:]]  # fmt: skip
    assert walk(client, "/v1/organizations?limit=5&kind=government_body") == [government]


@pytest.mark.usefixtures("directory")
def test_an_organization_added_between_pages_shows_up_only_after_the_cursor(
    client: TestClient, session: Session
) -> None:
    first = client.get("/v1/organizations?limit=3").json()

    make_organization(session, key="afdb", name="African Development Bank")
    make_organization(session, key="wto", name="World Trade Organization")
    rest = walk(client, f"/v1/organizations?limit=3&cursor={first['next_cursor']}")

    assert [item["key"] for item in first["items"]] == ALL[:3]
    assert rest == [ALL[3:6], [ALL[6], "wto"]]


def test_an_empty_list_is_an_empty_envelope(client: TestClient) -> None:
    response = client.get("/v1/organizations")

    assert (response.json(), "link" in response.headers) == (
        {"items": [], "total": 0, "next_cursor": None},
        False,
    )
