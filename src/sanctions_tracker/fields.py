"""Field types shared by every domain's schemas: keys, codes, dates, embedded references."""

import re
from collections.abc import Hashable
from datetime import date
from typing import Annotated, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from sanctions_tracker.countries.codes import COUNTRY_CODES

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,127}$")
CODE_PATTERN = re.compile(r"^(?:[A-Z]{2})$")
WIKIDATA_PATTERN = re.compile(r"^Q[1-9][0-9]*$")

CODE_HINTS = {"UK": "GB"}

H = TypeVar("H", bound=Hashable)


def check_key(value: str) -> str:
    if not KEY_PATTERN.fullmatch(value) or not any(ch.isalpha() for ch in value):
        raise ValueError(
            f"{value!r} is not a valid key: use lower-case letters, digits and '-', "
            "start with a letter or digit, at most 128 characters, at least one letter"
        )
    return value


def check_code(value: str) -> str:
    if value in CODE_HINTS:
        raise ValueError(f"{value!r} is not an ISO 3166-1 code; use {CODE_HINTS[value]!r}")
    if not CODE_PATTERN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a country code: use ISO 3166-1 alpha-2 in upper case, or EU"
        )
    if value not in COUNTRY_CODES:
        raise ValueError(f"unknown country code {value!r}: use ISO 3166-1 alpha-2, or EU")
    return value


def _strip(value: object) -> object:
    """Trims white space, and refuses what no database stores as text (NUL, lone surrogates)."""
    if not isinstance(value, str):
        return value
    check_storable(value)
    return value.strip()


def check_storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text may not contain the NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("text is not valid Unicode (a lone surrogate)") from error
    return value


Key = Annotated[
    str,
    AfterValidator(check_storable),
    Field(min_length=1, max_length=128, examples=["antony-blinken"]),
    AfterValidator(check_key),
]
"""A record's key: a lower-case slug with at least one letter."""

Slug = Annotated[
    str,
    BeforeValidator(_strip),
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,127}$"),
    Field(examples=["sanctions"]),
]
"""A free tag such as a topic."""

CountryCode = Annotated[
    str,
    Field(min_length=2, max_length=2, examples=["GB"]),
    AfterValidator(check_code),
]
"""ISO 3166-1 alpha-2 in upper case, or EU."""


def _not_empty(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


Text = Annotated[
    str, BeforeValidator(_strip), StringConstraints(max_length=20_000), AfterValidator(_not_empty)
]
"""Required text: surrounding white space is removed and it may not be empty."""

ShortText = Annotated[
    str, BeforeValidator(_strip), StringConstraints(max_length=300), AfterValidator(_not_empty)
]
"""Names that the store keeps in 300 characters: aliases, publishers, places."""

OptionalText = Annotated[
    Annotated[str, StringConstraints(max_length=20_000)] | None,
    BeforeValidator(_blank_to_none),
    BeforeValidator(_strip),
]
"""Optional text: an empty string is stored as null."""

OptionalShortText = Annotated[
    Annotated[str, StringConstraints(max_length=300)] | None,
    BeforeValidator(_blank_to_none),
    BeforeValidator(_strip),
]

WikidataId = Annotated[str, StringConstraints(pattern=WIKIDATA_PATTERN.pattern, max_length=32)]


def unique_items(values: list[H]) -> list[H]:
    seen: set[H] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{value!r} is listed twice")
        seen.add(value)
    return values


def check_span(start: date | None, end: date | None, what: str = "end_date") -> None:
    if start is not None and end is not None and end < start:
        raise ValueError(f"{what} {end.isoformat()} is before start_date {start.isoformat()}")


class StrictModel(BaseModel):
    """Base of every request body: unknown fields are an error, so typos are caught."""

    model_config = ConfigDict(extra="forbid")


class RecordBase(StrictModel):
    """A record of the bundle format: every type has a key."""

    key: Key


class Ref(BaseModel):
    """A reference to another record as responses embed it."""

    id: int
    key: str
    name: str = Field(
        description="The record's name, or its title for sources, rounds and engagements"
    )


Codes = Annotated[list[CountryCode], AfterValidator(unique_items)]
Keys = Annotated[list[Key], AfterValidator(unique_items)]


class Citation(StrictModel):
    """A source behind a record, with the passage that supports it."""

    source: Key
    quote: OptionalText = None


def unique_sources(citations: list[Citation]) -> list[Citation]:
    unique_items([citation.source for citation in citations])
    return citations


Citations = Annotated[list[Citation], AfterValidator(unique_sources)]


class CitationRead(BaseModel):
    source: Ref
    quote: str | None
