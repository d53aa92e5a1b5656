"""Facets on every list: counts over the whole filtered set, computed here from the test's data."""

from collections import Counter
from collections.abc import Callable, Iterable
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

Record = dict[str, Any]


def expected(
    records: Iterable[Record],
    values: Callable[[Record], Iterable[Any]],
    labels: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Each value with the number of records having it (a record once per value), most
    frequent first, then by value, null last among equals."""
    counts: Counter[Any] = Counter()
    for record in records:
        counts.update(set(values(record)))
    entries = [
        {"value": value, "count": count}
        | ({"label": labels[value]} if labels is not None and value is not None else {})
        for value, count in counts.items()
    ]
    return sorted(
        entries, key=lambda entry: (-entry["count"], entry["value"] is None, entry["value"] or 0)
    )


def one(field: str) -> Callable[[Record], list[Any]]:
    return lambda record: [record[field]]


def many(field: str, key: str | None = None) -> Callable[[Record], list[Any]]:
    return lambda record: [item[key] if key else item for item in record[field]]


def year(field: str) -> Callable[[Record], list[int]]:
    return lambda record: [int(record[field][:4])]


def facets(client: TestClient, path: str) -> dict[str, Any]:
    response = client.get(path)
    assert response.status_code == 200, response.json()
    return response.json()  # type: ignore[no-any-return]


ACTORS = {
    "antony-blinken": "Antony Blinken",
    "liz-truss": "Liz Truss",
    "dmytro-kuleba": "Dmytro Kuleba",
}
ORGANIZATIONS = {"us-state": "U.S. Department of State", "nato": "NATO"}
SECTORS = {"energy": "Energy", "oil": "Oil"}
ROUNDS = {"us-oil-ban": "U.S. ban on Russian oil", "uk-swift": "UK SWIFT exclusion"}


@pytest.fixture
def engagements(session: Session) -> list[Record]:
    for key, name in ACTORS.items():
        make_actor(session, key=key, name=name)
    for key, name in ORGANIZATIONS.items():
        make_organization(session, key=key, name=name)
    make_sector(session, key="energy", name="Energy")
    make_sector(session, key="oil", name="Oil", parent="energy")
    for key, title in ROUNDS.items():
        make_round(session, key=key, title=title)
    made = [
        make_engagement(
            session,
            key="trip",
            kind="trip",
            title="Blinken's European trip",
            start_date="2022-03-28",
            end_date="2022-04-02",
            countries=["US", "GB", "BE"],
            participants=[{"actor": "antony-blinken", "role": "principal"}],
            organizations=["us-state"],
            topics=["sanctions"],
        ),
        make_engagement(
            session,
            key="london",
            kind="meeting",
            title="Blinken and Truss",
            start_date="2022-03-29",
            location={"city": "London", "country": "GB"},
            countries=["US", "GB"],
            participants=[
                {"actor": "antony-blinken", "role": "principal"},
                {"actor": "liz-truss", "role": "counterpart"},
            ],
            organizations=["us-state"],
            topics=["sanctions", "energy"],
            sectors=["oil"],
            sanctions_rounds=["us-oil-ban"],
            parent="trip",
        ),
        make_engagement(
            session,
            key="brussels",
            kind="ministerial",
            title="NATO ministerial",
            start_date="2022-04-06",
            end_date="2022-04-07",
            location={"city": "Brussels", "country": "BE"},
            countries=["US", "UA", "BE"],
            participants=[
                {"actor": "antony-blinken", "role": "participant"},
                {"actor": "dmytro-kuleba", "role": "participant"},
            ],
            organizations=["nato", "us-state"],
            topics=["nato"],
            sectors=["energy", "oil"],
            sanctions_rounds=["us-oil-ban", "uk-swift"],
            parent="trip",
        ),
        make_engagement(
            session,
            key="call-2021",
            kind="call",
            title="An older call",
            start_date="2021-12-10",
            date_precision="week",
            countries=["US", "UA"],
            participants=[{"actor": "dmytro-kuleba", "role": "counterpart"}],
        ),
        make_engagement(
            session,
            key="planned",
            kind="call",
            title="A planned call",
            start_date="2022-05-01",
            status="planned",
            date_precision="month",
            countries=["US"],
        ),
        make_engagement(
            session,
            key="not-us",
            kind="meeting",
            title="Without the United States",
            start_date="2022-04-10",
            location={"city": "Kyiv", "country": "UA"},
            countries=["GB", "UA"],
            participants=[{"actor": "liz-truss", "role": "principal"}],
        ),
    ]
    return made


def engagement_facets(records: list[Record]) -> dict[str, Any]:
    parents = {record["key"]: record["title"] for record in records}
    return {
        "kind": expected(records, one("kind")),
        "status": expected(records, one("status")),
        "country": expected(records, many("countries")),
        "location_country": expected(
            records, lambda record: [(record["location"] or {}).get("country")]
        ),
        "actor": expected(records, many("participants", "actor"), ACTORS),
        "organization": expected(records, many("organizations"), ORGANIZATIONS),
        "sector": expected(records, many("sectors"), SECTORS),
        "sanctions_round": expected(records, many("sanctions_rounds"), ROUNDS),
        "topic": expected(records, many("topics")),
        "parent": expected(records, one("parent"), parents),
        "year": expected(records, year("start_date")),
        "date_precision": expected(records, one("date_precision")),
    }


def test_engagement_facets_count_the_whole_filtered_set_not_the_page(
    client: TestClient, engagements: list[Record]
) -> None:
    wanted = [record for record in engagements if "US" in record["countries"]]
    names = list(engagement_facets(engagements))

    body = facets(client, f"/v1/engagements?country=US&limit=1&facets={','.join(names)}")

    assert (len(body["items"]), body["total"]) == (1, len(wanted))
    assert body["facets"] == engagement_facets(wanted)
    assert list(body["facets"]) == names
    assert body["facets"]["parent"] == [
        {"value": None, "count": 3},
        {"value": "trip", "count": 2, "label": "Blinken's European trip"},
    ]
    assert body["facets"]["year"] == [{"value": 2022, "count": 4}, {"value": 2021, "count": 1}]


def test_facets_may_be_comma_separated_or_repeated(
    client: TestClient, engagements: list[Record]
) -> None:
    commas = facets(client, "/v1/engagements?facets=kind,actor")
    repeated = facets(client, "/v1/engagements?facets=kind&facets=actor&facets=kind")
    mixed = facets(client, "/v1/engagements?facets=kind, actor&facets=")

    assert commas["facets"] == repeated["facets"] == mixed["facets"]
    assert list(commas["facets"]) == ["kind", "actor"]
    assert commas["facets"]["kind"] == expected(engagements, one("kind"))


def test_without_facets_the_answer_has_no_facets_key(
    client: TestClient, engagements: list[Record]
) -> None:
    assert list(facets(client, "/v1/engagements")) == ["items", "total", "next_cursor"]
    assert list(facets(client, "/v1/engagements?facets=")) == ["items", "total", "next_cursor"]


def test_an_empty_selection_has_empty_facets(client: TestClient, engagements: list[Record]) -> None:
    body = facets(client, "/v1/engagements?kind=summit&facets=kind,parent")

    assert body["facets"] == {"kind": [], "parent": []}


def test_an_unknown_facet_is_a_422_naming_the_allowed_ones(client: TestClient) -> None:
    response = client.get("/v1/engagements?facets=kind&facets=actor,colour,size")

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    allowed = (
        "kind, status, country, location_country, actor, organization, sector, "
        "sanctions_round, topic, parent, year, date_precision"
    )
    assert response.json()["errors"] == [
        {
            "pointer": "/facets/1",
            "message": f"no facet 'colour'; choose from {allowed}",
            "location": "query",
        },
        {
            "pointer": "/facets/1",
            "message": f"no facet 'size'; choose from {allowed}",
            "location": "query",
        },
    ]


def test_countries_have_no_facets(client: TestClient) -> None:
    response = client.get("/v1/countries?facets=name")

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "pointer": "/facets/0",
            "message": "no facet 'name'; this list has none",
            "location": "query",
        }
    ]


def test_sanctions_round_facets(client: TestClient, session: Session) -> None:
    make_sector(session, key="energy", name="Energy")
    make_sector(session, key="banking", name="Banking")
    rounds = [
        make_round(
            session,
            key="us-oil",
            imposed_by=["US"],
            targets=["RU"],
            measures=["import_ban"],
            sectors=["energy"],
            legal_basis="E.O. 14066",
            announced_on="2022-03-08",
        ),
        make_round(
            session,
            key="us-uk-banks",
            imposed_by=["US", "GB"],
            targets=["RU", "BY"],
            measures=["asset_freeze", "swift_exclusion"],
            sectors=["banking"],
            status="announced",
            announced_on="2022-02-26",
        ),
        make_round(
            session,
            key="us-2021",
            imposed_by=["US"],
            targets=["RU"],
            measures=["asset_freeze"],
            sectors=["banking", "energy"],
            legal_basis="E.O. 14024",
            announced_on="2021-04-15",
        ),
        make_round(session, key="eu", imposed_by=["EU"], targets=["RU"], announced_on="2022-04-08"),
    ]
    wanted = [record for record in rounds if "US" in record["imposed_by"]]

    body = facets(
        client,
        "/v1/sanctions-rounds?imposed_by=US&facets=imposed_by,target,measure,sector,status,legal_basis,year",
    )

    assert body["facets"] == {
        "imposed_by": expected(wanted, many("imposed_by")),
        "target": expected(wanted, many("targets")),
        "measure": expected(wanted, many("measures")),
        "sector": expected(wanted, many("sectors"), {"energy": "Energy", "banking": "Banking"}),
        "status": expected(wanted, one("status")),
        "legal_basis": expected(wanted, one("legal_basis")),
        "year": expected(wanted, year("announced_on")),
    }
    assert body["facets"]["legal_basis"] == [
        {"value": "E.O. 14024", "count": 1},
        {"value": "E.O. 14066", "count": 1},
        {"value": None, "count": 1},
    ]


def test_actor_facets_count_an_actor_once_per_organization_and_title(
    client: TestClient, session: Session
) -> None:
    make_organization(session, key="uk-fcdo", name="Foreign Office")
    make_organization(session, key="uk-treasury", name="HM Treasury")
    actors = [
        make_actor(
            session,
            key="liz-truss",
            country="GB",
            positions=[
                {
                    "title": "Foreign Secretary",
                    "organization": "uk-fcdo",
                    "start_date": "2021-09-15",
                },
                {"title": "Minister for Women", "organization": "uk-fcdo"},
                {
                    "title": "Chief Secretary",
                    "organization": "uk-treasury",
                    "end_date": "2019-07-24",
                },
            ],
        ),
        make_actor(
            session,
            key="dominic-raab",
            country="GB",
            positions=[
                {"title": "Foreign Secretary", "organization": "uk-fcdo", "end_date": "2021-09-15"},
                {"title": "Foreign Secretary", "organization": "uk-fcdo", "end_date": "2019-07-24"},
            ],
        ),
        make_actor(session, key="stateless", country=None, positions=[{"title": "Envoy"}]),
        make_actor(session, key="antony-blinken", country="US"),
    ]

    body = facets(client, "/v1/actors?facets=country,organization,position")

    assert body["facets"] == {
        "country": expected(actors, one("country")),
        "organization": expected(
            actors,
            lambda record: [p["organization"] for p in record["positions"] if p["organization"]],
            {"uk-fcdo": "Foreign Office", "uk-treasury": "HM Treasury"},
        ),
        "position": expected(actors, lambda record: [p["title"] for p in record["positions"]]),
    }
    assert body["facets"]["organization"][0] == {
        "value": "uk-fcdo",
        "count": 2,
        "label": "Foreign Office",
    }


def test_organization_sector_and_source_facets(client: TestClient, session: Session) -> None:
    organizations = [
        make_organization(session, key="nato", name="NATO", kind="alliance", country=None),
        make_organization(session, key="us-treasury", name="Treasury", country="US"),
        make_organization(session, key="ofac", name="OFAC", country="US", parent="us-treasury"),
        make_organization(session, key="fincen", name="FinCEN", country="US", parent="us-treasury"),
    ]
    sectors = [
        make_sector(session, key="energy", name="Energy"),
        make_sector(session, key="oil", name="Oil", parent="energy"),
        make_sector(session, key="gas", name="Gas", parent="energy"),
        make_sector(session, key="crude", name="Crude", parent="oil"),
    ]
    sources = [
        make_source(
            session, key="a", kind="news_article", publisher="Reuters", published_on="2022-04-01"
        ),
        make_source(
            session, key="b", kind="news_article", publisher="Reuters", published_on="2021-04-01"
        ),
        make_source(session, key="c", kind="legal_act", publisher=None, published_on="2022-03-08"),
        make_source(
            session,
            key="d",
            kind="press_release",
            publisher="HM Treasury",
            published_on="2022-02-24",
        ),
    ]

    assert facets(client, "/v1/organizations?facets=kind,country,parent")["facets"] == {
        "kind": expected(organizations, one("kind")),
        "country": expected(organizations, one("country")),
        "parent": expected(organizations, one("parent"), {"us-treasury": "Treasury"}),
    }
    assert facets(client, "/v1/sectors?facets=parent")["facets"] == {
        "parent": expected(sectors, one("parent"), {"energy": "Energy", "oil": "Oil"})
    }
    assert facets(client, "/v1/sources?facets=kind,publisher,year&from=2022-01-01")["facets"] == {
        "kind": expected(sources[::2] + sources[3:], one("kind")),
        "publisher": expected(sources[::2] + sources[3:], one("publisher")),
        "year": [{"value": 2022, "count": 3}],
    }
