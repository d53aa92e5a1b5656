from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# The seed's EU and US rounds: `group_by=month,imposed_by&imposed_by=EU&imposed_by=US`.
EXAMPLE: dict[str, Any] = {
    "group_by": ["month", "imposed_by"],
    "buckets": [
        {"key": {"month": "2022-02", "imposed_by": "EU"}, "count": 3},
        {"key": {"month": "2022-02", "imposed_by": "US"}, "count": 6},
        {"key": {"month": "2022-03", "imposed_by": "EU"}, "count": 1},
        {"key": {"month": "2022-03", "imposed_by": "US"}, "count": 7},
        {"key": {"month": "2022-04", "imposed_by": "EU"}, "count": 1},
        {"key": {"month": "2022-04", "imposed_by": "US"}, "count": 2},
    ],
}


class StatsBucket(BaseModel):
    key: dict[str, str] = Field(
        description="The bucket's value for each dimension of `group_by`: a period such as "
        "`2022-03-28`, `2022-W13`, `2022-03`, `2022-Q1` or `2022`; a country code; a record key; "
        "or an enumeration value",
        examples=[{"month": "2022-03", "imposed_by": "EU"}],
    )
    count: int = Field(ge=0, description="Matching records in the bucket", examples=[3])


class Stats(BaseModel):
    """Counts per bucket; time buckets run without holes (zeros included)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    group_by: list[str] = Field(description="The dimensions, in the order they were asked for")
    buckets: list[StatsBucket]
