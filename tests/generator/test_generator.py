"""The data generator: reproducible, shaped as documented, and importable as it is."""

import io
import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sanctions_tracker import cli
from sanctions_tracker.bundles.schemas import FORMAT
from sanctions_tracker.fields import check_key
from sanctions_tracker.generator import Plan, records
from sanctions_tracker.generator.reference import REFERENCE_DAY
from sanctions_tracker.generator.writer import write_bundle
from sanctions_tracker.registry import RECORD_TYPES

KINDS = {"call", "meeting", "visit", "trip", "summit", "ministerial", "statement", "other"}


def bundle_of(engagements: int, rounds: int, seed: int) -> dict[str, Any]:
    out = io.StringIO()
    write_bundle(records(Plan(engagements=engagements, rounds=rounds, seed=seed)), out)
    document: dict[str, Any] = json.loads(out.getvalue())
    return document


@pytest.fixture(scope="module")
def thousand() -> dict[str, Any]:
    return bundle_of(1_000, 60, 11)


def test_the_same_arguments_give_the_same_bytes_and_another_seed_other_ones() -> None:
    def text(seed: int) -> str:
        out = io.StringIO()
        write_bundle(records(Plan(engagements=200, rounds=10, seed=seed)), out)
        return out.getvalue()

    assert text(3) == text(3)
    assert text(3) != text(4)


def test_every_record_passes_its_bundle_schema_and_keys_are_unique(
    thousand: dict[str, Any],
) -> None:
    assert thousand["format"] == FORMAT
    assert list(thousand) == ["format", *RECORD_TYPES]
    for name, record_type in RECORD_TYPES.items():
        keys = [record["key"] for record in thousand[name]]
        assert len(keys) == len(set(keys)), name
        for record in thousand[name]:
            assert check_key(record["key"]) == record["key"]
            record_type.record_schema.model_validate(record)


def test_sizes_follow_the_documented_scale(thousand: dict[str, Any]) -> None:
    counts = {name: len(thousand[name]) for name in RECORD_TYPES}
    # 1,000 engagements: 1% of the full size, so the floors apply.
    assert counts == {
        "sources": 50,
        "organizations": 30,
        "actors": 50,
        "sectors": 47,
        "sanctions_rounds": 60,
        "engagements": 1_000,
    }
    full = Plan(engagements=100_000, rounds=0, seed=1)
    assert (full.size("actors"), full.size("organizations"), full.size("countries")) == (
        5_000,
        300,
        120,
    )
    assert full.sources == 5_000


def test_engagements_have_the_documented_shape(thousand: dict[str, Any]) -> None:
    engagements = thousand["engagements"]
    by_key = {record["key"]: record for record in engagements}
    assert {record["kind"] for record in engagements} == KINDS
    kinds = Counter(record["kind"] for record in engagements)
    assert kinds["call"] + kinds["meeting"] > len(engagements) / 3
    for record in engagements:
        start = date.fromisoformat(record["start_date"])
        assert date(2014, 1, 1) <= start <= date(2026, 12, 31)
        if record["end_date"] is not None:
            assert start <= date.fromisoformat(record["end_date"]) <= date(2026, 12, 31)
        assert 1 <= len(record["countries"]) <= 4, record["key"]
        assert 1 <= len(record["participants"]) <= 6, record["key"]
        assert 30 <= len(record["summary"].split()) <= 120, record["key"]
        if record["status"] == "planned":
            assert start > REFERENCE_DAY
        if record["location"] is not None:
            assert record["location"]["latitude"] is not None
    legs: dict[str, list[dict[str, Any]]] = {}
    for record in engagements:
        if record["parent"] is not None:
            legs.setdefault(record["parent"], []).append(record)
    trips = [record for record in engagements if record["kind"] == "trip"]
    assert trips
    assert set(legs) == {trip["key"] for trip in trips}
    for trip in trips:
        trip_legs = legs[trip["key"]]
        assert 2 <= len(trip_legs) <= 6
        days = [date.fromisoformat(leg["start_date"]) for leg in trip_legs]
        assert days == sorted(days)
        assert all(leg["kind"] == "visit" for leg in trip_legs)
        first, last = date.fromisoformat(trip["start_date"]), date.fromisoformat(trip["end_date"])
        assert first == days[0]
        assert last == days[-1]
        # a trip is listed before its legs, so chunks of the stream never name a later record
        assert engagements.index(trip) < min(engagements.index(leg) for leg in trip_legs)
    assert all(by_key[parent]["kind"] == "trip" for parent in legs)


def test_a_full_text_search_finds_a_share_not_all_or_nothing(thousand: dict[str, Any]) -> None:
    summaries = [record["summary"].lower() for record in thousand["engagements"]]
    for phrase in ("price cap", "semiconductors", "swift", "grain corridor"):
        share = sum(phrase in summary for summary in summaries) / len(summaries)
        assert 0.01 < share < 0.4, (phrase, share)


def test_rounds_have_several_jurisdictions_measures_and_sectors(
    thousand: dict[str, Any],
) -> None:
    rounds = thousand["sanctions_rounds"]
    sectors = {sector["key"] for sector in thousand["sectors"]}
    assert any(len(record["imposed_by"]) > 1 for record in rounds)
    assert all(record["measures"] and record["sectors"] for record in rounds)
    assert all(set(record["sectors"]) <= sectors for record in rounds)


def test_a_generated_bundle_imports_cleanly_and_exports_as_it_was(client: TestClient) -> None:
    bundle = bundle_of(150, 10, 5)

    answer = client.post("/v1/import", json=bundle)

    assert answer.status_code == 200, answer.text
    assert answer.json()["created"] == {name: len(bundle[name]) for name in RECORD_TYPES}
    exported = client.get("/v1/export").json()
    for name in RECORD_TYPES:
        assert exported[name] == sorted(bundle[name], key=lambda record: record["key"]), name


def test_generate_out_then_import_round_trips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle_file = tmp_path / "generated.json"
    assert cli.main(["generate", "--engagements", "120", "--rounds", "8", "--seed", "2",
                     "--out", str(bundle_file)]) == 0  # fmt: skip
    assert json.loads(bundle_file.read_text("utf-8")) == bundle_of(120, 8, 2)

    database = tmp_path / "store.db"
    monkeypatch.setenv("SANCTIONS_TRACKER_DATABASE_URL", f"sqlite:///{database}")
    from sanctions_tracker.config import get_settings
    from sanctions_tracker.db import get_engine, get_sessionmaker

    for cached in (get_settings, get_engine, get_sessionmaker):
        cached.cache_clear()
    try:
        assert cli.main(["db", "upgrade"]) == 0
        capsys.readouterr()
        assert cli.main(["import", str(bundle_file)]) == 0
        assert "engagements 120" in capsys.readouterr().out
        assert cli.main(["generate", "--engagements", "120", "--rounds", "8", "--seed", "2",
                         "--into"]) == 0  # fmt: skip
        exported = tmp_path / "exported.json"
        assert cli.main(["export", str(exported)]) == 0
    finally:
        get_engine().dispose()
        for cached in (get_settings, get_engine, get_sessionmaker):
            cached.cache_clear()
    stored = json.loads(exported.read_text("utf-8"))
    generated = bundle_of(120, 8, 2)
    for name in RECORD_TYPES:
        assert stored[name] == sorted(generated[name], key=lambda record: record["key"])


def test_generate_needs_exactly_one_of_out_and_into(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["generate", "--engagements", "10", "--rounds", "1", "--seed", "1"]
    for extra in ([], ["--out", "-", "--into"]):
        with pytest.raises(SystemExit) as exit_info:
            cli.main([*base, *extra])
        assert exit_info.value.code == 2
        assert "--out" in capsys.readouterr().err
