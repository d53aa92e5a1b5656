from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from sanctions_tracker.models.trust import ChangeAction, ChangeVia

Version = Annotated[
    int,
    Field(
        description="1 when the record was created, +1 with every write that changed it; "
        "its `ETag` starts with it. Set by the server: a write that sends it is refused.",
        examples=[1],
    ),
]


class ChangeRead(BaseModel):
    """One committed write of one record, as the change feed gives it."""

    seq: int = Field(description="Sequence number: strictly increasing in the order of commits")
    at: datetime = Field(description="When the change was committed (UTC)")
    type: str = Field(description="The record type, as the bundle format names it")
    id: int = Field(description="The record's id (never reused)")
    key: str = Field(description="The record's key after the change; for a deletion, its last")
    previous_key: str | None = Field(
        description="The key before the change (null for a creation): differs from `key` when "
        "the change renamed the record, so a mirror finds the record to change by this one"
    )
    action: ChangeAction
    via: ChangeVia = Field(description="`api` for a POST, PATCH or DELETE, `import` for imports")
    version: int = Field(description="The record's version after the change")
    record: dict[str, Any] | None = Field(
        description="The whole record after the change, in the bundle format; null for a deletion"
    )


class HistoryEntry(ChangeRead):
    """One version of a record: the change that made it, who made it, and what it replaced."""

    writer: str | None = Field(
        description="The name of the API key that made the change; null for the seed and the "
        "command line"
    )
    before: dict[str, Any] | None = Field(
        description="The whole record before the change, in the bundle format; null for a creation"
    )
