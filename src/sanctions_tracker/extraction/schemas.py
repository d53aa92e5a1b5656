"""The body of `POST /v1/extract` and its answer."""

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from sanctions_tracker.bundles.schemas import Bundle
from sanctions_tracker.fields import OptionalShortText, OptionalText, StrictModel

MAX_TEXT = 100_000

EXAMPLE: dict[str, Any] = {
    "text": "WASHINGTON (Reuters) - U.S. Secretary of State Antony Blinken and British Foreign "
    "Minister Liz Truss on Friday discussed additional possible actions to ratchet up their "
    "response to Russia's invasion of Ukraine, the U.S. State Department said.",
    "published_on": "2022-04-01",
    "publisher": "Reuters",
    "title": "Blinken, UK's Truss discuss additional response to Ukraine invasion",
    "url": None,
}


class ExtractRequest(StrictModel):
    """An article or readout to read; nothing is stored."""

    model_config = {"json_schema_extra": {"examples": [EXAMPLE]}}

    text: Annotated[
        str,
        StringConstraints(min_length=1, max_length=MAX_TEXT),
        Field(description=f"The text, at most {MAX_TEXT:,} characters"),
    ]
    published_on: date | None = Field(
        default=None,
        description="Publication date, the anchor of relative dates ('on Friday', 'next week'); "
        "today (UTC) when left out",
    )
    publisher: OptionalShortText = None
    title: OptionalText = None
    url: OptionalText = None


class Evidence(BaseModel):
    pointer: str = Field(
        description="JSON Pointer into `bundle` of the record the passage supports"
    )
    quote: str = Field(description="The sentence, exactly as in the text")
    start: int = Field(description="Offset of the sentence's first character in `text`")
    end: int = Field(description="Offset just past its last character (`text[start:end]`)")
    confidence: float = Field(ge=0, le=1, description="How sure the rule that found it is")


class ExtractResult(BaseModel):
    bundle: Bundle = Field(
        description="The draft, ready to be edited and sent to `POST /v1/import`"
    )
    evidence: list[Evidence]
    notes: list[str] = Field(description="Why the draft is empty, when it is")
