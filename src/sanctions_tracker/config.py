"""Settings read from the environment (prefix ``SANCTIONS_TRACKER_``) once per process."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, cast

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    """The least severe log records written: debug, info, warning, error (see Operations)."""
    idempotency_ttl_hours: int = 24
    """How long the answer to a POST with an ``Idempotency-Key`` is kept for replay."""
    require_read_key: bool = False
    """Reads need a key with at least the reader role too (writes always need an editor key)."""
    require_if_match: bool = False
    """Refuse a PATCH or DELETE without ``If-Match`` with 428, so no edit can overwrite unseen
    changes."""

    # Database under stress
    database_busy_timeout: float = 5.0
    """Seconds a SQLite write waits for the write lock before the answer is a 503."""
    database_connect_timeout: int = 5
    """Seconds to wait for a PostgreSQL connection before the answer is a 503 (at least 2)."""
    threads: int = Field(default=8, ge=1, le=256)
    """Worker threads per process for the database work of requests. A few threads serve more
    requests per second than many (each hand-off and GIL switch costs); at most the connection
    pool's 15, or requests queue for connections instead of threads."""
    sqlite_reads_on_event_loop: bool = True
    """On SQLite, run the database work of reads (GET, HEAD) on the event loop rather than in a
    worker thread. A SQLite read is CPU work in this process that never waits for a lock (WAL),
    so a thread only adds its hand-off and contention for the GIL: in the benchmark a lookup by
    key served about 1.5x the requests per second this way. The cost: a long read (a statistic
    over everything) delays the other requests of its process meanwhile. Writes, and every
    request on PostgreSQL, keep to the threads."""

    # Limits
    max_body_bytes: int = 1024 * 1024
    """Largest request body, in bytes (413 beyond it); imports have `max_import_bytes`."""
    max_import_bytes: int = 50 * 1024 * 1024
    """Largest body of `POST /v1/import`, in bytes."""
    max_url_length: int = 8192
    """Longest path plus query string, in bytes (414 beyond it)."""
    rate_limit_per_minute: int = 600
    """Requests per minute per API key (a burst may use all of them at once); 0: no limit."""
    anonymous_rate_limit_per_minute: int = 120
    """Requests per minute per client address, for requests without a key; 0: no limit."""
    cors_origins: Annotated[list[str], NoDecode] = []
    """Origins whose browser scripts may call the API, comma-separated; `*` stands for any port
    (`http://localhost:*`), any subdomain (`https://*.example.org`) or, alone, any origin."""

    # Operations
    log_format: Literal["json", "text"] = "json"
    """`json`: one JSON object per line (for a log pipeline); `text`: plain lines for a
    terminal. Either way one line per request, with its request id."""
    metrics_access: Literal["loopback", "open", "admin"] = "loopback"
    """Who may read `GET /metrics`: `loopback` (clients on the server's own host), `open`
    (anyone), `admin` (an admin key)."""

    # Webhooks
    webhook_worker_in_app: bool = False
    """Each server process also sends due webhook deliveries (a background thread). `make run`
    turns it on; off, `sanctions-tracker worker` sends them. Off by default so that an app
    built by a script or a test never starts sending from whatever database it points at."""
    webhook_allowed_hosts: Annotated[list[str], NoDecode] = ["public"]
    """Where subscriptions may send, comma-separated: host names, IP addresses or networks
    (`127.0.0.0/8`), and `public` for any host whose addresses are all public (not private,
    loopback, link-local or reserved). Addresses are checked again when each delivery is sent."""
    webhook_timeout_seconds: float = 10.0
    """How long one delivery attempt may take (connect, send and answer)."""
    webhook_retry_base_seconds: float = 5.0
    """The delay before the first retry; it doubles with each failed attempt (with jitter)."""
    webhook_retry_max_delay_seconds: float = 3600.0
    """The longest delay between two attempts."""
    webhook_retry_window_seconds: float = 24 * 3600.0
    """How long a delivery is retried before it is given up and its subscription marked
    `failing`."""
    webhook_senders: int = Field(default=8, ge=1, le=64)
    """How many deliveries a worker sends at once, each to a different subscription (one
    subscription's are sent one at a time, in order): a slow receiver holds up only itself."""
    webhook_poll_seconds: float = 1.0
    """How often an idle worker looks for due deliveries."""
    webhook_lease_seconds: float = 60.0
    """How long a worker holds a delivery it is sending; another worker takes it over after
    that (a worker that died mid-send). Longer than the timeout."""

    @field_validator("cors_origins", "webhook_allowed_hosts", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()


def settings_of(app: object) -> Settings:
    """The settings `app` runs with: its `get_settings` override (see `create_app`), else the
    process's. Read inline by the middleware and the async dependencies, which would otherwise
    each pay a trip to the thread pool for a sync `Depends(get_settings)`."""
    overrides: dict[Any, Any] = getattr(app, "dependency_overrides", {})
    return cast(Settings, overrides.get(get_settings, get_settings)())
