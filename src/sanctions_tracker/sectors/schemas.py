from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from sanctions_tracker.fields import Key, OptionalText, RecordBase, Ref, StrictModel, Text
from sanctions_tracker.history.schemas import Version

EXAMPLE: dict[str, Any] = {
    "key": "oil",
    "name": "Oil and petroleum products",
    "parent": "energy",
    "description": "Crude, products, refining equipment, price cap",
}


class SectorRecord(RecordBase):
    """A sector as the bundle format writes it; also the body of `POST /v1/sectors`."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    key: Key
    name: Text
    parent: Key | None = None
    description: OptionalText = None


class SectorPatch(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"parent": "energy"}]})

    key: Key | None = None
    name: Text | None = None
    parent: Key | None = None
    description: OptionalText = None


class SectorRead(BaseModel):
    id: int
    key: str
    name: str
    parent: Ref | None
    description: str | None
    children: list[Ref]
    created_at: datetime
    updated_at: datetime
    version: Version
