"""The schema comes only from Alembic: it goes up, down and up again, and matches the models."""

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from sanctions_tracker import migrations
from sanctions_tracker.db import build_engine
from sanctions_tracker.models import Base
from tests.conftest import blank_database


@pytest.fixture
def blank_engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    databases = blank_database(backend, str(tmp_path_factory.mktemp("migrations")))
    engine = build_engine(next(databases))
    yield engine
    engine.dispose()
    next(databases, None)


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


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

    assert drift == []


def test_every_constraint_and_index_is_named(blank_engine: Engine) -> None:
    migrations.upgrade(blank_engine)
    inspector = inspect(blank_engine)

    for table in Base.metadata.tables:
        names = [fk["name"] for fk in inspector.get_foreign_keys(table)]
        names += [index["name"] for index in inspector.get_indexes(table)]
        names += [unique["name"] for unique in inspector.get_unique_constraints(table)]
        assert all(names), table
