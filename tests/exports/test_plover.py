"""PLOVER exports: `format=plover` on engagements, one CONSULT event per line, with the mode,
the actors on each side, the date, the place and the sources."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sanctions_tracker.seed import seed_bundle, seed_if_empty
from tests.factories import make_engagement

TRIP = "2022-03-28-adeyemo-europe-sanctions-trip"


@pytest.fixture
def seeded(client: TestClient, session: Session) -> TestClient:
    seed_if_empty(session)
    session.commit()
    return client


def plover(client: TestClient, **params: Any) -> dict[str, dict[str, Any]]:
    answer = client.get("/v1/engagements", params={"format": "plover", **params})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/x-ndjson; profile=plover"
    assert answer.headers["content-disposition"].endswith('.plover.ndjson"')
    events = [json.loads(line) for line in answer.text.splitlines()]
    for event in events:
        assert event["event"] == ["CONSULT"]
        assert event["quad_code"] == 1
        assert event["source"]
    return {event["id"]: event for event in events}


def codes(actors: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(actor["code"], actor["actor_text"]) for actor in actors]


def test_the_blinken_truss_call_is_a_phone_consultation(seeded: TestClient) -> None:
    call = plover(seeded)["sdt-engagement-2022-04-01-blinken-truss-call"]
    record = next(
        record
        for record in seed_bundle()["engagements"]
        if record["key"] == "2022-04-01-blinken-truss-call"
    )

    assert call["date"] == "2022-04-01"
    assert "enddate" not in call
    assert call["mode"] == ["phone"]
    assert codes(call["source"]) == [("USA", "Antony Blinken")]
    assert codes(call["recipient"]) == [("GBR", "Liz Truss")]
    assert "event_loc" not in call
    assert call["cite_info"]["publication"] == "Reuters"
    assert call["cite_info"]["title"] == call["citations"][0]["title"]
    assert call["title"] == record["title"]


def test_the_legs_of_adeyemos_trip_are_visits_to_their_hosts(seeded: TestClient) -> None:
    legs = plover(seeded, parent=TRIP)
    bundle = seed_bundle()
    expected = {
        f"sdt-engagement-{record['key']}": record["location"]["country"]
        for record in bundle["engagements"]
        if record["parent"] == TRIP
    }
    alpha3 = {
        code: seeded.get(f"/v1/countries/{code}").json()["alpha3"] for code in expected.values()
    }

    assert set(legs) == set(expected)
    for key, event in legs.items():
        host = expected[key]
        assert event["mode"] == ["visit"]
        assert codes(event["source"]) == [("USA", "Wally Adeyemo")]
        assert [actor["code"] for actor in event["recipient"]] == [alpha3[host]]
        assert event["event_loc"]["country code"] == host
        assert event["event_loc"]["cc3"] == alpha3[host]


def test_modes_of_meetings_elsewhere_and_of_ministerials(seeded: TestClient) -> None:
    events = plover(seeded)

    rabat = events["sdt-engagement-2022-03-29-blinken-mohammed-bin-zayed-rabat"]
    assert rabat["mode"] == ["third-party"]
    assert [actor["code"] for actor in rabat["source"]] == ["USA"]
    assert {actor["code"] for actor in rabat["recipient"]} == {"ARE"}
    location = rabat["event_loc"]
    assert (location["name"], location["country code"], location["cc3"]) == ("Rabat", "MA", "MAR")
    assert isinstance(location["latitude"], float)
    assert isinstance(location["longitude"], float)

    nato = events["sdt-engagement-2022-04-06-nato-foreign-ministers-meeting"]
    assert nato["mode"] == ["multilateral"]
    assert "recipient" not in nato
    assert {"code": "IGO", "actor_text": "European Union"} in nato["source"]
    assert nato["enddate"] == "2022-04-07"


def test_only_consultations_are_events(seeded: TestClient) -> None:
    events = plover(seeded)

    assert set(events) == {
        f"sdt-engagement-{record['key']}"
        for record in seed_bundle()["engagements"]
        if record["kind"] not in ("statement", "other")
    }


def test_a_planned_engagement_is_in_the_future_context(
    client: TestClient, session: Session
) -> None:
    make_engagement(session, key="next-call", status="planned", start_date="2022-05-02")
    make_engagement(session, key="off", status="cancelled", date_precision="week")

    events = plover(client)

    assert events["sdt-engagement-next-call"]["context"] == ["future"]
    assert events["sdt-engagement-off"]["context"] == ["negation"]
    assert events["sdt-engagement-off"]["date_precision"] == "week"


def test_exports_are_identical_and_the_filters_apply(seeded: TestClient) -> None:
    first = seeded.get("/v1/engagements", params={"format": "plover", "country": "IN"})
    second = seeded.get("/v1/engagements", params={"format": "plover", "country": "IN"})
    page = seeded.get("/v1/engagements", params={"country": "IN"}).json()

    assert first.content == second.content
    ids = [json.loads(line)["id"] for line in first.text.splitlines()]
    assert ids == [f"sdt-engagement-{item['key']}" for item in page["items"]]


def test_plover_is_reached_by_format_only(seeded: TestClient) -> None:
    ndjson = seeded.get("/v1/engagements", headers={"Accept": "application/x-ndjson"})
    profiled = seeded.get(
        "/v1/engagements", headers={"Accept": "application/x-ndjson; profile=plover"}
    )

    assert ndjson.headers["content-type"] == "application/x-ndjson"
    assert profiled.headers["content-type"] == "application/x-ndjson"
