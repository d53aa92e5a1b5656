"""Running the Alembic migrations from the app and the command line."""

import logging
import os
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

logger = logging.getLogger("sanctions_tracker")


def _not_alembics_context_lines(record: logging.LogRecord) -> bool:
    """Alembic logs "Context impl ..." and "Will assume ..." each time it reads the revision,
    which `/readyz` does on every probe: two lines of noise each time, dropped here."""
    return not str(record.msg).startswith(("Context impl", "Will assume"))


logging.getLogger("alembic.runtime.migration").addFilter(_not_alembics_context_lines)


def find_alembic_ini() -> Path:
    """`SANCTIONS_TRACKER_ALEMBIC_INI`, else ./alembic.ini, else the checkout this package is in."""
    candidates = [
        os.environ.get("SANCTIONS_TRACKER_ALEMBIC_INI"),
        Path.cwd() / "alembic.ini",
        Path(__file__).resolve().parents[2] / "alembic.ini",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FileNotFoundError(
        "alembic.ini not found: run from the project folder or set SANCTIONS_TRACKER_ALEMBIC_INI"
    )


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(find_alembic_ini()))
    config.attributes["configure_logging"] = False
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    logger.info("database migrated to %s", revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(bind: Engine | Connection) -> str | None:
    if isinstance(bind, Connection):
        return MigrationContext.configure(bind).get_current_revision()
    with bind.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
