"""FollowTheMoney exports: `format=ftm` on the lists and on `/v1/export`, one entity per line,
each valid for the `followthemoney` library, with every entity it refers to in the same file."""

import json
from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient
from followthemoney import model
from followthemoney.proxy import EntityProxy
from sqlalchemy.orm import Session

from sanctions_tracker.seed import seed_bundle, seed_if_empty
from tests.exports.data import bulk_engagements, import_records
from tests.factories import make_actor, make_engagement, make_organization, make_round, make_source

LISTS = ["/v1/engagements", "/v1/sanctions-rounds", "/v1/actors", "/v1/organizations"]


@pytest.fixture
def seeded(client: TestClient, session: Session) -> TestClient:
    seed_if_empty(session)
    session.commit()
    return client


def lines(body: bytes) -> list[dict[str, Any]]:
    text = body.decode("utf-8")
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def validated(body: bytes) -> dict[str, EntityProxy]:
    """The file's entities by id, each checked by `followthemoney`: a known, concrete schema,
    its required properties, values that FtM's own cleaning keeps as they are, and references
    to entities of the right schema in the same file."""
    entities: dict[str, EntityProxy] = {}
    for line in lines(body):
        proxy = model.get_proxy(line, cleaned=False)
        assert not proxy.schema.abstract, line
        assert proxy.id
        assert line["id"].startswith("sdt-")
        missing = [name for name in proxy.schema.required if not proxy.has(name)]
        assert missing == [], line
        cleaned = {name: sorted(values) for name, values in proxy.properties.items()}
        assert cleaned == {name: sorted(values) for name, values in line["properties"].items()}
        if proxy.id in entities:  # a repeated id may only add to what the file says
            entities[proxy.id].merge(proxy)
        else:
            entities[proxy.id] = proxy
    for proxy in entities.values():
        for prop, value in proxy.itervalues():
            if prop.type.name == "entity":
                assert value in entities, f"{proxy.id} {prop.name} -> {value} is missing"
                assert prop.range is not None
                assert entities[value].schema.is_a(prop.range)
    return entities


def ftm(client: TestClient, path: str) -> dict[str, EntityProxy]:
    answer = client.get(path + ("&" if "?" in path else "?") + "format=ftm")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json+ftm"
    assert answer.headers["content-disposition"].endswith('.ftm.json"')
    return validated(answer.content)


def of_schema(entities: dict[str, EntityProxy], schema: str) -> set[str]:
    return {key for key, proxy in entities.items() if proxy.schema.name == schema}


@pytest.mark.parametrize("path", [*LISTS, "/v1/export"])
def test_every_line_is_a_valid_entity_and_the_file_is_self_contained(
    seeded: TestClient, path: str
) -> None:
    assert ftm(seeded, path)


def test_the_whole_store_holds_every_record_once_under_a_stable_id(seeded: TestClient) -> None:
    first = seeded.get("/v1/export", params={"format": "ftm"})
    second = seeded.get("/v1/export", params={"format": "ftm"})

    assert first.content == second.content
    ids = Counter(line["id"] for line in lines(first.content))
    assert [key for key, count in ids.items() if count > 1] == []
    bundle = seed_bundle()
    entities = validated(first.content)
    expected = {
        "Event": {f"sdt-engagement-{record['key']}" for record in bundle["engagements"]},
        "Person": {f"sdt-actor-{record['key']}" for record in bundle["actors"]},
        "Article": {f"sdt-source-{record['key']}" for record in bundle["sources"]},
    }
    for schema, keys in expected.items():
        assert of_schema(entities, schema) == keys
    organizations = {
        key
        for key, proxy in entities.items()
        if proxy.schema.name in ("Organization", "PublicBody")
    }
    assert organizations == {f"sdt-organization-{o['key']}" for o in bundle["organizations"]}
    sanctions = {
        proxy.first("recordId") for proxy in entities.values() if proxy.schema.name == "Sanction"
    }
    assert sanctions == {record["key"] for record in bundle["sanctions_rounds"]}


def test_the_bundle_stays_the_default_export(seeded: TestClient) -> None:
    answer = seeded.get("/v1/export")
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["format"] == "sanctions-tracker-bundle/1"


def test_an_engagement_is_an_event_with_its_people_place_and_sources(seeded: TestClient) -> None:
    entities = ftm(seeded, "/v1/engagements?kind=call")

    assert of_schema(entities, "Event") == {"sdt-engagement-2022-04-01-blinken-truss-call"}
    call = entities["sdt-engagement-2022-04-01-blinken-truss-call"].to_dict()["properties"]
    assert call["startDate"] == ["2022-04-01"]
    assert sorted(call["country"]) == ["gb", "us"]
    assert call["organizer"] == ["sdt-actor-antony-blinken"]
    assert sorted(call["involved"]) == [
        "sdt-actor-antony-blinken",
        "sdt-actor-liz-truss",
        "sdt-organization-uk-foreign-commonwealth-development-office",
        "sdt-organization-us-department-of-state",
    ]
    assert "sdt-source-reuters-2022-04-01-blinken-truss" in call["proof"]
    assert "Reuters" in call["publisher"]
    truss = entities["sdt-actor-liz-truss"].to_dict()["properties"]
    assert (truss["name"], truss["country"]) == (["Liz Truss"], ["gb"])

    rabat = ftm(seeded, "/v1/engagements?location_country=MA")
    address = rabat["sdt-address-2022-03-29-blinken-mohammed-bin-zayed-rabat"]
    assert address.schema.name == "Address"
    assert (address.first("city"), address.first("country")) == ("Rabat", "ma")
    assert address.first("latitude")
    assert address.first("longitude")


def test_the_list_filters_and_sort_apply(seeded: TestClient) -> None:
    answer = seeded.get("/v1/engagements", params={"format": "ftm", "actor": "wally-adeyemo"})
    events = [line["id"] for line in lines(answer.content) if line["schema"] == "Event"]
    page = seeded.get("/v1/engagements", params={"actor": "wally-adeyemo", "limit": 500}).json()

    assert events == [f"sdt-engagement-{item['key']}" for item in page["items"]]


def test_a_round_is_a_sanction_per_target_jurisdiction(
    client: TestClient, session: Session
) -> None:
    make_source(
        session, key="ofac-release", publisher="U.S. Treasury", url="https://home.treasury.gov/"
    )
    make_round(
        session,
        key="us-2022-03-24-duma",
        title="Sanctions on the Duma",
        imposed_by=["US", "EU"],
        targets=["RU", "BY"],
        announced_on="2022-03-24",
        effective_on="2022-03-25",
        legal_basis="E.O. 14024",
        measures=["asset_freeze", "travel_ban"],
        sources=[{"source": "ofac-release", "quote": "328 members of the Duma"}],
    )
    names = {
        code: client.get(f"/v1/countries/{code}").json()["name"] for code in ("US", "EU", "RU")
    }

    entities = ftm(client, "/v1/sanctions-rounds")

    assert of_schema(entities, "Sanction") == {
        "sdt-sanction-us-2022-03-24-duma-ru",
        "sdt-sanction-us-2022-03-24-duma-by",
    }
    sanction = entities["sdt-sanction-us-2022-03-24-duma-ru"].to_dict()["properties"]
    assert sanction["entity"] == ["sdt-jurisdiction-ru"]
    assert sorted(sanction["authority"]) == sorted([names["US"], names["EU"]])
    assert sorted(sanction["country"]) == ["eu", "us"]
    assert sanction["program"] == ["E.O. 14024"]
    assert sorted(sanction["provisions"]) == ["asset freeze", "travel ban"]
    assert (sanction["listingDate"], sanction["startDate"]) == (["2022-03-24"], ["2022-03-25"])
    assert sanction["sourceUrl"] == ["https://home.treasury.gov/"]
    assert sanction["proof"] == ["sdt-source-ofac-release"]
    assert sanction["description"][0].startswith("“328 members of the Duma”")
    russia = entities["sdt-jurisdiction-ru"]
    assert (russia.schema.name, russia.first("name"), russia.first("country")) == (
        "LegalEntity",
        names["RU"],
        "ru",
    )


def test_people_hold_positions_and_organizations_have_parents(
    client: TestClient, session: Session
) -> None:
    make_organization(session, key="treasury", name="U.S. Treasury")
    make_organization(session, key="ofac", name="OFAC", parent="treasury", aliases=["OFAC"])
    make_organization(session, key="nato", name="NATO", kind="alliance", country=None)
    make_actor(
        session,
        key="wally-adeyemo",
        name="Wally Adeyemo",
        positions=[
            {"title": "Deputy Secretary", "organization": "treasury", "start_date": "2021-03-26"}
        ],
    )

    people = ftm(client, "/v1/actors")
    occupancy = people["sdt-occupancy-wally-adeyemo-deputy-secretary-treasury-2021-03-26"]
    assert occupancy.get("holder") == ["sdt-actor-wally-adeyemo"]
    assert occupancy.get("startDate") == ["2021-03-26"]
    post = people[occupancy.first("post") or ""]
    assert (post.schema.name, post.get("organization")) == (
        "Position",
        ["sdt-organization-treasury"],
    )
    assert people["sdt-actor-wally-adeyemo"].get("position") == ["Deputy Secretary"]

    organizations = ftm(client, "/v1/organizations?q=OFAC")
    assert organizations["sdt-organization-ofac"].schema.name == "PublicBody"
    assert organizations["sdt-organization-ofac"].get("parent") == ["sdt-organization-treasury"]
    assert ftm(client, "/v1/organizations")["sdt-organization-nato"].schema.name == "Organization"


def test_a_date_known_to_the_month_is_a_month(client: TestClient, session: Session) -> None:
    make_engagement(session, key="talks", start_date="2022-03-01", date_precision="month")

    event = ftm(client, "/v1/engagements")["sdt-engagement-talks"]

    assert event.get("startDate") == ["2022-03"]


@pytest.mark.parametrize("path", ["/v1/actors", "/v1/organizations", "/v1/sanctions-rounds"])
def test_plover_is_only_for_engagements(client: TestClient, path: str) -> None:
    answer = client.get(path, params={"format": "plover"})

    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert "ftm" in answer.text
    assert "ndjson" in answer.text


def test_the_export_offers_bundle_and_ftm(client: TestClient) -> None:
    answer = client.get("/v1/export", params={"format": "plover"})

    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert "bundle" in answer.text
    assert "ftm" in answer.text


def test_accept_names_ftm_exactly(seeded: TestClient) -> None:
    ftm_answer = seeded.get("/v1/actors", headers={"Accept": "application/json+ftm"})
    wildcard = seeded.get("/v1/actors", headers={"Accept": "application/*"})

    assert ftm_answer.headers["content-type"] == "application/json+ftm"
    assert wildcard.headers["content-type"] == "application/json"


def test_the_formats_are_documented(client: TestClient) -> None:
    operations = client.get("/openapi.json").json()["paths"]

    for path in LISTS:
        content = operations[path]["get"]["responses"]["200"]["content"]
        assert "application/json+ftm" in content
    engagements = operations["/v1/engagements"]["get"]["responses"]["200"]["content"]
    assert "application/x-ndjson; profile=plover" in engagements
    export = operations["/v1/export"]["get"]["responses"]["200"]["content"]
    assert "application/json+ftm" in export


def test_a_set_larger_than_a_batch_streams_every_record_in_the_list_order(
    client: TestClient,
) -> None:
    records = [
        record
        | {
            "participants": [{"actor": "bulk-actor", "role": "principal"}],
            "sources": [{"source": "bulk-source", "quote": None}],
        }
        for record in bulk_engagements(1203)  # more than two batches
    ]
    import_records(
        client,
        actors=[{"key": "bulk-actor", "name": "Bulk Actor", "country": "US"}],
        sources=[{"key": "bulk-source", "title": "Bulk", "published_on": "2022-01-01"}],
        engagements=records,
    )
    listed = client.get("/v1/engagements", params={"format": "ndjson", "sort": "key"})

    answer = client.get("/v1/engagements", params={"format": "ftm", "sort": "key"})

    entities = validated(answer.content)
    events = [line["id"] for line in lines(answer.content) if line["schema"] == "Event"]
    keys = [json.loads(line)["key"] for line in listed.text.splitlines()]
    assert events == [f"sdt-engagement-{key}" for key in keys]
    assert entities["sdt-actor-bulk-actor"].get("name") == ["Bulk Actor"]
    repeats = Counter(line["id"] for line in lines(answer.content))
    assert repeats["sdt-actor-bulk-actor"] == repeats["sdt-source-bulk-source"] == 1
