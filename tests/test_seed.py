"""The seed: the Reuters story of 1 April 2022, loaded through the import path."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sanctions_tracker import migrations
from sanctions_tracker.bundles import service as bundles
from sanctions_tracker.db import build_engine
from sanctions_tracker.seed import load_seed, seed_bundle, seed_if_empty
from tests.conftest import blank_database

TYPES = ["sources", "organizations", "actors", "sectors", "sanctions_rounds", "engagements"]


@pytest.fixture
def seeded(client: TestClient, session: Session) -> TestClient:
    seed_if_empty(session)
    session.commit()
    return client


def test_seeding_twice_changes_nothing(session: Session) -> None:
    first = load_seed(session)
    second = load_seed(session)

    bundle = seed_bundle()
    assert first.created == {name: len(bundle[name]) for name in TYPES}
    assert second.unchanged == first.created
    assert sum(second.created.values()) + sum(second.updated.values()) == 0
    assert seed_if_empty(session) is None


def test_the_story_of_the_article_is_there(seeded: TestClient) -> None:
    call = seeded.get("/v1/engagements/2022-04-01-blinken-truss-call").json()
    assert (call["kind"], call["start_date"], call["status"]) == ("call", "2022-04-01", "held")
    assert {(p["actor"]["key"], p["role"]) for p in call["participants"]} == {
        ("antony-blinken", "principal"),
        ("liz-truss", "counterpart"),
    }

    trip = seeded.get("/v1/engagements?kind=trip&actor=wally-adeyemo").json()["items"][0]
    legs = seeded.get(f"/v1/engagements?parent={trip['key']}&limit=10").json()["items"]
    assert sorted(leg["location"]["city"] for leg in legs) == [
        "Berlin",
        "Brussels",
        "London",
        "Paris",
    ]

    delhi = seeded.get("/v1/engagements?location_country=IN&actor=daleep-singh").json()["items"]
    rabat = seeded.get("/v1/engagements?location_country=MA&actor=antony-blinken").json()["items"]
    nato = seeded.get("/v1/engagements?kind=ministerial&organization=nato").json()["items"]
    assert [len(delhi), len(rabat), len(nato)] == [1, 1, 1]
    assert nato[0]["start_date"] == "2022-04-06"

    truss = seeded.get("/v1/actors?country=GB&position=Foreign%20Secretary&on=2022-03-01").json()
    assert [actor["key"] for actor in truss["items"]] == ["liz-truss"]


def test_the_rounds_of_the_period_are_there(seeded: TestClient) -> None:
    rounds = seeded.get("/v1/sanctions-rounds?target=RU&limit=500").json()["items"]
    announced = sorted(r["announced_on"] for r in rounds)
    assert announced[0] >= "2022-02-21"
    assert announced[-1] <= "2022-04-08"
    assert {code for r in rounds for code in r["imposed_by"]} >= {
        "US",
        "GB",
        "EU",
        "CA",
        "JP",
        "AU",
    }
    energy = seeded.get("/v1/sanctions-rounds?sector=energy&imposed_by=US&limit=500").json()
    assert (
        "us-2022-03-08-eo-14066-energy-import-ban" in [r["key"] for r in energy["items"]]
        or energy["total"] > 0
    )


@pytest.fixture
def second_engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    databases = blank_database(backend, str(tmp_path_factory.mktemp("roundtrip")))
    engine = build_engine(next(databases))
    migrations.upgrade(engine)
    yield engine
    engine.dispose()
    next(databases, None)


def test_export_import_into_an_empty_store_export_is_the_same_document(
    session: Session, second_engine: Engine
) -> None:
    load_seed(session)
    exported = bundles.export_bundle(session)

    with Session(second_engine) as empty:
        result = bundles.import_bundle(empty, exported)
        empty.commit()
        again = bundles.export_bundle(empty)

    assert result.created == {name: len(exported[name]) for name in TYPES}
    assert again == exported
