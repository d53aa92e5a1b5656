from enum import StrEnum

from pydantic import BaseModel, Field


class SearchType(StrEnum):
    """A searchable record type, named as in bundle files."""

    engagements = "engagements"
    sanctions_rounds = "sanctions_rounds"
    actors = "actors"
    organizations = "organizations"
    sectors = "sectors"
    sources = "sources"


class SearchHit(BaseModel):
    type: SearchType = Field(description="The record's type, named as in bundle files")
    key: str
    id: int = Field(description="The record's id (not the search document's)")
    title: str = Field(
        description="The record's title, or its name for people, organizations and sectors"
    )
    snippet: str = Field(
        description="HTML-safe text around the first match, from the body when a match is "
        "there, else from the title; matched words are wrapped in `<mark>…</mark>`, `…` shows "
        "where text was cut"
    )
    score: float = Field(
        description="Relevance, higher is better; only comparable within one search"
    )
