from typing import Literal

from pydantic import BaseModel, Field

from sanctions_tracker.actors.schemas import ActorRecord
from sanctions_tracker.engagements.schemas import EXAMPLE as ENGAGEMENT_EXAMPLE
from sanctions_tracker.engagements.schemas import EngagementRecord
from sanctions_tracker.fields import StrictModel
from sanctions_tracker.organizations.schemas import OrganizationRecord
from sanctions_tracker.sanctions_rounds.schemas import SanctionsRoundRecord
from sanctions_tracker.sectors.schemas import SectorRecord
from sanctions_tracker.sources.schemas import EXAMPLE as SOURCE_EXAMPLE
from sanctions_tracker.sources.schemas import SourceRecord

FORMAT = "sanctions-tracker-bundle/1"


class Bundle(StrictModel):
    """A `sanctions-tracker-bundle/1` document: any mix of records, referring to each other
    by key."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "format": FORMAT,
                    "sources": [SOURCE_EXAMPLE],
                    "engagements": [
                        {**ENGAGEMENT_EXAMPLE, "organizations": [], "participants": []}
                    ],
                }
            ]
        }
    }

    format: Literal["sanctions-tracker-bundle/1"]
    sources: list[SourceRecord] = []
    organizations: list[OrganizationRecord] = []
    actors: list[ActorRecord] = []
    sectors: list[SectorRecord] = []
    sanctions_rounds: list[SanctionsRoundRecord] = []
    engagements: list[EngagementRecord] = []


class Counts(BaseModel):
    created: int
    updated: int
    unchanged: int


class ImportResult(BaseModel):
    """What an import did (or, with `dry_run`, would do), by outcome and by record type."""

    dry_run: bool
    created: dict[str, int] = Field(description="New records, by record type")
    updated: dict[str, int] = Field(description="Stored records that changed, by record type")
    unchanged: dict[str, int] = Field(description="Stored records already identical")
    sources: Counts
    organizations: Counts
    actors: Counts
    sectors: Counts
    sanctions_rounds: Counts
    engagements: Counts
