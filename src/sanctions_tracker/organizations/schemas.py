from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict

from sanctions_tracker.enums import OrganizationKind
from sanctions_tracker.fields import (
    CountryCode,
    Key,
    RecordBase,
    Ref,
    ShortText,
    StrictModel,
    Text,
    WikidataId,
    unique_items,
)
from sanctions_tracker.history.schemas import Version

EXAMPLE: dict[str, Any] = {
    "key": "ofac",
    "name": "Office of Foreign Assets Control",
    "kind": "government_body",
    "country": "US",
    "parent": "us-department-of-the-treasury",
    "aliases": ["OFAC"],
    "wikidata_id": None,
}

Aliases = Annotated[list[ShortText], AfterValidator(unique_items)]


class OrganizationRecord(RecordBase):
    """An organization as the bundle format writes it; also the body of `POST`."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    key: Key
    name: Text
    kind: OrganizationKind = OrganizationKind.other
    country: CountryCode | None = None
    parent: Key | None = None
    aliases: Aliases = []
    wikidata_id: WikidataId | None = None


class OrganizationPatch(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"aliases": ["OFAC"]}]})

    key: Key | None = None
    name: Text | None = None
    kind: OrganizationKind | None = None
    country: CountryCode | None = None
    parent: Key | None = None
    aliases: Aliases | None = None
    wikidata_id: WikidataId | None = None


class OrganizationRead(BaseModel):
    id: int
    key: str
    name: str
    kind: OrganizationKind
    country: str | None
    parent: Ref | None
    aliases: list[str]
    wikidata_id: str | None
    created_at: datetime
    updated_at: datetime
    version: Version
