"""iCalendar exports: parsed by the `icalendar` library, every event checked."""

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar, Component
from sqlalchemy.orm import Session

from tests.exports.data import lines
from tests.factories import make_engagement

SUMMARY = 'Sanctions; energy, and "the \\ NATO" ministerial.\nSecond line of a long summary ' + (
    "that goes on " * 12
)


@pytest.fixture
def engagements(session: Session) -> dict[str, dict[str, Any]]:
    made = [
        make_engagement(
            session,
            key="nato-ministerial",
            kind="ministerial",
            title="NATO Foreign Ministers, Brussels; day one",
            summary=SUMMARY,
            start_date="2022-04-06",
            end_date="2022-04-07",
            location={
                "city": "Brussels",
                "country": "BE",
                "latitude": 50.85045,
                "longitude": 4.34878,
            },
        ),
        make_engagement(session, key="blinken-truss-call", start_date="2022-04-01"),
        make_engagement(
            session,
            key="planned-visit",
            kind="visit",
            title="Planned visit to New Delhi",
            start_date="2022-04-20",
            status="planned",
            location={"country": "IN"},
        ),
        make_engagement(
            session,
            key="cancelled-summit",
            kind="summit",
            start_date="2022-05-01",
            status="cancelled",
        ),
    ]
    return {engagement["key"]: engagement for engagement in made}


def calendar(client: TestClient, query: str = "") -> tuple[bytes, Calendar]:
    response = client.get(f"/v1/engagements?format=ics{query}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="engagements-\d{8}\.ics"', response.headers["content-disposition"]
    )
    parsed = Calendar.from_ical(response.content)
    assert parsed.errors == []
    return response.content, parsed


def events(parsed: Calendar) -> dict[str, Component]:
    found = {}
    for event in parsed.walk("VEVENT"):
        assert event.errors == []
        found[str(event["UID"])] = event
    return found


def test_the_calendar_is_rfc5545_with_one_event_per_engagement(
    client: TestClient, engagements: dict[str, dict[str, Any]]
) -> None:
    body, parsed = calendar(client)

    parsed.validate()
    assert str(parsed["VERSION"]) == "2.0"
    assert str(parsed["CALSCALE"]) == "GREGORIAN"
    assert str(parsed["PRODID"]).startswith("-//Sanctions Diplomacy Tracker//")
    assert str(parsed["X-WR-CALNAME"]) == "Sanctions tracker engagements"
    assert sorted(events(parsed)) == sorted(f"{key}@sanctions-tracker" for key in engagements)
    text_lines = lines(body)
    assert text_lines[0] == "BEGIN:VCALENDAR"
    assert text_lines[-1] == "END:VCALENDAR"
    assert max(len(line.encode("utf-8")) for line in text_lines) <= 75


def test_events_are_all_day_and_end_the_day_after_the_end_date(
    client: TestClient, engagements: dict[str, dict[str, Any]]
) -> None:
    found = events(calendar(client)[1])
    stored = {item["key"]: item for item in client.get("/v1/engagements").json()["items"]}

    ministerial = found["nato-ministerial@sanctions-tracker"]
    assert ministerial.decoded("DTSTART") == date(2022, 4, 6)
    assert ministerial.decoded("DTEND") == date(2022, 4, 8)  # exclusive: 6 and 7 April
    assert ministerial["DTSTART"].params["VALUE"] == "DATE"
    assert str(ministerial["SUMMARY"]) == "NATO Foreign Ministers, Brussels; day one"
    assert str(ministerial["DESCRIPTION"]) == SUMMARY.strip()
    assert str(ministerial["LOCATION"]) == "Brussels, BE"
    assert (ministerial["GEO"].latitude, ministerial["GEO"].longitude) == (50.85045, 4.34878)
    assert str(ministerial["STATUS"]) == "CONFIRMED"
    assert ministerial["CATEGORIES"].cats == ["ministerial"]
    updated = datetime.fromisoformat(stored["nato-ministerial"]["updated_at"])
    assert ministerial.decoded("DTSTAMP") == updated.astimezone(UTC).replace(microsecond=0)

    call = found["blinken-truss-call@sanctions-tracker"]
    assert (call.decoded("DTSTART"), call.decoded("DTEND")) == (date(2022, 4, 1), date(2022, 4, 2))
    assert "DESCRIPTION" not in call
    assert "LOCATION" not in call


def test_planned_and_cancelled_engagements_are_included_with_their_status(
    client: TestClient, engagements: dict[str, dict[str, Any]]
) -> None:
    found = events(calendar(client)[1])

    assert {uid: str(event["STATUS"]) for uid, event in found.items()} == {
        "nato-ministerial@sanctions-tracker": "CONFIRMED",
        "blinken-truss-call@sanctions-tracker": "CONFIRMED",
        "planned-visit@sanctions-tracker": "TENTATIVE",
        "cancelled-summit@sanctions-tracker": "CANCELLED",
    }
    assert str(found["planned-visit@sanctions-tracker"]["LOCATION"]) == "IN"


def test_filters_apply_to_the_calendar(
    client: TestClient, engagements: dict[str, dict[str, Any]]
) -> None:
    found = events(calendar(client, "&status=planned&status=cancelled")[1])

    assert sorted(found) == [
        "cancelled-summit@sanctions-tracker",
        "planned-visit@sanctions-tracker",
    ]


def test_an_empty_selection_is_a_calendar_without_events(client: TestClient) -> None:
    body, parsed = calendar(client)

    assert list(parsed.walk("VEVENT")) == []
    assert lines(body)[-1] == "END:VCALENDAR"
