from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict

from sanctions_tracker.enums import SourceKind
from sanctions_tracker.fields import (
    Key,
    OptionalShortText,
    OptionalText,
    RecordBase,
    StrictModel,
    Text,
    unique_items,
)
from sanctions_tracker.history.schemas import Version

EXAMPLE: dict[str, Any] = {
    "key": "reuters-2022-04-01-blinken-truss",
    "kind": "news_article",
    "title": "Blinken, UK's Truss discuss additional response to Ukraine invasion",
    "publisher": "Reuters",
    "url": None,
    "published_on": "2022-04-01",
    "authors": ["Daphne Psaledakis", "Chris Gallagher"],
}


class SourceRecord(RecordBase):
    """A source as the bundle format writes it; also the body of `POST /v1/sources`."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    key: Key
    kind: SourceKind = SourceKind.other
    title: Text
    publisher: OptionalShortText = None
    url: OptionalText = None
    published_on: date
    authors: Annotated[list[Text], AfterValidator(unique_items)] = []


class SourcePatch(StrictModel):
    """Fields to change; those left out keep their value."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"url": "https://www.reuters.com/"}]})

    key: Key | None = None
    kind: SourceKind | None = None
    title: Text | None = None
    publisher: OptionalShortText = None
    url: OptionalText = None
    published_on: date | None = None
    authors: Annotated[list[Text], AfterValidator(unique_items)] | None = None


class SourceRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 1, **EXAMPLE, "version": 1}]})

    id: int
    key: str
    kind: SourceKind
    title: str
    publisher: str | None
    url: str | None
    published_on: date
    authors: list[str]
    created_at: datetime
    updated_at: datetime
    version: Version
