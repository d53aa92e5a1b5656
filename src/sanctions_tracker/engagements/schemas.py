from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sanctions_tracker.enums import DatePrecision, EngagementKind, EngagementStatus, ParticipantRole
from sanctions_tracker.fields import (
    CitationRead,
    Citations,
    Codes,
    CountryCode,
    Key,
    Keys,
    OptionalShortText,
    OptionalText,
    RecordBase,
    Ref,
    Slug,
    StrictModel,
    Text,
    check_span,
    unique_items,
)
from sanctions_tracker.history.schemas import Version

EXAMPLE: dict[str, Any] = {
    "key": "2022-04-01-blinken-truss-call",
    "kind": "call",
    "title": "Blinken and Truss discuss further actions against Russia",
    "summary": "Transatlantic unity, further actions and the coming NATO Foreign Ministerial.",
    "start_date": "2022-04-01",
    "end_date": None,
    "date_precision": "day",
    "status": "held",
    "location": None,
    "countries": ["US", "GB"],
    "organizations": ["us-department-of-state"],
    "participants": [
        {"actor": "antony-blinken", "role": "principal"},
        {"actor": "liz-truss", "role": "counterpart"},
    ],
    "topics": ["sanctions", "nato"],
    "sectors": [],
    "sanctions_rounds": [],
    "parent": None,
    "sources": [{"source": "reuters-2022-04-01-blinken-truss", "quote": None}],
}


class Location(StrictModel):
    """Where it took place; latitude and longitude are filled from the gazetteer when left out."""

    city: OptionalShortText = Field(default=None, examples=["Rabat"])
    country: CountryCode | None = Field(default=None, examples=["MA"])
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None

    @model_validator(mode="after")
    def _somewhere(self) -> Self:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give both latitude and longitude, or neither")
        if self.city is None and self.country is None and self.latitude is None:
            raise ValueError("a location needs a city, a country or coordinates; use null for none")
        return self


class Participant(StrictModel):
    actor: Key
    role: ParticipantRole = ParticipantRole.participant


def unique_actors(participants: list[Participant]) -> list[Participant]:
    unique_items([participant.actor for participant in participants])
    return participants


Participants = Annotated[list[Participant], AfterValidator(unique_actors)]
Topics = Annotated[list[Slug], AfterValidator(unique_items)]


class EngagementRecord(RecordBase):
    """An engagement as the bundle format writes it; also the body of `POST /v1/engagements`."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    key: Key
    kind: EngagementKind = EngagementKind.other
    title: Text
    summary: OptionalText = None
    start_date: date
    end_date: date | None = None
    date_precision: DatePrecision = DatePrecision.day
    status: EngagementStatus = EngagementStatus.held
    location: Location | None = None
    countries: Codes = []
    organizations: Keys = []
    participants: Participants = []
    topics: Topics = []
    sectors: Keys = []
    sanctions_rounds: Keys = []
    parent: Key | None = None
    sources: Citations = []

    @field_validator("end_date")
    @classmethod
    def _span(cls, end_date: date | None, info: ValidationInfo) -> date | None:
        check_span(info.data.get("start_date"), end_date)
        return end_date

    @field_validator("parent")
    @classmethod
    def _not_own_parent(cls, parent: str | None, info: ValidationInfo) -> str | None:
        if parent is not None and parent == info.data.get("key"):
            raise ValueError("an engagement cannot be its own parent")
        return parent


class EngagementPatch(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "held"}]})

    key: Key | None = None
    kind: EngagementKind | None = None
    title: Text | None = None
    summary: OptionalText = None
    start_date: date | None = None
    end_date: date | None = None
    date_precision: DatePrecision | None = None
    status: EngagementStatus | None = None
    location: Location | None = None
    countries: Codes | None = None
    organizations: Keys | None = None
    participants: Participants | None = None
    topics: Topics | None = None
    sectors: Keys | None = None
    sanctions_rounds: Keys | None = None
    parent: Key | None = None
    sources: Citations | None = None


class ParticipantRead(BaseModel):
    actor: Ref
    role: ParticipantRole


class EngagementRead(BaseModel):
    id: int
    key: str
    kind: EngagementKind
    title: str
    summary: str | None
    start_date: date
    end_date: date | None
    date_precision: DatePrecision
    status: EngagementStatus
    location: Location | None
    countries: list[str]
    organizations: list[Ref]
    participants: list[ParticipantRead]
    topics: list[str]
    sectors: list[Ref]
    sanctions_rounds: list[Ref]
    parent: Ref | None
    legs: list[Ref] = Field(description="The trip's legs (engagements naming this one as parent)")
    sources: list[CitationRead]
    created_at: datetime
    updated_at: datetime
    version: Version
