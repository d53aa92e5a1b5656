from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sanctions_tracker.enums import EngagementKind, EngagementStatus, RoundStatus

# The seed's answer to `?target=RU&window=3&imposed_by=US&from=2022-03-31&to=2022-03-31`,
# but for six of its seven preceding engagements.
EXAMPLE: dict[str, Any] = {
    "target": "RU",
    "window": 3,
    "from": "2022-03-31",
    "to": "2022-03-31",
    "rounds": [
        {
            "key": "us-2022-03-31-eo-14024-technology-evasion",
            "title": "U.S. sanctions on Russian technology firms and an evasion network",
            "announced_on": "2022-03-31",
            "status": "in_force",
            "imposed_by": ["US"],
            "sectors": [
                "technology",
                "microelectronics",
                "aerospace",
                "maritime-shipping",
                "military-supply-chains",
            ],
            "url": "/v1/sanctions-rounds/us-2022-03-31-eo-14024-technology-evasion",
            "related_rounds": [
                {
                    "key": "gb-2022-03-31-state-media",
                    "title": "UK sanctions figures of Russian state media",
                    "announced_on": "2022-03-31",
                    "imposed_by": ["GB"],
                    "lag_days": 0,
                    "shared_sectors": [],
                    "url": "/v1/sanctions-rounds/gb-2022-03-31-state-media",
                }
            ],
            "preceding_engagements": [
                {
                    "key": "2022-03-30-daleep-singh-new-delhi-visit",
                    "title": "Daleep Singh consults Indian officials in New Delhi on Russia "
                    "sanctions",
                    "kind": "visit",
                    "status": "held",
                    "start_on": "2022-03-30",
                    "countries": ["US", "IN"],
                    "lead_days": 1,
                    "names_round": False,
                    "url": "/v1/engagements/2022-03-30-daleep-singh-new-delhi-visit",
                }
            ],
            "preceding_engagement_count": 7,
        }
    ],
    "pairs": [
        {
            "leader": "US",
            "follower": "GB",
            "leader_rounds": 1,
            "times": 1,
            "median_lag_days": 0,
            "shared_sectors": [],
        }
    ],
    "jurisdictions": [
        {
            "jurisdiction": "US",
            "rounds": 1,
            "preceded": 1,
            "preceded_share": 1.0,
            "median_lead_days": 1,
        }
    ],
    "total": 1,
    "next_cursor": None,
}


class RelatedRound(BaseModel):
    """A round by another jurisdiction against the same target, near in time."""

    key: str
    title: str
    announced_on: date
    imposed_by: list[str] = Field(description="Its imposing jurisdictions, in its own order")
    lag_days: int = Field(
        description="Its `announced_on` minus the focal round's, in days: negative when it came "
        "first, 0 on the same day"
    )
    shared_sectors: list[str] = Field(
        description="Keys of the sectors both rounds name (exactly), in the focal round's order"
    )
    url: str = Field(examples=["/v1/sanctions-rounds/gb-2022-03-31-state-media"])


class PrecedingEngagement(BaseModel):
    """An engagement of an imposing jurisdiction in the days before the round."""

    key: str
    title: str
    kind: EngagementKind
    status: EngagementStatus
    start_on: date
    countries: list[str] = Field(description="Its parties, in its own order")
    lead_days: int = Field(
        ge=0, description="The round's `announced_on` minus this `start_on`, in days"
    )
    names_round: bool = Field(description="Whether its `sanctions_rounds` name the focal round")
    url: str = Field(examples=["/v1/engagements/2022-04-01-blinken-truss-call"])


class CoordinationRound(BaseModel):
    """A focal round: a round against the target that matches the filters."""

    key: str
    title: str
    announced_on: date
    status: RoundStatus
    imposed_by: list[str] = Field(description="Its imposing jurisdictions, in its own order")
    sectors: list[str] = Field(description="Keys of the sectors it names, in its own order")
    url: str
    related_rounds: list[RelatedRound] = Field(
        description="By `lag_days`, then key; every one within the window"
    )
    preceding_engagements: list[PrecedingEngagement] = Field(
        description="Closest first (by `lead_days`, then key); at most `engagement_limit`"
    )
    preceding_engagement_count: int = Field(
        ge=0, description="How many preceding engagements there are, listed or not"
    )


class SharedSector(BaseModel):
    sector: str = Field(description="The sector's key")
    count: int = Field(ge=1, description="Of the pair's `times`, how many shared this sector")


class CoordinationPair(BaseModel):
    """How often `follower` acted within the window after a focal round of `leader`."""

    leader: str
    follower: str
    leader_rounds: int = Field(ge=1, description="Focal rounds the leader imposed")
    times: int = Field(
        ge=1,
        description="Of those (the follower not among their imposers), how many the follower "
        "followed with a round of its own against the target within the window",
    )
    median_lag_days: float | None = Field(
        description="Median, over those times, of the days to the follower's first round"
    )
    shared_sectors: list[SharedSector] = Field(
        description="The 5 sectors the two hit together most often (by count, then key)"
    )


class CoordinationJurisdiction(BaseModel):
    jurisdiction: str
    rounds: int = Field(ge=1, description="Focal rounds it imposed (alone or jointly)")
    preceded: int = Field(ge=0, description="Of those, how many had a preceding engagement")
    preceded_share: float = Field(ge=0, le=1, description="`preceded` / `rounds`")
    median_lead_days: float | None = Field(
        description="Median, over the preceded rounds, of the closest engagement's `lead_days`"
    )


class Coordination(BaseModel):
    """Rounds against one target next to the other jurisdictions' rounds and the engagements
    around them; `pairs` and `jurisdictions` summarise every focal round, not just this page."""

    model_config = ConfigDict(populate_by_name=True, json_schema_extra={"examples": [EXAMPLE]})

    target: str
    window: int
    date_from: date | None = Field(alias="from")
    date_to: date | None = Field(alias="to")
    rounds: list[CoordinationRound] = Field(
        description="This page of the focal rounds, by `announced_on`, then id"
    )
    pairs: list[CoordinationPair] = Field(
        description="Ordered pairs followed at least once: by `times` (highest first), leader, "
        "follower"
    )
    jurisdictions: list[CoordinationJurisdiction] = Field(
        description="Every jurisdiction imposing a focal round: by `rounds` (highest first), code"
    )
    total: int = Field(description="How many focal rounds match, over all pages")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last"
    )
