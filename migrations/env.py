"""Alembic environment: the URL comes from the caller's connection or the settings."""

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import Connection

from sanctions_tracker.config import get_settings
from sanctions_tracker.db import build_engine
from sanctions_tracker.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=_not_search_index,
    )
    with context.begin_transaction():
        context.run_migrations()


def _not_search_index(
    item: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """The full-text indexes live outside the models (FTS5 tables, a generated tsvector column
    and its GIN index; see revision 0003): autogenerate must leave them alone."""
    if name is None:
        return True
    if type_ == "table" and name.startswith("search_fts_"):
        return False
    if type_ == "index" and name == "ix_search_documents_document":
        return False
    return not (type_ == "column" and name == "document" and item.table.name == "search_documents")


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or get_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = build_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
