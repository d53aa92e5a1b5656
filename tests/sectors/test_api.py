"""Sectors over HTTP: a tree (each sector names its parent and lists its children) that
sanctions rounds and engagements refer to."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.factories import make_engagement, make_round, make_sector

PROBLEM = "application/problem+json"
TITLES = {
    400: ("bad-request", "Bad request"),
    404: ("not-found", "Not found"),
    409: ("conflict", "Conflict"),
    422: ("validation-error", "Validation failed"),
}
MAX_QUERIES_PER_TEST = 1000
OIL = {
    "key": "oil",
    "name": "Oil and petroleum products",
    "parent": "energy",
    "description": "Crude, products, refining equipment, price cap",
}
BAD_KEY = (
    "{!r} is not a valid key: use lower-case letters, digits and '-', start with a letter "
    "or digit, at most 128 characters, at least one letter"
)
CYCLE = "sector {!r} cannot have {} as parent (the parent chain would form a cycle)"


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
    response = client.get(f"/v1/sectors/{ref}")
    assert response.status_code == 200, response.json()
    return dict(response.json())


def ref_to(client: TestClient, key: str) -> dict[str, Any]:
    record = stored(client, key)
    return {"id": record["id"], "key": record["key"], "name": record["name"]}


def keys(client: TestClient, query: str) -> list[str]:
    response = client.get(f"/v1/sectors?{query}")
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


@pytest.fixture
def energy(session: Session) -> None:
    """energy > oil > crude."""
    make_sector(session, key="energy", name="Energy")
    make_sector(session, **OIL)
    make_sector(session, key="crude", name="Crude oil", parent="oil")


def test_create_sector_answers_201_with_location_and_embedded_parent(
    client: TestClient, session: Session
) -> None:
    make_sector(session, key="energy", name="Energy")

    response = client.post("/v1/sectors", json=OIL)

    body = response.json()
    assert response.status_code == 201
    assert response.headers["location"] == "http://testserver/v1/sectors/oil"
    assert body == OIL | {
        "id": body["id"],
        "parent": ref_to(client, "energy"),
        "children": [],
        "created_at": body["created_at"],
        "updated_at": body["created_at"],
        "version": 1,
    }
    assert client.get(response.headers["location"]).json() == body
    assert client.get(f"/v1/sectors/{body['id']}").json() == body
    assert stored(client, "energy")["children"] == [ref_to(client, "oil")]


def test_create_fills_defaults(client: TestClient) -> None:
    body = client.post("/v1/sectors", json={"key": "energy", "name": "Energy"}).json()

    assert body == {"key": "energy", "name": "Energy", "parent": None, "description": None,
                    "children": [], "version": 1} | {name: body[name] for name in ("id", "created_at", "updated_at")}  # fmt: skip


def test_children_are_listed_by_name(client: TestClient, session: Session) -> None:
    make_sector(session, key="energy", name="Energy")
    for key, name in [("oil", "Oil"), ("gas", "Natural gas"), ("coal", "Coal")]:
        make_sector(session, key=key, name=name, parent="energy")

    assert stored(client, "energy")["children"] == [
        ref_to(client, "coal"),
        ref_to(client, "gas"),
        ref_to(client, "oil"),
    ]


@pytest.mark.usefixtures("energy")
def test_create_with_a_taken_key_answers_409(client: TestClient) -> None:
    before = stored(client, "oil")

    response = client.post("/v1/sectors", json=OIL | {"name": "Oil"})

    assert_problem(response, 409, "A sector with key 'oil' already exists; PATCH /v1/sectors/oil changes it.")  # fmt: skip
    assert stored(client, "oil") == before


@pytest.mark.parametrize(
    ("change", "pointer", "message"),
    [
        ({"parent": "power"}, "/parent", "unknown sector 'power': it is neither in this request nor stored"),
        ({"parent": "oil"}, "/parent", CYCLE.format("oil", "itself")),
        ({"parent": "Energy"}, "/parent", BAD_KEY.format("Energy")),
        ({"key": "Bad Key"}, "/key", BAD_KEY.format("Bad Key")),
        ({"key": "123"}, "/key", BAD_KEY.format("123")),
        ({"name": ""}, "/name", "must not be empty"),
        ({"children": ["crude"]}, "/children", "Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_invalid_sector_is_422_with_a_pointer_and_nothing_is_written(
    client: TestClient, session: Session, change: dict[str, Any], pointer: str, message: str
) -> None:
    make_sector(session, key="energy", name="Energy")

    response = client.post("/v1/sectors", json=OIL | change)

    assert_invalid(response, (pointer, message))
    assert keys(client, "") == ["energy"]


def test_get_an_unknown_sector_answers_404(client: TestClient) -> None:
    response = client.get("/v1/sectors/42")

    assert_problem(response, 404, "No sector with id '42'.")


@pytest.mark.usefixtures("energy")
def test_patch_changes_only_the_fields_sent(client: TestClient) -> None:
    before = stored(client, "oil")

    body = client.patch("/v1/sectors/oil", json={"description": "Crude and products"}).json()

    assert body == before | {"description": "Crude and products", "updated_at": body["updated_at"], "version": 2}  # fmt: skip
    assert datetime.fromisoformat(body["updated_at"]) > datetime.fromisoformat(before["updated_at"])
    assert stored(client, "oil") == body
    assert client.patch("/v1/sectors/oil", json={"description": ""}).json()["description"] is None


@pytest.mark.usefixtures("energy")
def test_patch_moves_a_sector_to_another_parent_or_to_the_top(
    client: TestClient, session: Session
) -> None:
    make_sector(session, key="commodities", name="Commodities")

    moved = client.patch("/v1/sectors/oil", json={"parent": "commodities"}).json()

    assert moved["parent"] == ref_to(client, "commodities")
    assert stored(client, "commodities")["children"] == [ref_to(client, "oil")]
    assert stored(client, "energy")["children"] == []

    top = client.patch("/v1/sectors/oil", json={"parent": None}).json()
    assert (top["parent"], stored(client, "commodities")["children"]) == (None, [])


@pytest.mark.usefixtures("energy")
def test_a_renamed_key_shows_in_every_record_that_embeds_it(
    client: TestClient, session: Session
) -> None:
    make_round(session, key="eu-oil-embargo", sectors=["oil"])
    oil_id = stored(client, "oil")["id"]

    body = client.patch(f"/v1/sectors/{oil_id}", json={"key": "petroleum"}).json()

    embedded = {"id": oil_id, "key": "petroleum", "name": OIL["name"]}
    assert (body["id"], body["key"]) == (oil_id, "petroleum")
    assert client.get("/v1/sectors/oil").status_code == 404
    assert stored(client, "energy")["children"] == [embedded]
    assert stored(client, "crude")["parent"] == embedded
    assert client.get("/v1/sanctions-rounds/eu-oil-embargo").json()["sectors"] == [embedded]


@pytest.mark.usefixtures("energy")
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"parent": "energy"}, CYCLE.format("energy", "itself")),
        ({"parent": "oil"}, CYCLE.format("energy", "one of its own descendants")),
        ({"parent": "crude"}, CYCLE.format("energy", "one of its own descendants")),
        ({"key": "power", "parent": "crude"}, CYCLE.format("power", "one of its own descendants")),
    ],
)
def test_a_sector_cannot_become_its_own_ancestor(
    client: TestClient, changes: dict[str, Any], message: str
) -> None:
    tree = [stored(client, key) for key in ("energy", "oil", "crude")]

    response = client.patch("/v1/sectors/energy", json=changes)

    assert_invalid(response, ("/parent", message))
    assert [stored(client, key) for key in ("energy", "oil", "crude")] == tree


@pytest.mark.usefixtures("energy")
@pytest.mark.parametrize(
    ("changes", "pointer", "message"),
    [
        ({"parent": "power"}, "/parent", "unknown sector 'power': it is neither in this request nor stored"),
        ({"name": None}, "/name", "Input should be a valid string"),
        ({"key": "Oil"}, "/key", BAD_KEY.format("Oil")),
        ({"children": []}, "/children", "Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_invalid_patch_is_422_and_changes_nothing(
    client: TestClient, changes: dict[str, Any], pointer: str, message: str
) -> None:
    before = stored(client, "oil")

    response = client.patch("/v1/sectors/oil", json=changes)

    assert_invalid(response, (pointer, message))
    assert stored(client, "oil") == before


@pytest.mark.usefixtures("energy")
def test_patch_to_a_taken_key_answers_409(client: TestClient) -> None:
    response = client.patch("/v1/sectors/crude", json={"key": "oil"})

    assert_problem(response, 409, "Another sector already has key 'oil'.")
    assert stored(client, "crude")["key"] == "crude"


@pytest.mark.usefixtures("energy")
@pytest.mark.parametrize("by", ["key", "id"])
def test_delete_answers_204_then_404_and_leaves_the_parent_childless(
    client: TestClient, by: str
) -> None:
    ref = stored(client, "crude")[by]

    response = client.delete(f"/v1/sectors/{ref}")

    assert (response.status_code, response.content) == (204, b"")
    assert client.get(f"/v1/sectors/{ref}").status_code == 404
    assert stored(client, "oil")["children"] == []


@pytest.mark.usefixtures("energy")
def test_a_referenced_sector_is_not_deleted_and_409_names_who_refers_to_it(
    client: TestClient, session: Session
) -> None:
    make_round(session, key="eu-oil-embargo", title="EU oil embargo", sectors=["oil"])
    make_engagement(session, key="g7-price-cap", title="G7 agrees price cap", sectors=["oil"])
    before = stored(client, "oil")

    response = client.delete("/v1/sectors/oil")

    assert_problem(
        response,
        409,
        "Sector 'oil' is still referred to by sectors 'crude', sanctions_rounds "
        "'eu-oil-embargo', engagements 'g7-price-cap'; change or delete those first.",
        referenced_by=[
            {"type": "sectors", "key": "crude", "name": "Crude oil"},
            {"type": "sanctions_rounds", "key": "eu-oil-embargo", "name": "EU oil embargo"},
            {"type": "engagements", "key": "g7-price-cap", "name": "G7 agrees price cap"},
        ],
        referenced_by_total=3,
    )
    assert stored(client, "oil") == before


# (key, name, parent, description) in name order
TREE = [
    ("banking", "Banking", "finance", "Correspondent accounts, SWIFT"),
    ("coal", "Coal", "energy", None),
    ("crude", "Crude oil", "oil", None),
    ("energy", "Energy", None, "Oil, gas, coal and power"),
    ("finance", "Financial services", None, "Banks, payments and capital markets"),
    ("gas", "Natural gas", "energy", "Pipeline gas and LNG"),
    ("oil", "Oil and petroleum products", "energy", None),
    ("technology", "Technology", None, "Semiconductors and dual-use goods"),
]
ALL = [row[0] for row in TREE]


@pytest.fixture
def tree(session: Session) -> None:
    for key in ("energy", "finance", "technology", "oil", "gas", "coal", "banking", "crude"):
        _, name, parent, description = next(row for row in TREE if row[0] == key)
        make_sector(session, key=key, name=name, parent=parent, description=description)


@pytest.mark.usefixtures("tree")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL),
        ("parent=energy", ["coal", "gas", "oil"]),
        ("parent=energy&parent=finance", ["banking", "coal", "gas", "oil"]),
        ("parent=oil", ["crude"]),
        ("parent=technology", []),
        ("parent=power", []),
        ("q=gas", ["energy", "gas"]),
        ("q=SWIFT", ["banking"]),
        ("q=semiconductor", ["technology"]),
        ("q=uranium", []),
        ("parent=energy&q=lng", ["gas"]),
        ("sort=-name", ALL[::-1]),
        ("sort=key", sorted(ALL)),
        ("sort=-key", sorted(ALL, reverse=True)),
    ],
)
def test_filters_and_sorts(client: TestClient, query: str, expected: list[str]) -> None:
    assert keys(client, query) == expected


@pytest.mark.usefixtures("tree")
def test_the_parent_filter_takes_an_id(client: TestClient) -> None:
    assert keys(client, f"parent={stored(client, 'finance')['id']}") == ["banking"]


@pytest.mark.parametrize(
    ("query", "pointer", "message"),
    [
        ("parent=Bad%20Key", "/parent/0", "'Bad Key' is neither a key nor an id"),
        ("parent=energy&parent=-1", "/parent/1", "'-1' is neither a key nor an id"),
        ("q=", "/q", "String should have at least 1 character"),
        ("sort=description", "/sort", "cannot sort by 'description'; choose one of created_at, id, key, name, updated_at (prefix '-' for descending)"),
        ("limit=501", "/limit", "Input should be less than or equal to 500"),
    ],
)  # fmt: skip
def test_bad_list_parameters_are_422(client: TestClient, query: str, pointer: str, message: str) -> None:  # fmt: skip
    response = client.get(f"/v1/sectors?{query}")

    assert_invalid(response, (pointer, message), where="query")


@pytest.mark.usefixtures("tree")
@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("field", ["name", "key", "created_at", "updated_at", "id"])
def test_every_sort_field_pages_through_all_sectors_in_order(
    client: TestClient, field: str, descending: bool
) -> None:
    records = [stored(client, key) for key in ALL]

    def order(record: dict[str, Any]) -> tuple[Any, int]:
        value = record[field]
        return (datetime.fromisoformat(value) if field.endswith("_at") else value), record["id"]

    expected = [record["key"] for record in sorted(records, key=order, reverse=descending)]
    sort = ("-" if descending else "") + field

    assert walk(client, f"/v1/sectors?limit=3&sort={sort}") == [
        expected[:3],
        expected[3:6],
        expected[6:],
    ]


@pytest.mark.usefixtures("tree")
def test_pages_count_the_total_and_an_exact_multiple_ends_cleanly(client: TestClient) -> None:
    first = client.get("/v1/sectors?limit=3").json()

    assert (first["total"], len(first["items"]), first["next_cursor"] is not None) == (8, 3, True)
    assert walk(client, "/v1/sectors?limit=4") == [ALL[:4], ALL[4:]]
    assert walk(client, "/v1/sectors?limit=500") == [ALL]


def test_an_empty_list_is_an_empty_envelope(client: TestClient) -> None:
    response = client.get("/v1/sectors")

    assert (response.json(), "link" in response.headers) == (
        {"items": [], "total": 0, "next_cursor": None},
        False,
    )


@pytest.mark.usefixtures("tree")
def test_a_sector_added_between_pages_shows_up_only_after_the_cursor(
    client: TestClient, session: Session
) -> None:
    first = client.get("/v1/sectors?limit=4").json()

    make_sector(session, key="aviation", name="Aviation")
    make_sector(session, key="shipping", name="Shipping")
    rest = walk(client, f"/v1/sectors?limit=4&cursor={first['next_cursor']}")

    assert [item["key"] for item in first["items"]] == ALL[:4]
    assert rest == [["finance", "gas", "oil", "shipping"], ["technology"]]
