"""Query parameters shared by the lists: paging, and checks on codes and references."""

import re
from collections.abc import Iterable
from datetime import date
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, BeforeValidator

from sanctions_tracker.countries.codes import COUNTRY_CODES
from sanctions_tracker.fields import CODE_HINTS, KEY_PATTERN, check_storable
from sanctions_tracker.pagination import MAX_LIMIT
from sanctions_tracker.problems import FieldError, ValidationFailed, field_error

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}")]
ListLimit = Annotated[
    int,
    Query(
        ge=0,
        le=MAX_LIMIT,
        description=f"Page size, at most {MAX_LIMIT}; 0 answers only `total` (and the `facets` "
        "asked for), with no items: the cheapest way to count",
    ),
]
Cursor = Annotated[
    str | None,
    Query(description="`next_cursor` of the previous page; keep the other parameters unchanged"),
]
Codes = Annotated[
    list[str] | None,
    Query(description="ISO 3166-1 alpha-2 code or EU; repeat for any of several", examples=["GB"]),
]
Refs = Annotated[
    list[str] | None,
    Query(description="Key or id; repeat for any of several"),
]


def _storable(value: str | None) -> str | None:
    return value if value is None else check_storable(value)


Storable = AfterValidator(_storable)
"""For free-text query parameters: refuses NUL and lone surrogates with a 422."""

Text = Annotated[
    str | None,
    Query(min_length=1, max_length=200, description="Case-insensitive text to look for"),
    Storable,
]


def sort_description(choices: Iterable[str]) -> str:
    listed = ", ".join(f"`{choice}`" for choice in choices)
    return f"Field to sort by: {listed}; prefix `-` for descending. Ties are broken by id."


def check_codes(values: list[str] | None, parameter: str) -> list[str] | None:
    """Upper-cases the codes and insists that each one exists (422 otherwise)."""
    if not values:
        return values
    codes = [value.strip().upper() for value in values]
    errors: list[FieldError] = []
    for index, code in enumerate(codes):
        if code not in COUNTRY_CODES:
            hint = f"; use {CODE_HINTS[code]!r}" if code in CODE_HINTS else ""
            errors.append(
                field_error(
                    f"/{parameter}/{index}",
                    f"unknown country code {values[index]!r}: use ISO 3166-1 alpha-2, or EU{hint}",
                    "query",
                )
            )
    if errors:
        raise ValidationFailed(errors)
    return codes


def check_refs(values: list[str] | None, parameter: str) -> list[str] | None:
    """References in filters are keys or ids; anything else is a 422 (a typo, not an empty list)."""
    if not values:
        return values
    errors = [
        field_error(f"/{parameter}/{index}", f"{value!r} is neither a key nor an id", "query")
        for index, value in enumerate(values)
        if not ((value.isascii() and value.isdigit()) or KEY_PATTERN.fullmatch(value))
    ]
    if errors:
        raise ValidationFailed(errors)
    return values


RefPath = Annotated[
    str,
    Path(
        description="The record's key (e.g. `liz-truss`) or its integer id",
        examples=["2022-04-01-blinken-truss-call"],
    ),
]


def _iso_date(value: object) -> object:
    """Only `YYYY-MM-DD`: lax parsing would read `?to=0` as a Unix time (1970-01-01)."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("use an ISO 8601 date, YYYY-MM-DD")
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
"""A date query parameter: `YYYY-MM-DD` and nothing else."""
