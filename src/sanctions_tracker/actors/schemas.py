from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationInfo, field_validator

from sanctions_tracker.fields import (
    CountryCode,
    Key,
    RecordBase,
    Ref,
    ShortText,
    StrictModel,
    Text,
    WikidataId,
    check_span,
    unique_items,
)
from sanctions_tracker.history.schemas import Version

EXAMPLE: dict[str, Any] = {
    "key": "liz-truss",
    "name": "Liz Truss",
    "aliases": ["Elizabeth Truss"],
    "country": "GB",
    "wikidata_id": None,
    "positions": [
        {
            "title": "Foreign Secretary",
            "organization": "uk-fcdo",
            "start_date": "2021-09-15",
            "end_date": "2022-09-06",
        }
    ],
}


class PositionRecord(StrictModel):
    title: Text
    organization: Key | None = None
    start_date: date | None = None
    end_date: date | None = None

    @field_validator("end_date")
    @classmethod
    def _span(cls, end_date: date | None, info: ValidationInfo) -> date | None:
        check_span(info.data.get("start_date"), end_date)
        return end_date


Aliases = Annotated[list[ShortText], AfterValidator(unique_items)]


class ActorRecord(RecordBase):
    """A person as the bundle format writes it; also the body of `POST /v1/actors`."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    key: Key
    name: Text
    aliases: Aliases = []
    country: CountryCode | None = None
    wikidata_id: WikidataId | None = None
    positions: list[PositionRecord] = []


class ActorPatch(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"aliases": ["Elizabeth Truss"]}]})

    key: Key | None = None
    name: Text | None = None
    aliases: Aliases | None = None
    country: CountryCode | None = None
    wikidata_id: WikidataId | None = None
    positions: list[PositionRecord] | None = None


class PositionRead(BaseModel):
    title: str
    organization: Ref | None
    start_date: date | None
    end_date: date | None


class ActorRead(BaseModel):
    id: int
    key: str
    name: str
    aliases: list[str]
    country: str | None
    wikidata_id: str | None
    positions: list[PositionRead]
    created_at: datetime
    updated_at: datetime
    version: Version
