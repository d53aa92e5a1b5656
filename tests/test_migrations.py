"""The schema comes only from Alembic: it goes up, down and up again, and matches the models."""

from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from sanctions_tracker import migrations
from sanctions_tracker.db import build_engine
from sanctions_tracker.models import Base
from sanctions_tracker.registry import RECORD_TYPES
from sanctions_tracker.search import service as search
from sanctions_tracker.seed import load_seed, seed_bundle
from tests.conftest import blank_database


@pytest.fixture
def blank_engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    databases = blank_database(backend, str(tmp_path_factory.mktemp("migrations")))
    engine = build_engine(next(databases))
    yield engine
    engine.dispose()
    next(databases, None)


# The full-text indexes are not in the models: SQLite's FTS5 tables (and their shadow tables) and
# PostgreSQL's generated `document` column with its GIN index.
def is_search_index(name: str) -> bool:
    return name.startswith("search_fts_") or name == "ix_search_documents_document"


def tables(engine: Engine) -> set[str]:
    names = set(inspect(engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if not is_search_index(name)}


def is_search_index_drift(difference: Any) -> bool:
    kind, *details = difference
    if kind == "remove_table":
        return is_search_index(details[0].name)
    if kind == "remove_index":
        return is_search_index(details[0].name)
    if kind == "remove_column":
        return (details[1], details[2].name) == ("search_documents", "document")
    return False


def test_upgrade_downgrade_upgrade(blank_engine: Engine) -> None:
    migrations.upgrade(blank_engine)
    assert tables(blank_engine) == set(Base.metadata.tables)
    assert migrations.current_revision(blank_engine) == migrations.head_revision()

    migrations.downgrade(blank_engine, "base")
    assert tables(blank_engine) == set()
    assert migrations.current_revision(blank_engine) is None

    migrations.upgrade(blank_engine)
    assert tables(blank_engine) == set(Base.metadata.tables)
    with blank_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM countries")).scalar() == 250


def test_models_and_migrations_agree(blank_engine: Engine) -> None:
    migrations.upgrade(blank_engine)

    with blank_engine.connect() as connection:
        drift = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert [difference for difference in drift if not is_search_index_drift(difference)] == []


def test_every_constraint_and_index_is_named(blank_engine: Engine) -> None:
    migrations.upgrade(blank_engine)
    inspector = inspect(blank_engine)

    for table in Base.metadata.tables:
        names = [fk["name"] for fk in inspector.get_foreign_keys(table)]
        names += [index["name"] for index in inspector.get_indexes(table)]
        names += [unique["name"] for unique in inspector.get_unique_constraints(table)]
        assert all(names), table


def search_documents(engine: Engine) -> set[tuple[Any, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT record_type, record_id, key, title, body FROM search_documents")
        )
        return {tuple(row) for row in rows}


def found_keys(engine: Engine, query: str) -> set[str]:
    with Session(engine) as session:
        found = search.search(session, query, types=None, limit=100, cursor=None)
        return {hit.key for hit in found.hits}


def test_upgrading_a_populated_store_writes_its_search_documents(blank_engine: Engine) -> None:
    migrations.upgrade(blank_engine)
    with Session(blank_engine) as session:
        load_seed(session)
        session.commit()
    written = search_documents(blank_engine)
    queries = ["sanction", "adey*", '"foreign secretary"', "oil OR gas -coal", "price cap"]
    answers = {query: found_keys(blank_engine, query) for query in queries}

    migrations.downgrade(blank_engine, "0002")
    assert "search_documents" not in inspect(blank_engine).get_table_names()
    migrations.upgrade(blank_engine)

    bundle = seed_bundle()
    assert len(written) == sum(len(bundle[name]) for name in RECORD_TYPES)
    assert search_documents(blank_engine) == written
    assert {query: found_keys(blank_engine, query) for query in queries} == answers
    assert all(answers.values())
