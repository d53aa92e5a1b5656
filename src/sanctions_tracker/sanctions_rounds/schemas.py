from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from sanctions_tracker.enums import Measure, RoundStatus
from sanctions_tracker.fields import (
    CitationRead,
    Citations,
    Codes,
    Key,
    Keys,
    OptionalText,
    RecordBase,
    Ref,
    StrictModel,
    Text,
    unique_items,
)
from sanctions_tracker.history.schemas import Version

EXAMPLE: dict[str, Any] = {
    "key": "us-2022-03-31-eo-14024-technology",
    "title": "U.S. sanctions on Russian technology companies and procurement networks",
    "imposed_by": ["US"],
    "targets": ["RU"],
    "announced_on": "2022-03-31",
    "effective_on": None,
    "status": "in_force",
    "measures": ["asset_freeze"],
    "sectors": ["technology", "microelectronics"],
    "legal_basis": "E.O. 14024",
    "designations": 34,
    "summary": "Treasury added the aerospace, marine and electronics sectors to E.O. 14024.",
    "sources": [],
}

Measures = Annotated[list[Measure], AfterValidator(unique_items)]


class SanctionsRoundRecord(RecordBase):
    """A sanctions round as the bundle format writes it; also the body of `POST`."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    key: Key
    title: Text
    imposed_by: Annotated[Codes, Field(min_length=1)]
    targets: Annotated[Codes, Field(min_length=1)]
    announced_on: date
    effective_on: date | None = None
    status: RoundStatus = RoundStatus.announced
    measures: Measures = []
    sectors: Keys = []
    legal_basis: OptionalText = None
    designations: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = None
    summary: OptionalText = None
    sources: Citations = []


class SanctionsRoundPatch(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "in_force"}]})

    key: Key | None = None
    title: Text | None = None
    imposed_by: Annotated[Codes, Field(min_length=1)] | None = None
    targets: Annotated[Codes, Field(min_length=1)] | None = None
    announced_on: date | None = None
    effective_on: date | None = None
    status: RoundStatus | None = None
    measures: Measures | None = None
    sectors: Keys | None = None
    legal_basis: OptionalText = None
    designations: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = None
    summary: OptionalText = None
    sources: Citations | None = None


class SanctionsRoundRead(BaseModel):
    id: int
    key: str
    title: str
    imposed_by: list[str]
    targets: list[str]
    announced_on: date
    effective_on: date | None
    status: RoundStatus
    measures: list[Measure]
    sectors: list[Ref]
    legal_basis: str | None
    designations: int | None
    summary: str | None
    sources: list[CitationRead]
    created_at: datetime
    updated_at: datetime
    version: Version
