"""Countries over HTTP: the read-only ISO 3166-1 list plus EU that every record's codes use.

Expected values come from pycountry (the ISO data the migration was frozen from), read here
independently of the API; the short name is pycountry's common name where it has one."""

import base64
from typing import Any

import httpx
import pycountry
import pytest
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"
EU = {"code": "EU", "name": "European Union", "official_name": None, "alpha3": None, "numeric_code": None}  # fmt: skip
GB = {
    "code": "GB",
    "name": "United Kingdom",
    "official_name": "United Kingdom of Great Britain and Northern Ireland",
    "alpha3": "GBR",
    "numeric_code": "826",
}


def iso_countries() -> list[dict[str, Any]]:
    """Every ISO 3166-1 country plus EU, in code order."""
    countries = [
        {
            "code": country.alpha_2,
            "name": getattr(country, "common_name", None) or country.name,
            "official_name": getattr(country, "official_name", None),
            "alpha3": country.alpha_3,
            "numeric_code": country.numeric,
        }
        for country in pycountry.countries
    ]
    return sorted([*countries, EU], key=lambda country: country["code"])


def answer(response: httpx.Response) -> tuple[int, str, Any]:
    return response.status_code, response.headers["content-type"], response.json()


def codes(client: TestClient, query: str) -> list[str]:
    response = client.get(f"/v1/countries?{query}")
    assert response.status_code == 200, response.json()
    return [item["code"] for item in response.json()["items"]]


def walk(client: TestClient, url: str) -> list[list[str]]:
    """The codes of every page, following the Link header."""
    pages = []
    while True:
        response = client.get(url)
        body = response.json()
        pages.append([item["code"] for item in body["items"]])
        if body["next_cursor"] is None:
            assert "link" not in response.headers
            return pages
        assert body["total"] == len(iso_countries())
        url = response.headers["link"].removeprefix("<").removesuffix('>; rel="next"')
        assert len(pages) < 20, "the pages never end"


def test_the_list_holds_every_iso_country_and_the_eu(client: TestClient) -> None:
    """Countries are few: `limit=500` fetches them all in one page."""
    expected = iso_countries()

    response = client.get("/v1/countries?limit=500")

    assert response.json() == {"items": expected, "total": len(expected), "next_cursor": None}
    assert "link" not in response.headers
    assert len(expected) == 250


def test_the_default_page_holds_fifty_like_every_list(client: TestClient) -> None:
    response = client.get("/v1/countries")

    assert [item["code"] for item in response.json()["items"]] == [
        country["code"] for country in iso_countries()[:50]
    ]
    assert response.headers["link"].endswith('>; rel="next"')


@pytest.mark.parametrize(("code", "expected"), [("GB", GB), ("gb", GB), ("EU", EU)])
def test_get_a_country_by_its_code_in_any_case(
    client: TestClient, code: str, expected: dict[str, Any]
) -> None:
    assert client.get(f"/v1/countries/{code}").json() == expected


@pytest.mark.parametrize("code", ["UK", "XX", "GBR", "826"])
def test_an_unknown_code_answers_404(client: TestClient, code: str) -> None:
    response = client.get(f"/v1/countries/{code}")

    assert answer(response) == (
        404,
        PROBLEM,
        {
            "type": "/problems/not-found",
            "title": "Not found",
            "status": 404,
            "detail": f"No country with code {code!r}: use ISO 3166-1 alpha-2, or EU.",
            "instance": f"/v1/countries/{code}#request={response.headers['x-request-id']}",
        },
    )


def containing(text: str) -> list[str]:
    return [
        country["code"]
        for country in iso_countries()
        if text in country["name"].lower() or text in (country["official_name"] or "").lower()
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=korea", ["KP", "KR"]),
        ("q=KINGDOM", containing("kingdom")),
        ("q=union", containing("union")),
        ("q=GBR", ["GB"]),
        ("q=gb", ["GB"]),
        ("q=atlantis", []),
        ("q=guinea&sort=name", ["GQ", "GN", "GW", "PG"]),
        ("q=guinea&sort=-name", ["PG", "GW", "GN", "GQ"]),
        ("q=guinea&sort=-code", ["PG", "GW", "GQ", "GN"]),
    ],
)
def test_q_finds_names_official_names_and_exact_codes(
    client: TestClient, query: str, expected: list[str]
) -> None:
    assert codes(client, query) == expected


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_pages_walk_every_country_once_in_code_order(client: TestClient, descending: bool) -> None:
    expected = [country["code"] for country in iso_countries()]
    if descending:
        expected.reverse()

    pages = walk(client, "/v1/countries?limit=100&sort=" + ("-code" if descending else "code"))

    assert pages == [expected[:100], expected[100:200], expected[200:]]


def test_an_exact_multiple_of_the_page_size_ends_without_an_empty_page(client: TestClient) -> None:
    assert walk(client, "/v1/countries?limit=125") == [
        [country["code"] for country in iso_countries()[:125]],
        [country["code"] for country in iso_countries()[125:]],
    ]


def test_the_link_header_points_at_the_next_page(client: TestClient) -> None:
    response = client.get("/v1/countries?q=guinea&sort=name&limit=2")

    body = response.json()
    assert (body["total"], [item["code"] for item in body["items"]]) == (4, ["GQ", "GN"])
    assert response.headers["link"] == (
        "<http://testserver/v1/countries?q=guinea&sort=name&limit=2"
        f'&cursor={body["next_cursor"]}>; rel="next"'
    )
    next_page = response.headers["link"].removeprefix("<").removesuffix('>; rel="next"')
    assert walk(client, next_page) == [["GW", "PG"]]


@pytest.mark.parametrize(
    ("query", "pointer", "message"),
    [
        ("limit=501", "/limit", "Input should be less than or equal to 500"),
        ("limit=-1", "/limit", "Input should be greater than or equal to 0"),
        ("sort=alpha3", "/sort", "cannot sort by 'alpha3'; choose one of code, name (prefix '-' for descending)"),
        ("q=", "/q", "String should have at least 1 character"),
    ],
)  # fmt: skip
def test_bad_list_parameters_are_422(
    client: TestClient, query: str, pointer: str, message: str
) -> None:
    response = client.get(f"/v1/countries?{query}")

    assert answer(response) == (
        422,
        PROBLEM,
        {
            "type": "/problems/validation-error",
            "title": "Validation failed",
            "status": 422,
            "detail": message,
            "instance": f"/v1/countries#request={response.headers['x-request-id']}",
            "errors": [{"pointer": pointer, "message": message, "location": "query"}],
        },
    )


FOR_SORT_BY_NAME = base64.urlsafe_b64encode(b'{"s":"name","v":"Guinea","i":"GN"}').decode()


@pytest.mark.parametrize("cursor", ["garbage", FOR_SORT_BY_NAME])
def test_a_bad_cursor_is_400(client: TestClient, cursor: str) -> None:
    """A cursor keeps its sort: one made for sort=name does not page the default sort=code."""
    response = client.get(f"/v1/countries?cursor={cursor}")

    assert (response.status_code, response.headers["content-type"], response.json()["type"]) == (
        400,
        PROBLEM,
        "/problems/bad-request",
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/v1/countries"), ("PATCH", "/v1/countries/GB"), ("DELETE", "/v1/countries/GB")],
)
def test_countries_are_read_only(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, json={"code": "GB", "name": "Britain"})

    assert answer(response) == (
        405,
        PROBLEM,
        {
            "type": "/problems/method-not-allowed",
            "title": "Method not allowed",
            "status": 405,
            "detail": "Method Not Allowed",
            "instance": f"{path}#request={response.headers['x-request-id']}",
        },
    )
    assert client.get("/v1/countries/GB").json() == GB
