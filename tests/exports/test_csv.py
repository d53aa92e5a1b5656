"""CSV exports: read back with Python's csv module the way a spreadsheet would open them."""

import codecs
import csv
import io
import re
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.exports.data import lines
from tests.factories import (
    make_actor,
    make_engagement,
    make_organization,
    make_round,
    make_sector,
    make_source,
)

ENGAGEMENT_HEADER = [
    "id",
    "key",
    "kind",
    "title",
    "summary",
    "start_date",
    "end_date",
    "date_precision",
    "status",
    "location_city",
    "location_country",
    "location_latitude",
    "location_longitude",
    "countries",
    "organizations",
    "participants",
    "topics",
    "sectors",
    "sanctions_rounds",
    "parent",
    "legs",
    "sources",
    "created_at",
    "updated_at",
    "version",
]


def read_csv(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.fixture
def meeting(session: Session) -> dict[str, Any]:
    make_actor(session, key="antony-blinken", name="Antony Blinken")
    make_actor(session, key="liz-truss", name="Liz Truss", country="GB")
    make_organization(session, key="us-department-of-state")
    make_sector(session, key="energy", name="Energy")
    make_source(session, key="reuters-2022-04-01")
    make_source(session, key="state-2022-04-01")
    make_round(session, key="us-2022-03-08-energy-import-ban")
    make_engagement(
        session,
        key="2022-03-30-blinken-trip",
        kind="trip",
        title="Blinken's trip",
        start_date="2022-03-30",
        end_date="2022-04-02",
    )
    return make_engagement(
        session,
        key="2022-04-01-blinken-truss-meeting",
        kind="meeting",
        title='Blinken and Truss, "face to face" in Lïondon',
        summary="Sanctions, energy;\nand the NATO ministerial.",
        start_date="2022-04-01",
        end_date="2022-04-02",
        status="held",
        location={"city": "London", "country": "GB", "latitude": 51.50853, "longitude": -0.12574},
        countries=["US", "GB"],
        organizations=["us-department-of-state"],
        participants=[
            {"actor": "antony-blinken", "role": "principal"},
            {"actor": "liz-truss", "role": "counterpart"},
        ],
        topics=["sanctions", "nato"],
        sectors=["energy"],
        sanctions_rounds=["us-2022-03-08-energy-import-ban"],
        parent="2022-03-30-blinken-trip",
        sources=[
            {"source": "reuters-2022-04-01", "quote": "The two discussed"},
            {"source": "state-2022-04-01"},
        ],
    )


def test_csv_is_utf8_with_bom_a_header_and_crlf(
    client: TestClient, meeting: dict[str, Any]
) -> None:
    response = client.get("/v1/engagements?format=csv")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    assert re.fullmatch(
        r'attachment; filename="engagements-\d{8}\.csv"', response.headers["content-disposition"]
    )
    assert response.content.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == ENGAGEMENT_HEADER
    assert len(rows) == 3
    assert lines(response.content)[0] == "\ufeff" + ",".join(ENGAGEMENT_HEADER)


def test_a_row_holds_scalars_keys_and_lists_joined_with_semicolons(
    client: TestClient, meeting: dict[str, Any]
) -> None:
    stored = client.get(f"/v1/engagements/{meeting['key']}").json()
    trip = client.get("/v1/engagements/2022-03-30-blinken-trip").json()

    rows = {row["key"]: row for row in read_csv(client.get("/v1/engagements?format=csv").content)}

    row = rows[meeting["key"]]
    timestamps = {name: row.pop(name) for name in ("created_at", "updated_at")}
    assert row.pop("version") == "1"
    assert row == {
        "id": str(stored["id"]),
        "key": "2022-04-01-blinken-truss-meeting",
        "kind": "meeting",
        "title": 'Blinken and Truss, "face to face" in Lïondon',
        "summary": "Sanctions, energy;\nand the NATO ministerial.",
        "start_date": "2022-04-01",
        "end_date": "2022-04-02",
        "date_precision": "day",
        "status": "held",
        "location_city": "London",
        "location_country": "GB",
        "location_latitude": "51.50853",
        "location_longitude": "-0.12574",
        "countries": "US;GB",
        "organizations": "us-department-of-state",
        "participants": "antony-blinken (principal);liz-truss (counterpart)",
        "topics": "sanctions;nato",
        "sectors": "energy",
        "sanctions_rounds": "us-2022-03-08-energy-import-ban",
        "parent": "2022-03-30-blinken-trip",
        "legs": "",
        "sources": "reuters-2022-04-01;state-2022-04-01",
    }
    for name, value in timestamps.items():
        assert datetime.fromisoformat(value) == datetime.fromisoformat(stored[name])
    assert rows["2022-03-30-blinken-trip"]["legs"] == meeting["key"]
    assert rows["2022-03-30-blinken-trip"]["location_latitude"] == ""
    assert rows["2022-03-30-blinken-trip"]["id"] == str(trip["id"])


def test_commas_quotes_and_newlines_are_quoted_and_numbers_are_not(
    client: TestClient, meeting: dict[str, Any]
) -> None:
    text = client.get("/v1/engagements?format=csv").content.decode("utf-8-sig")

    assert ',"Blinken and Truss, ""face to face"" in Lïondon",' in text
    assert ',"Sanctions, energy;\nand the NATO ministerial.",' in text
    assert ",London,GB,51.50853,-0.12574,US;GB," in text


@pytest.mark.parametrize(
    ("title", "cell"),
    [
        (
            '=HYPERLINK("http://evil.example","Click")',
            '\'=HYPERLINK("http://evil.example","Click")',
        ),
        ("+44 20 7008 1500 call", "'+44 20 7008 1500 call"),
        ("-1 day to the summit", "'-1 day to the summit"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("Plain = title - with + signs @ inside", "Plain = title - with + signs @ inside"),
    ],
)
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_escaped(
    client: TestClient, session: Session, title: str, cell: str
) -> None:
    make_engagement(
        session,
        key="formula",
        title=title,
        summary="=1+1",
        location={"city": "Quito", "country": "EC", "latitude": -0.22985, "longitude": -78.52495},
    )

    (row,) = read_csv(client.get("/v1/engagements?format=csv").content)

    assert row["title"] == cell
    assert row["summary"] == "'=1+1"
    assert (row["location_latitude"], row["location_longitude"]) == ("-0.22985", "-78.52495")


def test_an_empty_selection_is_the_header_alone(client: TestClient) -> None:
    response = client.get("/v1/engagements?format=csv&kind=summit")

    assert response.status_code == 200
    assert lines(response.content) == ["\ufeff" + ",".join(ENGAGEMENT_HEADER)]


def test_the_other_lists_have_their_own_columns(client: TestClient, session: Session) -> None:
    make_organization(session, key="uk-fcdo", name="Foreign, Commonwealth & Development Office")
    make_organization(session, key="uk-embassy", name="UK Embassy", parent="uk-fcdo")
    make_actor(
        session,
        key="liz-truss",
        name="Liz Truss",
        aliases=["Elizabeth Truss", "Mary Elizabeth Truss"],
        country="GB",
        positions=[
            {"title": "Foreign Secretary", "organization": "uk-fcdo", "start_date": "2021-09-15"},
            {"title": "Prime Minister"},
        ],
    )
    make_sector(session, key="energy", name="Energy")
    make_sector(session, key="oil", name="Oil", parent="energy")
    make_source(session, key="reuters", authors=["Daphne Psaledakis", "Chris Gallagher"])
    make_round(
        session,
        key="round",
        imposed_by=["US", "GB"],
        targets=["RU", "BY"],
        measures=["asset_freeze", "travel_ban"],
        sectors=["oil"],
        designations=34,
        sources=[{"source": "reuters"}],
    )

    def table(path: str) -> list[dict[str, str]]:
        response = client.get(path, params={"format": "csv"})
        assert response.status_code == 200
        return read_csv(response.content)

    (actor,) = table("/v1/actors")
    assert list(actor) == [
        "id", "key", "name", "aliases", "country", "wikidata_id", "positions", "created_at", "updated_at",
        "version",
    ]  # fmt: skip
    assert actor["aliases"] == "Elizabeth Truss;Mary Elizabeth Truss"
    assert actor["positions"] == "Foreign Secretary (uk-fcdo, 2021-09-15/..);Prime Minister"
    (sanctions_round,) = table("/v1/sanctions-rounds")
    assert {name: sanctions_round[name] for name in ("imposed_by", "targets", "measures")} == {
        "imposed_by": "US;GB",
        "targets": "RU;BY",
        "measures": "asset_freeze;travel_ban",
    }
    assert (sanctions_round["sectors"], sanctions_round["designations"]) == ("oil", "34")
    assert sanctions_round["sources"] == "reuters"
    organizations = {row["key"]: row for row in table("/v1/organizations")}
    assert organizations["uk-embassy"]["parent"] == "uk-fcdo"
    assert organizations["uk-fcdo"]["name"] == "Foreign, Commonwealth & Development Office"
    sectors = {row["key"]: row for row in table("/v1/sectors")}
    assert (sectors["energy"]["children"], sectors["oil"]["parent"]) == ("oil", "energy")
    (source,) = table("/v1/sources")
    assert source["authors"] == "Daphne Psaledakis;Chris Gallagher"
    countries = table("/v1/countries")
    assert len(countries) == 250
    assert next(row for row in countries if row["code"] == "GB") == {
        "code": "GB",
        "name": "United Kingdom",
        "official_name": "United Kingdom of Great Britain and Northern Ireland",
        "alpha3": "GBR",
        "numeric_code": "826",
    }


def test_each_element_of_a_list_is_defused_too(client: TestClient, session: Session) -> None:
    """Splitting a `;`-joined cell into columns must not expose a formula either."""
    make_organization(
        session,
        key="g7",
        name="Group of Seven",
        aliases=["G7-Präsidentschaft", "=cmd|' /C calc'!A0", "@G7"],
    )

    rows = read_csv(client.get("/v1/organizations?format=csv").content)

    assert [row["aliases"] for row in rows] == ["G7-Präsidentschaft;'=cmd|' /C calc'!A0;'@G7"]
