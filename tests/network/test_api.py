"""The network over HTTP: nodes and weighted edges, checked against pairs counted here."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sanctions_tracker.seed import load_seed, seed_bundle
from tests.factories import make_actor, make_engagement
from tests.generated import GeneratedStore, matching_engagements

Record = dict[str, Any]


def parties(record: Record, level: str) -> list[str]:
    if level == "actor":
        return [participant["actor"] for participant in record["participants"]]
    return list(record["countries"])


def expected_network(
    engagements: list[Record], level: str, describe: dict[str, tuple[str, str | None]]
) -> dict[str, Any]:
    """Nodes and edges by counting every pair of parties of every engagement, one by one."""
    in_order = sorted(engagements, key=lambda record: (record["start_date"], record["key"]))
    counts: dict[str, int] = {}
    weights: dict[tuple[str, str], int] = {}
    listed: dict[tuple[str, str], list[str]] = {}
    for record in in_order:
        nodes = sorted(set(parties(record, level)))
        for node in nodes:
            counts[node] = counts.get(node, 0) + 1
        for i, source in enumerate(nodes):
            for target in nodes[i + 1 :]:
                weights[(source, target)] = weights.get((source, target), 0) + 1
                keys = listed.setdefault((source, target), [])
                if len(keys) < 20:
                    keys.append(record["key"])
    nodes_out = [
        {
            "id": node,
            "label": describe[node][0],
            "country": describe[node][1],
            "engagement_count": count,
        }
        for node, count in counts.items()
    ]
    edges_out = [
        {
            "id": f"{source}--{target}",
            "source": source,
            "target": target,
            "weight": weight,
            "engagements": listed[(source, target)],
        }
        for (source, target), weight in weights.items()
    ]
    nodes_out.sort(key=lambda node: (-node["engagement_count"], node["id"]))
    edges_out.sort(key=lambda edge: (-edge["weight"], edge["id"]))
    return {"nodes": nodes_out, "edges": edges_out}


def actors_of(bundle: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    return {actor["key"]: (actor["name"], actor["country"]) for actor in bundle["actors"]}


def countries_of(client: TestClient) -> dict[str, tuple[str, str | None]]:
    countries = client.get("/v1/countries?limit=500").json()["items"]
    return {country["code"]: (country["name"], country["code"]) for country in countries}


def params(filters: dict[str, Any]) -> dict[str, Any]:
    names = {"date_from": "from", "date_to": "to"}
    return {
        names.get(name, name): value.isoformat() if isinstance(value, date) else value
        for name, value in filters.items()
    }


FILTERS: list[dict[str, Any]] = [
    {},
    {"kind": ["meeting", "call"], "date_from": date(2022, 1, 1), "date_to": date(2022, 6, 30)},
    {"country": ["UA"]},
    {"actor": ["actor-007"]},
    {"sector": ["energy"], "status": ["held"]},
    {"topic": ["nato", "sanctions"], "date_to": date(2021, 12, 31)},
]


@pytest.mark.parametrize("filters", FILTERS)
def test_actor_network_of_the_generated_store(
    generated_store: GeneratedStore, filters: dict[str, Any]
) -> None:
    bundle = generated_store.bundle
    engagements = matching_engagements(bundle, **filters)

    answer = generated_store.client.get("/v1/network", params=params(filters))

    assert answer.status_code == 200
    assert engagements
    assert answer.json() == expected_network(engagements, "actor", actors_of(bundle))


@pytest.mark.parametrize("filters", FILTERS)
def test_country_network_of_the_generated_store(
    generated_store: GeneratedStore, filters: dict[str, Any]
) -> None:
    client = generated_store.client
    engagements = matching_engagements(generated_store.bundle, **filters)

    answer = client.get("/v1/network", params={"level": "country", **params(filters)})

    assert answer.status_code == 200
    assert answer.json() == expected_network(engagements, "country", countries_of(client))


def test_an_edge_lists_its_first_20_engagements(generated_store: GeneratedStore) -> None:
    answer = generated_store.client.get("/v1/network?level=country").json()

    heaviest = answer["edges"][0]
    shared = sorted(
        (record["start_date"], record["key"])
        for record in generated_store.bundle["engagements"]
        if {heaviest["source"], heaviest["target"]} <= set(record["countries"])
    )
    assert heaviest["weight"] == len(shared) > 20
    assert heaviest["engagements"] == [key for _, key in shared[:20]]


def test_actors_without_a_counterpart_are_nodes_without_edges(
    generated_store: GeneratedStore,
) -> None:
    lonely = {
        record["participants"][0]["actor"]
        for record in generated_store.bundle["engagements"]
        if len(record["participants"]) == 1
    }
    answer = generated_store.client.get("/v1/network").json()

    linked = {edge["source"] for edge in answer["edges"]} | {
        edge["target"] for edge in answer["edges"]
    }
    nodes = {node["id"] for node in answer["nodes"]}
    assert lonely <= nodes
    assert nodes - linked == {
        actor
        for actor in nodes
        if all(
            len(record["participants"]) == 1
            for record in generated_store.bundle["engagements"]
            if actor in {participant["actor"] for participant in record["participants"]}
        )
    }


def test_seed_network_of_blinken(client: TestClient, session: Session) -> None:
    load_seed(session)
    session.commit()
    bundle = seed_bundle()
    engagements = matching_engagements(bundle, actor=["antony-blinken"])

    answer = client.get("/v1/network?actor=antony-blinken")

    assert answer.json() == expected_network(engagements, "actor", actors_of(bundle))
    assert {"antony-blinken--liz-truss"} <= {edge["id"] for edge in answer.json()["edges"]}


def test_a_meeting_of_three_is_a_triangle(client: TestClient, session: Session) -> None:
    for key, name, country in (
        ("antony-blinken", "Antony Blinken", "US"),
        ("liz-truss", "Liz Truss", "GB"),
        ("dmytro-kuleba", "Dmytro Kuleba", None),
    ):
        make_actor(session, key=key, name=name, country=country)
    make_engagement(
        session,
        key="2022-04-06-trio",
        start_date="2022-04-06",
        countries=["US", "GB", "UA"],
        participants=[
            {"actor": "liz-truss"},
            {"actor": "antony-blinken"},
            {"actor": "dmytro-kuleba"},
        ],
    )
    make_engagement(
        session,
        key="2022-04-01-call",
        start_date="2022-04-01",
        participants=[{"actor": "antony-blinken"}, {"actor": "liz-truss"}],
    )

    answer = client.get("/v1/network").json()

    assert answer == {
        "nodes": [
            {
                "id": "antony-blinken",
                "label": "Antony Blinken",
                "country": "US",
                "engagement_count": 2,
            },
            {"id": "liz-truss", "label": "Liz Truss", "country": "GB", "engagement_count": 2},
            {
                "id": "dmytro-kuleba",
                "label": "Dmytro Kuleba",
                "country": None,
                "engagement_count": 1,
            },
        ],
        "edges": [
            {
                "id": "antony-blinken--liz-truss",
                "source": "antony-blinken",
                "target": "liz-truss",
                "weight": 2,
                "engagements": ["2022-04-01-call", "2022-04-06-trio"],
            },
            {
                "id": "antony-blinken--dmytro-kuleba",
                "source": "antony-blinken",
                "target": "dmytro-kuleba",
                "weight": 1,
                "engagements": ["2022-04-06-trio"],
            },
            {
                "id": "dmytro-kuleba--liz-truss",
                "source": "dmytro-kuleba",
                "target": "liz-truss",
                "weight": 1,
                "engagements": ["2022-04-06-trio"],
            },
        ],
    }
    countries = client.get("/v1/network?level=country&from=2022-04-02").json()
    assert [node["id"] for node in countries["nodes"]] == ["GB", "UA", "US"]
    assert countries["nodes"][2] == {
        "id": "US",
        "label": client.get("/v1/countries/US").json()["name"],
        "country": "US",
        "engagement_count": 1,
    }
    assert [edge["id"] for edge in countries["edges"]] == ["GB--UA", "GB--US", "UA--US"]


def test_nothing_matching_is_an_empty_graph(client: TestClient) -> None:
    assert client.get("/v1/network?kind=summit").json() == {"nodes": [], "edges": []}


@pytest.mark.parametrize(
    ("query", "pointer"),
    [("level=people", "/level"), ("country=XX", "/country/0"), ("actor=Not%20A%20Key", "/actor/0")],
)
def test_bad_parameters_are_422_problems(client: TestClient, query: str, pointer: str) -> None:
    response = client.get(f"/v1/network?{query}")

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["type"], body["status"], body["instance"]) == (
        "/problems/validation-error",
        422,
        f"/v1/network#request={response.headers['x-request-id']}",
    )
    assert [(error["pointer"], error["location"]) for error in body["errors"]] == [
        (pointer, "query")
    ]


def test_openapi_shows_the_graph_example(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    operation = spec["paths"]["/v1/network"]["get"]
    [level] = [p for p in operation["parameters"] if p["name"] == "level"]
    assert level["schema"]["default"] == "actor"
    assert set(operation["responses"]) == {"200", "400", "401", "414", "422", "429"}
    example = spec["components"]["schemas"]["Network"]["examples"][0]
    assert example["edges"][0]["id"] == "antony-blinken--liz-truss"
