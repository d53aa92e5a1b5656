"""Actors over HTTP: people and the positions they held, and the question the list answers best,
"who held this post on that day"."""

from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_actor, make_engagement, make_organization

PROBLEM = "application/problem+json"
TITLES = {
    400: ("bad-request", "Bad request"),
    404: ("not-found", "Not found"),
    409: ("conflict", "Conflict"),
    422: ("validation-error", "Validation failed"),
}
FCDO = {"key": "uk-fcdo", "name": "Foreign, Commonwealth and Development Office", "country": "GB"}
TRUSS = {
    "key": "liz-truss",
    "name": "Liz Truss",
    "aliases": ["Elizabeth Truss", "Mary Elizabeth Truss"],
    "country": "GB",
    "wikidata_id": "Q7656013",
    "positions": [
        {"title": "Foreign Secretary", "organization": "uk-fcdo",
         "start_date": "2021-09-15", "end_date": "2022-09-06"},
        {"title": "Prime Minister", "organization": None,
         "start_date": "2022-09-06", "end_date": "2022-10-25"},
    ],
}  # fmt: skip
BAD_KEY = (
    "{!r} is not a valid key: use lower-case letters, digits and '-', start with a letter "
    "or digit, at most 128 characters, at least one letter"
)


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
    response = client.get(f"/v1/actors/{ref}")
    assert response.status_code == 200, response.json()
    return dict(response.json())


def organization(client: TestClient, key: str) -> dict[str, Any]:
    record = client.get(f"/v1/organizations/{key}").json()
    return {"id": record["id"], "key": record["key"], "name": record["name"]}


def keys(client: TestClient, query: str) -> list[str]:
    response = client.get(f"/v1/actors?{query}")
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


def test_create_actor_answers_201_with_location_and_embedded_references(
    client: TestClient, session: Session
) -> None:
    make_organization(session, **FCDO)

    response = client.post("/v1/actors", json=TRUSS)

    body = response.json()
    foreign_secretary, prime_minister = TRUSS["positions"]
    assert response.status_code == 201
    assert response.headers["location"] == "http://testserver/v1/actors/liz-truss"
    positions = [foreign_secretary | {"organization": organization(client, "uk-fcdo")}, prime_minister]  # fmt: skip
    timestamps = {"created_at": body["created_at"], "updated_at": body["created_at"], "version": 1}
    assert body == TRUSS | {"id": body["id"], "positions": positions} | timestamps
    assert client.get(response.headers["location"]).json() == body
    assert client.get(f"/v1/actors/{body['id']}").json() == body


def test_create_fills_defaults(client: TestClient) -> None:
    body = client.post("/v1/actors", json={"key": "daleep-singh", "name": "Daleep Singh"}).json()

    assert body == {"key": "daleep-singh", "name": "Daleep Singh", "aliases": [], "country": None, "wikidata_id": None,
                    "positions": [], "version": 1} | {k: body[k] for k in ("id", "created_at", "updated_at")}  # fmt: skip


def test_create_with_a_taken_key_answers_409(client: TestClient, session: Session) -> None:
    make_actor(session, key="liz-truss", name="Liz Truss")
    before = stored(client, "liz-truss")

    response = client.post("/v1/actors", json=TRUSS | {"positions": []})

    assert stored(client, "liz-truss") == before
    assert_problem(response, 409, "An actor with key 'liz-truss' already exists; PATCH /v1/actors/liz-truss changes it.")  # fmt: skip


def position(**overrides: Any) -> list[dict[str, Any]]:
    return [TRUSS["positions"][0] | overrides]


@pytest.mark.parametrize(
    ("change", "pointer", "message"),
    [
        ({"positions": position(organization="fcdo")}, "/positions/0/organization", "unknown organization 'fcdo': it is neither in this request nor stored"),
        ({"positions": position(organization="FCDO")}, "/positions/0/organization", BAD_KEY.format("FCDO")),
        ({"positions": [*position(), *position(start_date="2022-09-06", end_date="2022-09-05")]}, "/positions/1/end_date", "end_date 2022-09-05 is before start_date 2022-09-06"),
        ({"positions": position(title=" ")}, "/positions/0/title", "must not be empty"),
        ({"positions": position(department="FCDO")}, "/positions/0/department", "Extra inputs are not permitted"),
        ({"country": "XX"}, "/country", "unknown country code 'XX': use ISO 3166-1 alpha-2, or EU"),
        ({"country": "UK"}, "/country", "'UK' is not an ISO 3166-1 code; use 'GB'"),
        ({"key": "Bad Key"}, "/key", BAD_KEY.format("Bad Key")),
        ({"key": "123"}, "/key", BAD_KEY.format("123")),
        ({"aliases": ["Truss", "Truss"]}, "/aliases", "'Truss' is listed twice"),
        ({"wikidata_id": "Q0"}, "/wikidata_id", "String should match pattern '^Q[1-9][0-9]*$'"),
        ({"party": "Conservative"}, "/party", "Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_invalid_actor_is_422_with_a_pointer_and_nothing_is_written(
    client: TestClient, session: Session, change: dict[str, Any], pointer: str, message: str
) -> None:
    make_organization(session, **FCDO)

    response = client.post("/v1/actors", json=TRUSS | change)

    assert_invalid(response, (pointer, message))
    assert client.get("/v1/actors").json() == {"items": [], "total": 0, "next_cursor": None}


def test_every_unknown_organization_is_reported(client: TestClient) -> None:
    response = client.post("/v1/actors", json=TRUSS | {"positions": [
        held("Foreign Secretary", "uk-fcdo", None, None), held("Prime Minister", "uk-cabinet-office", None, None)]})  # fmt: skip

    assert_invalid(
        response,
        ("/positions/0/organization", "unknown organization 'uk-fcdo': it is neither in this request nor stored"),
        ("/positions/1/organization", "unknown organization 'uk-cabinet-office': it is neither in this request nor stored"),
    )  # fmt: skip
    assert client.get("/v1/actors/liz-truss").status_code == 404


def test_an_alias_longer_than_the_store_holds_is_422_not_500(client: TestClient) -> None:
    """Actor aliases hold 300 characters in the database."""
    response = client.post("/v1/actors", json={"key": "a", "name": "A", "aliases": ["A" * 301]})

    assert (response.status_code, [e["pointer"] for e in response.json().get("errors", [])]) == (
        422,
        ["/aliases/0"],
    )


def test_get_an_unknown_actor_answers_404(client: TestClient) -> None:
    response = client.get("/v1/actors/boris-johnson")

    assert_problem(response, 404, "No actor with key 'boris-johnson'.")


def test_patch_keeps_what_was_not_sent_and_replaces_lists_whole(
    client: TestClient, session: Session
) -> None:
    make_organization(session, **FCDO)
    make_actor(session, **TRUSS)
    before = stored(client, "liz-truss")
    changes = {"aliases": ["Elizabeth Truss"], "positions": position(end_date=None)}

    body = client.patch("/v1/actors/liz-truss", json=changes).json()

    assert body == before | {
        "aliases": ["Elizabeth Truss"],
        "positions": [before["positions"][0] | {"end_date": None}],
        "updated_at": body["updated_at"],
        "version": 2,
    }
    assert datetime.fromisoformat(body["updated_at"]) > datetime.fromisoformat(before["updated_at"])
    assert stored(client, "liz-truss") == body
    emptied = client.patch("/v1/actors/liz-truss", json={"positions": [], "country": None}).json()
    assert emptied == body | {"positions": [], "country": None, "updated_at": emptied["updated_at"], "version": 3}  # fmt: skip


def test_patch_renames_the_key_and_engagements_embed_the_new_one(
    client: TestClient, session: Session
) -> None:
    make_actor(session, **TRUSS | {"positions": []})
    make_engagement(session, key="call", participants=[{"actor": "liz-truss", "role": "principal"}])
    actor_id = stored(client, "liz-truss")["id"]

    body = client.patch(f"/v1/actors/{actor_id}", json={"key": "elizabeth-truss"}).json()

    assert (body["id"], body["key"]) == (actor_id, "elizabeth-truss")
    assert client.get("/v1/actors/liz-truss").status_code == 404
    assert client.get("/v1/engagements/call").json()["participants"] == [
        {"actor": {"id": actor_id, "key": "elizabeth-truss", "name": "Liz Truss"}, "role": "principal"}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "pointer", "message"),
    [
        ({"positions": position(organization="fcdo")}, "/positions/0/organization", "unknown organization 'fcdo': it is neither in this request nor stored"),
        ({"positions": position(start_date="2023-01-01")}, "/positions/0/end_date", "end_date 2022-09-06 is before start_date 2023-01-01"),
        ({"country": "UK"}, "/country", "'UK' is not an ISO 3166-1 code; use 'GB'"),
        ({"name": None}, "/name", "Input should be a valid string"),
        ({"positions": None}, "/positions", "Input should be a valid list"),
        ({"nickname": "Liz"}, "/nickname", "Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_invalid_patch_is_422_and_changes_nothing(
    client: TestClient, session: Session, changes: dict[str, Any], pointer: str, message: str
) -> None:
    make_organization(session, **FCDO)
    make_actor(session, **TRUSS)
    before = stored(client, "liz-truss")

    response = client.patch("/v1/actors/liz-truss", json=changes)

    assert_invalid(response, (pointer, message))
    assert stored(client, "liz-truss") == before


def test_patch_to_a_taken_key_answers_409(client: TestClient, session: Session) -> None:
    make_actor(session, key="liz-truss", name="Liz Truss")
    make_actor(session, key="james-cleverly", name="James Cleverly")

    response = client.patch("/v1/actors/james-cleverly", json={"key": "liz-truss"})

    assert_problem(response, 409, "Another actor already has key 'liz-truss'.")


@pytest.mark.parametrize("by", ["key", "id"])
def test_delete_answers_204_then_404_and_frees_the_organization(
    client: TestClient, session: Session, by: str
) -> None:
    make_organization(session, **FCDO)
    make_actor(session, **TRUSS)
    ref = stored(client, "liz-truss")[by]

    response = client.delete(f"/v1/actors/{ref}")

    assert (response.status_code, response.content) == (204, b"")
    assert client.get(f"/v1/actors/{ref}").status_code == 404
    assert client.delete("/v1/organizations/uk-fcdo").status_code == 204


def test_a_participant_is_not_deleted_and_409_names_the_engagements(
    client: TestClient, session: Session
) -> None:
    make_actor(session, **TRUSS | {"positions": []})
    for key, title in [("call", "Blinken-Truss call"), ("meeting", "Truss meets Kuleba")]:
        make_engagement(session, key=key, title=title, participants=[{"actor": "liz-truss", "role": "principal"}])  # fmt: skip
    before = stored(client, "liz-truss")

    response = client.delete("/v1/actors/liz-truss")

    assert_problem(
        response,
        409,
        "Actor 'liz-truss' is still referred to by engagements 'call', engagements 'meeting'; "
        "change or delete those first.",
        referenced_by=[
            {"type": "engagements", "key": "call", "name": "Blinken-Truss call"},
            {"type": "engagements", "key": "meeting", "name": "Truss meets Kuleba"},
        ],
        referenced_by_total=2,
    )
    assert stored(client, "liz-truss") == before


def held(title: str, org: str | None, start: str | None, end: str | None) -> dict[str, Any]:
    return {"title": title, "organization": org, "start_date": start, "end_date": end}


# in name order
PEOPLE = [
    ("antony-blinken", "Antony Blinken", "US", [], [held("Secretary of State", "us-state", "2021-01-26", None)]),
    ("dmytro-kuleba", "Dmytro Kuleba", "UA", ["Kuleba"], [held("Minister of Foreign Affairs", None, None, "2024-09-05")]),
    ("dominic-raab", "Dominic Raab", "GB", [], [held("Foreign Secretary", "uk-fcdo", "2019-07-24", "2021-09-15")]),
    ("james-cleverly", "James Cleverly", "GB", [], [held("Foreign Secretary", "uk-fcdo", "2022-09-06", None)]),
    ("liz-truss", "Liz Truss", "GB", ["Elizabeth Truss"], [held("Foreign Secretary", "uk-fcdo", "2021-09-15", "2022-09-06"),
                                                          held("Prime Minister", "uk-cabinet-office", "2022-09-06", "2022-10-25")]),
    ("mike-pompeo", "Mike Pompeo", "US", [], [held("Secretary of State", "us-state", "2018-04-26", "2021-01-20")]),
]  # fmt: skip
ALL = [row[0] for row in PEOPLE]


@pytest.fixture
def people(session: Session) -> None:
    make_organization(session, **FCDO)
    make_organization(session, key="uk-cabinet-office", name="Cabinet Office", country="GB")
    make_organization(session, key="us-state", name="U.S. Department of State", country="US")
    for key, name, country, aliases, positions in reversed(PEOPLE):
        make_actor(session, key=key, name=name, country=country, aliases=aliases, positions=positions)  # fmt: skip


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL),
        ("country=GB&position=Foreign%20Secretary&on=2022-03-01", ["liz-truss"]),
        ("position=foreign%20SECRETARY&on=2021-09-15", ["dominic-raab", "liz-truss"]),
        ("position=Foreign%20Secretary&on=2030-01-01", ["james-cleverly"]),
        ("position=Foreign%20Secretary&on=2019-01-01", []),
        ("position=Prime%20Minister&on=2022-03-01", []),
        ("position=Foreign", []),
        ("position=Minister%20of%20Foreign%20Affairs&on=1990-01-01", ["dmytro-kuleba"]),
        ("on=2020-06-01", ["dmytro-kuleba", "dominic-raab", "mike-pompeo"]),
        ("organization=uk-fcdo", ["dominic-raab", "james-cleverly", "liz-truss"]),
        ("organization=uk-fcdo&on=2020-01-01", ["dominic-raab"]),
        ("organization=uk-cabinet-office&position=Foreign%20Secretary", []),
        ("organization=us-state&organization=uk-cabinet-office", ["antony-blinken", "liz-truss", "mike-pompeo"]),
        ("organization=nato", []),
        ("country=US", ["antony-blinken", "mike-pompeo"]),
        ("country=us&country=UA", ["antony-blinken", "dmytro-kuleba", "mike-pompeo"]),
        ("country=FR", []),
        ("q=elizabeth", ["liz-truss"]),
        ("q=RAAB", ["dominic-raab"]),
        ("q=kuleba", ["dmytro-kuleba"]),
        ("q=lavrov", []),
        ("sort=-name", ALL[::-1]),
        ("sort=key&country=GB", ["dominic-raab", "james-cleverly", "liz-truss"]),
    ],
)  # fmt: skip
def test_filters_and_sorts(client: TestClient, query: str, expected: list[str]) -> None:
    assert keys(client, query) == expected


@pytest.mark.usefixtures("people")
def test_the_organization_filter_takes_an_id(client: TestClient) -> None:
    state_id = organization(client, "us-state")["id"]

    assert keys(client, f"organization={state_id}") == ["antony-blinken", "mike-pompeo"]


@pytest.mark.usefixtures("people")
def test_an_organization_id_beyond_the_integer_range_matches_nothing(client: TestClient) -> None:
    response = client.get("/v1/actors?organization=99999999999999999999")

    assert (response.status_code, response.json()) == (
        200,
        {"items": [], "total": 0, "next_cursor": None},
    )


@pytest.mark.parametrize(
    ("query", "pointer", "message"),
    [
        ("on=2022-02-30", "/on", "Input should be a valid date or datetime, day value is outside expected range"),
        ("country=UK", "/country/0", "unknown country code 'UK': use ISO 3166-1 alpha-2, or EU; use 'GB'"),
        ("organization=uk-fcdo&organization=UK%20FCDO", "/organization/1", "'UK FCDO' is neither a key nor an id"),
        ("position=", "/position", "String should have at least 1 character"),
        ("sort=country", "/sort", "cannot sort by 'country'; choose one of created_at, id, key, name, updated_at (prefix '-' for descending)"),
        ("limit=501", "/limit", "Input should be less than or equal to 500"),
    ],
)  # fmt: skip
def test_bad_list_parameters_are_422(client: TestClient, query: str, pointer: str, message: str) -> None:  # fmt: skip
    response = client.get(f"/v1/actors?{query}")

    assert_invalid(response, (pointer, message), where="query")


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("field", ["name", "key", "created_at", "updated_at", "id"])
def test_every_sort_field_pages_through_all_actors_in_order(
    client: TestClient, field: str, descending: bool
) -> None:
    records = [stored(client, key) for key in ALL]

    def order(record: dict[str, Any]) -> tuple[Any, int]:
        value = record[field]
        return (datetime.fromisoformat(value) if field.endswith("_at") else value), record["id"]

    expected = [record["key"] for record in sorted(records, key=order, reverse=descending)]
    sort = ("-" if descending else "") + field

    assert walk(client, f"/v1/actors?limit=4&sort={sort}") == [expected[:4], expected[4:]]


@pytest.mark.usefixtures("people")
def test_pages_keep_repeated_filters_in_the_link_header(client: TestClient) -> None:
    response = client.get("/v1/actors?country=GB&country=US&limit=2")

    body = response.json()
    assert response.headers["link"] == (
        f'<http://testserver/v1/actors?country=GB&country=US&limit=2&cursor={body["next_cursor"]}>; rel="next"'
    )  # fmt: skip
    assert walk(client, "/v1/actors?country=GB&country=US&limit=2") == [
        ["antony-blinken", "dominic-raab"],
        ["james-cleverly", "liz-truss"],
        ["mike-pompeo"],
    ]
    assert [body["total"], len(body["items"])] == [5, 2]
    assert walk(client, "/v1/actors?country=GB&limit=3") == [["dominic-raab", "james-cleverly", "liz-truss"]]  # fmt: skip


@pytest.mark.usefixtures("people")
def test_an_actor_added_between_pages_shows_up_only_after_the_cursor(
    client: TestClient, session: Session
) -> None:
    first = client.get("/v1/actors?limit=3").json()

    make_actor(session, key="annalena-baerbock", name="Annalena Baerbock", country="DE")
    make_actor(session, key="jean-yves-le-drian", name="Jean-Yves Le Drian", country="FR")
    rest = walk(client, f"/v1/actors?limit=3&cursor={first['next_cursor']}")

    assert [item["key"] for item in first["items"]] == ALL[:3]
    assert rest == [["james-cleverly", "jean-yves-le-drian", "liz-truss"], ["mike-pompeo"]]


def test_an_empty_list_is_an_empty_envelope(client: TestClient) -> None:
    response = client.get("/v1/actors?limit=1")

    assert (response.json(), "link" in response.headers) == (
        {"items": [], "total": 0, "next_cursor": None},
        False,
    )
