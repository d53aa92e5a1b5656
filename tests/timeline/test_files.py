"""The timeline as files: every matching item, in timeline order, not paged."""

import csv
import io
import json
from datetime import date, timedelta
from typing import Any

import icalendar

from tests.generated import GeneratedStore


def walk(store: GeneratedStore, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = store.client.get(
            "/v1/timeline",
            params={**params, "limit": 500, **({"cursor": cursor} if cursor else {})},
        ).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_ndjson_holds_every_item_exactly_as_the_pages_do(generated_store: GeneratedStore) -> None:
    answer = generated_store.client.get("/v1/timeline", params={"format": "ndjson", "limit": 3})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/x-ndjson"
    assert answer.headers["content-disposition"].startswith('attachment; filename="timeline-')
    lines = [json.loads(line) for line in answer.text.splitlines()]
    assert len(lines) > 500
    assert lines == walk(generated_store)


def test_csv_has_one_row_per_item_of_either_type(generated_store: GeneratedStore) -> None:
    answer = generated_store.client.get(
        "/v1/timeline", params={"format": "csv", "country": "RU", "order": "asc"}
    )
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))
    items = walk(generated_store, country="RU", order="asc")
    assert [(row["type"], row["key"], row["date"]) for row in rows] == [
        (item["type"], item["key"], item["date"]) for item in items
    ]
    round_row = next(row for row in rows if row["type"] == "sanctions_round")
    round_item = next(item for item in items if item["key"] == round_row["key"])
    assert round_row["imposed_by"] == ";".join(round_item["imposed_by"])
    assert round_row["kind"] == ""  # an engagement's column, empty for a round


def test_the_calendar_holds_the_engagements_among_the_items(
    generated_store: GeneratedStore,
) -> None:
    params = {"from": "2022-02-01", "to": "2022-03-31", "country": "US"}
    answer = generated_store.client.get(
        "/v1/timeline", params=params, headers={"Accept": "text/calendar"}
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(answer.content)
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    engagements = [item for item in walk(generated_store, **params) if item["type"] == "engagement"]
    assert set(events) == {f"{item['key']}@sanctions-tracker" for item in engagements}
    for item in engagements:
        event = events[f"{item['key']}@sanctions-tracker"]
        end = date.fromisoformat(item["end_date"] or item["start_date"])
        assert event.decoded("dtstart") == date.fromisoformat(item["start_date"])
        assert event.decoded("dtend") == end + timedelta(days=1)


def test_the_map_holds_the_located_engagements(generated_store: GeneratedStore) -> None:
    answer = generated_store.client.get("/v1/timeline", params={"format": "geojson"})
    assert answer.headers["content-type"] == "application/geo+json"
    collection = answer.json()
    located = [
        item
        for item in walk(generated_store)
        if item["type"] == "engagement"
        and item["location"]
        and item["location"]["latitude"] is not None
    ]
    assert collection["type"] == "FeatureCollection"
    assert [feature["id"] for feature in collection["features"]] == [i["key"] for i in located]
    for feature, item in zip(collection["features"], located, strict=True):
        assert feature["geometry"]["coordinates"] == [
            item["location"]["longitude"],
            item["location"]["latitude"],
        ]


def test_a_file_is_tagged_and_revalidates(generated_store: GeneratedStore) -> None:
    client = generated_store.client
    first = client.get("/v1/timeline", params={"format": "csv", "country": "IN"})
    tag = first.headers["etag"]
    again = client.get(
        "/v1/timeline", params={"format": "csv", "country": "IN"}, headers={"If-None-Match": tag}
    )
    assert (again.status_code, again.content) == (304, b"")
    other = client.get("/v1/timeline", params={"format": "csv", "country": "FR"})
    assert other.headers["etag"] != tag


def test_an_unoffered_media_type_is_a_406(generated_store: GeneratedStore) -> None:
    answer = generated_store.client.get("/v1/timeline", headers={"Accept": "image/png"})
    assert answer.status_code == 406
    assert answer.headers["content-type"] == "application/problem+json"
    answer = generated_store.client.get("/v1/timeline", params={"format": "xlsx"})
    assert answer.status_code == 422


def test_record_formats_are_not_offered_for_its_items(generated_store: GeneratedStore) -> None:
    """FtM and PLOVER describe records, which the lists and the export offer; a timeline's
    items are cards, so asking it for either is refused, not answered with plain items."""
    client = generated_store.client
    for name in ("ftm", "plover"):
        answer = client.get("/v1/timeline", params={"format": name})
        assert answer.status_code == 422, name
        assert answer.headers["content-type"] == "application/problem+json"
    answer = client.get("/v1/timeline", headers={"Accept": "application/json+ftm"})
    assert answer.status_code == 406
