from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from sanctions_tracker.auth.service import NAME_PATTERN, NAME_RULE, KeyStatus
from sanctions_tracker.fields import StrictModel
from sanctions_tracker.models.trust import Role

KeyName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=NAME_PATTERN.pattern),
    Field(description=f"The key's name: {NAME_RULE}", examples=["ci-importer"]),
]

MAX_EXPIRY_DAYS = 3650


class KeyCreate(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "ci-importer", "role": "editor", "expires_in_days": 90}]
        }
    )

    name: KeyName
    role: Role = Field(
        description="`reader` reads; `editor` also writes and imports; `admin` also manages keys "
        "and reads the audit"
    )
    expires_in_days: int | None = Field(
        default=None,
        ge=1,
        le=MAX_EXPIRY_DAYS,
        description="The key stops working this many days from now; never when left out",
    )


class KeyRead(BaseModel):
    """An API key's metadata; the secret itself is never shown again."""

    name: str
    role: Role
    prefix: str = Field(description="The first characters of the key, to recognise it by")
    status: KeyStatus
    created_at: datetime
    last_used_at: datetime | None = Field(
        description="Last request made with the key, to the minute; null if never used"
    )
    expires_at: datetime | None
    revoked_at: datetime | None


class KeyCreated(KeyRead):
    key: str = Field(
        description="The secret: send it as `Authorization: Bearer KEY`. It is shown only this "
        "once; the server keeps only its hash."
    )
