"""API keys: made, listed, revoked, and checked against the store on every request."""

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from sanctions_tracker.models import ApiKey
from sanctions_tracker.models.base import utcnow
from sanctions_tracker.models.trust import Role
from sanctions_tracker.problems import (
    Conflict,
    NotFound,
    Unauthorized,
    ValidationFailed,
    field_error,
)

KEY_PREFIX = "sdt_"
SECRET_BYTES = 32  # 256 bits
SHOWN_PREFIX_LENGTH = len(KEY_PREFIX) + 8  # enough to tell keys apart in a list, 40 bits of 256
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
NAME_RULE = (
    "1 to 100 characters: lower-case letters, digits, '.', '_' and '-', "
    "starting with a letter or digit"
)
LAST_USED_RESOLUTION = timedelta(minutes=1)
RANK = {Role.reader: 0, Role.editor: 1, Role.admin: 2}

KeyStatus = Literal["active", "expired", "revoked"]


@dataclass(frozen=True)
class Identity:
    """Who sent a request: the name and role of a valid key."""

    name: str
    role: Role

    def allows(self, needed: Role) -> bool:
        return RANK[self.role] >= RANK[needed]


def new_secret() -> str:
    # Lower-case base32: no '-' or '_' to trip a double-click selection or a shell.
    encoded = base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")
    return KEY_PREFIX + encoded.rstrip("=").lower()


def hash_secret(secret: str) -> str:
    # A key holds 256 random bits, so nobody can guess it from its hash however fast the hash
    # is: a plain SHA-256 is right here, and a slow password hash (bcrypt, argon2) would only
    # slow down every request.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise ValidationFailed(
            [field_error("/name", f"{name!r} is not a valid key name: {NAME_RULE}")]
        )
    return name


def status(key: ApiKey, now: datetime | None = None) -> KeyStatus:
    """`active`, `expired` or `revoked` (revocation wins)."""
    now = now or utcnow()
    if key.revoked_at is not None:
        return "revoked"
    if key.expires_at is not None and key.expires_at <= now:
        return "expired"
    return "active"


def create_key(
    session: Session, *, name: str, role: Role, expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """A new key and its secret; only the secret's hash is stored, so this is the one chance to
    show it. Names are never reused, not even a revoked key's, so a name in the history always
    means one key."""
    check_name(name)
    if session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise Conflict(f"An API key named {name!r} already exists; key names are never reused.")
    secret = new_secret()
    key = ApiKey(
        name=name,
        role=Role(role).value,
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        secret_hash=hash_secret(secret),
        created_at=utcnow(),
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    return key, secret


def expiry_in(days: int | None) -> datetime | None:
    return None if days is None else utcnow() + timedelta(days=days)


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.name)))


def get_key(session: Session, name: str) -> ApiKey:
    key = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if key is None:
        raise NotFound(f"No API key named {name!r}.")
    return key


def revoke_key(session: Session, name: str) -> ApiKey:
    """Revoked from the next request on. Revoking again changes nothing (the first time stays)."""
    key = get_key(session, name)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
    return key


def count_usable(session: Session) -> int:
    now = utcnow()
    query = select(func.count(ApiKey.id)).where(
        ApiKey.revoked_at.is_(None), or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now)
    )
    return session.scalar(query) or 0


def authenticate(session: Session, secret: str) -> Identity:
    """The identity behind a secret, read from the store on every call (nothing is cached, so a
    revocation counts from the very next request). Records the use at most once a minute, in the
    caller's transaction, so that reads don't all turn into writes."""
    digest = hash_secret(secret)
    key = session.scalar(
        select(ApiKey).where(ApiKey.secret_hash == digest).execution_options(populate_existing=True)
    )
    # The lookup is by hash, which a caller cannot steer byte by byte; the constant-time
    # comparison keeps even the final check free of timing differences.
    if key is None or not hmac.compare_digest(key.secret_hash, digest):
        raise Unauthorized("The API key is not recognised.", invalid_token=True)
    now = utcnow()
    if key.revoked_at is not None:
        raise Unauthorized("The API key has been revoked.", invalid_token=True)
    if key.expires_at is not None and key.expires_at <= now:
        raise Unauthorized(
            f"The API key expired at {key.expires_at.isoformat(timespec='seconds')}; "
            "ask an admin for a new one.",
            invalid_token=True,
        )
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        _record_use(session, key.id, now)
    return Identity(name=key.name, role=Role(key.role))


def _record_use(session: Session, key_id: int, now: datetime) -> None:
    """Sets `last_used_at` in the request's transaction, best effort and without ever waiting:
    a request must not queue behind another that holds what the update needs. Whoever holds it
    is recording a use at about the same time anyway.

    PostgreSQL: the key's row may be locked by a long import made with the same key, so it is
    skipped when locked. SQLite: a read request's transaction is deferred and has just read the
    key, and SQLite refuses at once (never waits) to turn a reading transaction into a writing
    one while another connection writes; the savepoint keeps the request going without it."""
    try:
        with session.begin_nested():
            free = session.scalar(
                select(ApiKey.id).where(ApiKey.id == key_id).with_for_update(skip_locked=True)
            )
            if free is not None:
                session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now))
    except OperationalError:
        if session.get_bind().dialect.name != "sqlite":
            raise
