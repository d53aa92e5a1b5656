"""Settings read from the environment (prefix ``SANCTIONS_TRACKER_``) once per process."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = f"sqlite:///{Path('data/sanctions-tracker.db').as_posix()}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SANCTIONS_TRACKER_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL: ``sqlite:///path.db`` (default) or ``postgresql+psycopg://...``."""
    migrate_on_start: bool = True
    """Run ``alembic upgrade head`` before serving (turn off where a deploy job migrates)."""
    seed_on_start: bool = True
    """Load the packaged seed bundle when the store is empty."""
    log_level: str = "info"


@lru_cache
def get_settings() -> Settings:
    return Settings()
