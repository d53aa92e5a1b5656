"""Choosing the answer's format: `format` first, then `Accept` with its q-values."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_engagement

LISTS = [
    "/v1/engagements",
    "/v1/sanctions-rounds",
    "/v1/actors",
    "/v1/organizations",
    "/v1/sectors",
    "/v1/sources",
    "/v1/countries",
]
FTM_LISTS = ["/v1/sanctions-rounds", "/v1/actors", "/v1/organizations"]
JSON = "application/json"
CSV = "text/csv; charset=utf-8; header=present"
NDJSON = "application/x-ndjson"
GEOJSON = "application/geo+json"
ICS = "text/calendar; charset=utf-8"


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        ("text/csv", CSV),
        ("text/csv; header=present; charset=utf-8", CSV),
        ("application/x-ndjson", NDJSON),
        ("application/geo+json", GEOJSON),
        ("text/calendar", ICS),
        ("text/*", CSV),
        ("application/*", JSON),
        ("text/csv, application/json", CSV),
        ("application/json, text/csv", JSON),
        ("text/csv;q=0.5, application/x-ndjson", NDJSON),
        ("text/csv;q=0.9, application/json;q=0.8", CSV),
        ("text/csv;q=0.5, */*;q=0.5", CSV),
        ("text/csv;q=0, */*", JSON),
        ("text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.8", JSON),
        ("text/html, text/calendar;q=0.1", ICS),
        ("application/json;q=bad, text/csv", CSV),
    ],
)
def test_accept_chooses_the_format(
    client: TestClient, accept: str | None, content_type: str
) -> None:
    headers = {"Accept": accept} if accept is not None else {}

    response = client.get("/v1/engagements", headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["vary"] == "Accept"


def test_the_format_parameter_wins_over_accept(client: TestClient) -> None:
    assert (
        client.get("/v1/engagements?format=ndjson", headers={"Accept": "text/csv"}).headers[
            "content-type"
        ]
        == NDJSON
    )
    assert (
        client.get("/v1/engagements?format=json", headers={"Accept": "text/csv"}).headers[
            "content-type"
        ]
        == JSON
    )


@pytest.mark.parametrize(
    "accept", ["text/html", "application/xml, image/*", "text/csv;q=0, application/json;q=0"]
)
def test_accept_naming_nothing_offered_is_a_406(client: TestClient, accept: str) -> None:
    response = client.get("/v1/engagements", headers={"Accept": accept})

    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    supported = [
        "application/json",
        "text/csv",
        "application/x-ndjson",
        "application/geo+json",
        "text/calendar",
        "application/json+ftm",
    ]
    assert response.json() == {
        "type": "/problems/not-acceptable",
        "title": "Not acceptable",
        "status": 406,
        "detail": f"None of the media types in Accept is offered here; ask for one of {', '.join(supported)} (or use the `format` parameter).",
        "instance": f"/v1/engagements#request={response.headers['x-request-id']}",
        "supported": supported,
    }
    assert client.get(response.json()["type"]).status_code == 200


@pytest.mark.parametrize("path", LISTS)
def test_an_unknown_format_is_a_422(client: TestClient, path: str) -> None:
    response = client.get(path, params={"format": "xlsx"})

    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == ["/format"]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_streams_csv_and_ndjson_and_says_it_varies(
    client: TestClient, path: str
) -> None:
    for export_format, content_type in (("csv", CSV), ("ndjson", NDJSON)):
        response = client.get(path, params={"format": export_format})
        assert response.status_code == 200
        assert response.headers["content-type"] == content_type
        assert response.headers["vary"] == "Accept"
    assert client.get(path).headers["vary"] == "Accept"


def test_bad_input_is_refused_before_any_file_starts(client: TestClient, session: Session) -> None:
    make_engagement(session)

    for query in ("sort=colour", "from=2022-04-02&to=2022-04-01", "country=UK", "facets=colour"):
        response = client.get(f"/v1/engagements?format=csv&{query}")
        assert response.status_code == 422, query
        assert response.headers["content-type"] == "application/problem+json"


def test_the_openapi_description_lists_each_lists_media_types(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    def answers(path: str) -> dict[str, Any]:
        return spec["paths"][path]["get"]["responses"]  # type: ignore[no-any-return]

    assert list(answers("/v1/engagements")["200"]["content"]) == [
        "application/json",
        "text/csv",
        "application/x-ndjson",
        "application/geo+json",
        "text/calendar",
        "application/json+ftm",
        "application/x-ndjson; profile=plover",
    ]
    for path in LISTS[1:]:
        interchange = ["application/json+ftm"] if path in FTM_LISTS else []
        assert list(answers(path)["200"]["content"]) == [
            "application/json",
            "text/csv",
            "application/x-ndjson",
            *interchange,
        ]
    for path in LISTS:
        problem = answers(path)["406"]["content"]["application/problem+json"]
        assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}
        assert problem["example"]["status"] == 406
        parameters = {
            parameter["name"]: parameter for parameter in spec["paths"][path]["get"]["parameters"]
        }
        assert {"sort", "limit", "cursor", "facets", "format"} <= set(parameters)
    page = spec["components"]["schemas"]["Page_EngagementRead_"]
    assert "facets" in page["properties"]
    assert "facets" not in page.get("required", [])
