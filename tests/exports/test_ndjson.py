"""NDJSON exports: one JSON object per line, each exactly as the JSON list's items."""

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import (
    make_actor,
    make_engagement,
    make_organization,
    make_round,
    make_sector,
    make_source,
)


def ndjson(body: bytes) -> list[dict[str, Any]]:
    text = body.decode("utf-8")
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture
def records(session: Session) -> None:
    make_actor(session, key="antony-blinken", name="Antony Blinken")
    make_organization(session, key="nato", name="NATO", kind="alliance", country=None)
    make_sector(session, key="energy", name="Energy")
    make_source(session, key="reuters", title="Blinken, UK's Truss — “discuss” response")
    make_round(session, key="round", sectors=["energy"], sources=[{"source": "reuters"}])
    make_engagement(
        session,
        key="call",
        summary="Line one\nline two, with «quotes»",
        participants=[{"actor": "antony-blinken", "role": "principal"}],
        organizations=["nato"],
        location={"city": "Quito", "country": "EC", "latitude": -0.22985, "longitude": -78.52495},
        sources=[{"source": "reuters", "quote": "a quote"}],
    )
    make_engagement(session, key="meeting", kind="meeting", start_date="2022-03-01")


@pytest.mark.parametrize(
    "path",
    [
        "/v1/engagements",
        "/v1/engagements?kind=meeting",
        "/v1/sanctions-rounds",
        "/v1/actors",
        "/v1/organizations",
        "/v1/sectors",
        "/v1/sources",
        "/v1/countries?sort=-name",
    ],
)
def test_each_line_is_an_item_of_the_json_list(
    client: TestClient, records: None, path: str
) -> None:
    separator = "&" if "?" in path else "?"
    page = client.get(f"{path}{separator}limit=500").json()

    response = client.get(f"{path}{separator}format=ndjson")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    assert re.fullmatch(
        r'attachment; filename="[a-z-]+-\d{8}\.ndjson"', response.headers["content-disposition"]
    )
    assert ndjson(response.content) == page["items"]
    assert page["next_cursor"] is None


def test_an_empty_selection_is_an_empty_body(client: TestClient) -> None:
    response = client.get("/v1/engagements?format=ndjson")

    assert response.status_code == 200
    assert response.content == b""
