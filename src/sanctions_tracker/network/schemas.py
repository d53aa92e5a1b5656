from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

RABAT = "2022-03-29-blinken-mohammed-bin-zayed-rabat"

# Part of the seed's answer to `?actor=antony-blinken`.
EXAMPLE: dict[str, Any] = {
    "nodes": [
        {"id": "antony-blinken", "label": "Antony Blinken", "country": "US", "engagement_count": 2},
        {"id": "liz-truss", "label": "Liz Truss", "country": "GB", "engagement_count": 1},
        {
            "id": "mohammed-bin-zayed-al-nahyan",
            "label": "Mohammed bin Zayed Al Nahyan",
            "country": "AE",
            "engagement_count": 1,
        },
    ],
    "edges": [
        {
            "id": "antony-blinken--liz-truss",
            "source": "antony-blinken",
            "target": "liz-truss",
            "weight": 1,
            "engagements": ["2022-04-01-blinken-truss-call"],
        },
        {
            "id": "antony-blinken--mohammed-bin-zayed-al-nahyan",
            "source": "antony-blinken",
            "target": "mohammed-bin-zayed-al-nahyan",
            "weight": 1,
            "engagements": [RABAT],
        },
    ],
}


class NetworkLevel(StrEnum):
    actor = "actor"
    country = "country"


class NetworkNode(BaseModel):
    id: str = Field(description="The actor's key, or the country's code", examples=["liz-truss"])
    label: str = Field(description="The actor's or the country's name", examples=["Liz Truss"])
    country: str | None = Field(
        description="The actor's country (null when unknown); a country's own code",
        examples=["GB"],
    )
    engagement_count: int = Field(
        ge=1, description="Matching engagements it takes part in", examples=[2]
    )


class NetworkEdge(BaseModel):
    id: str = Field(description="`source--target`", examples=["antony-blinken--liz-truss"])
    source: str = Field(description="The node id that sorts first", examples=["antony-blinken"])
    target: str = Field(description="The node id that sorts last", examples=["liz-truss"])
    weight: int = Field(ge=1, description="Matching engagements the two share", examples=[2])
    engagements: list[str] = Field(
        description="Keys of the first 20 of those engagements, by start date then key",
        examples=[["2022-04-01-blinken-truss-call"]],
    )


class Network(BaseModel):
    """Who engaged whom: nodes and undirected, weighted edges (Cytoscape.js, D3 and alike)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
