from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from sanctions_tracker.fields import StrictModel
from sanctions_tracker.history.router import TypeName
from sanctions_tracker.models.webhooks import DeliveryStatus, SubscriptionStatus
from sanctions_tracker.registry import RECORD_TYPES

Event = Literal["created", "updated", "deleted"]
ALL_EVENTS: list[Event] = ["created", "updated", "deleted"]
ALL_TYPES: list[TypeName] = list(RECORD_TYPES)  # type: ignore[arg-type]

Url = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2048),
    Field(
        description="Where changes are POSTed: http or https, to a host the server allows",
        examples=["https://hooks.example.org/sanctions"],
    ),
]
Events = Annotated[
    list[Event],
    Field(min_length=1, description="Which changes: `created`, `updated`, `deleted`"),
]
Types = Annotated[
    list[TypeName],
    Field(min_length=1, description="Of which record types, as the bundle format names them"),
]
Filter = Annotated[
    dict[str, Any],
    Field(
        description="List filters of those types, as on their lists (each a list of values, "
        'or one value for `from`, `to`, `q`...): `{"country": ["IN"], "sector": ["energy"]}`. '
        "A change is sent when the record after it (a deletion: before it) is one the lists "
        "would show with these filters. A filter must exist on every type subscribed to.",
        examples=[{"country": ["IN"], "sector": ["energy"]}],
    ),
]
Description = Annotated[str, StringConstraints(max_length=1000)]


class SubscriptionCreate(StrictModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://hooks.example.org/sanctions",
                    "events": ["created", "updated"],
                    "types": ["engagements"],
                    "filter": {"country": ["IN"], "sector": ["energy"]},
                    "description": "New engagements with India on energy",
                }
            ]
        },
    )

    url: Url
    events: Events = Field(default_factory=lambda: list(ALL_EVENTS))
    types: Types = Field(default_factory=lambda: list(ALL_TYPES))
    filter: Filter = Field(default_factory=dict)
    description: Description | None = None


class SubscriptionPatch(StrictModel):
    url: Url | None = None
    events: Events | None = None
    types: Types | None = None
    filter: Filter | None = None
    description: Description | None = None
    status: SubscriptionStatus | None = Field(
        default=None,
        description="`active` resumes a `failing` subscription: its pending deliveries are "
        "sent again, oldest first; `failing` pauses it",
    )


class SubscriptionRead(BaseModel):
    id: int
    url: str
    events: list[Event]
    types: list[TypeName]
    filter: dict[str, Any]
    description: str | None
    status: SubscriptionStatus = Field(
        description="`active`, or `failing` once a delivery was given up: then nothing is sent "
        "until it is PATCHed back to `active`"
    )
    version: int
    created_at: datetime
    updated_at: datetime


class SubscriptionCreated(SubscriptionRead):
    secret: str = Field(
        description="The signing secret (`whsec_` + base64 of the HMAC key), shown only this "
        "once. Verify `webhook-signature` with it as Standard Webhooks describes."
    )


class AttemptRead(BaseModel):
    at: datetime
    status_code: int | None = Field(description="The receiver's answer; null when none came")
    error: str | None = Field(description="Why no answer came: timeout, refused address...")
    duration_ms: int


class DeliveryRead(BaseModel):
    id: int
    webhook_id: str = Field(description="The `webhook-id` header: the same for every retry")
    event: str = Field(description="`<type>.<created|updated|deleted>`, or `ping`")
    change_seq: int | None = Field(description="The change's `seq` in the change feed")
    status: DeliveryStatus
    next_attempt_at: datetime | None = Field(description="When it is tried next, if pending")
    created_at: datetime
    finished_at: datetime | None
    attempts: list[AttemptRead]


class PingResult(BaseModel):
    delivered: bool
    webhook_id: str
    status_code: int | None
    error: str | None
    duration_ms: int
