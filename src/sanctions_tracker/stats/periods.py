"""Calendar buckets: each unit numbers its periods, so a range's buckets are a range of numbers.

Numbering (rather than stepping from date to date) counts the buckets of a range before making
any of them and never steps past the last representable date. Months, quarters and years are
numbered in SQL too, so the database groups by period rather than by day."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, cast, extract


@dataclass(frozen=True)
class Unit:
    name: str
    number: Callable[[date], int]
    """The period holding a day; consecutive periods have consecutive numbers."""
    label: Callable[[int], str]
    """The period's key in answers, e.g. `2022-W13`."""
    sql: Callable[[Any], Any] | None = None
    """`number` as a SQL expression of a date column, where both databases can say it."""


def _year(day: Any) -> Any:
    return cast(extract("year", day), Integer)


def _month(day: Any) -> Any:
    return cast(extract("month", day), Integer)


def _iso_week(number: int) -> str:
    # Ordinal 1 (0001-01-01) is a Monday, so week `number` starts on ordinal 7 * number + 1.
    year, week, _ = date.fromordinal(7 * number + 1).isocalendar()
    return f"{year:04d}-W{week:02d}"


UNITS: dict[str, Unit] = {
    unit.name: unit
    for unit in (
        Unit("day", date.toordinal, lambda number: date.fromordinal(number).isoformat()),
        Unit("week", lambda day: (day.toordinal() - 1) // 7, _iso_week),
        Unit(
            "month",
            lambda day: day.year * 12 + day.month - 1,
            lambda number: f"{number // 12:04d}-{number % 12 + 1:02d}",
            lambda day: _year(day) * 12 + _month(day) - 1,
        ),
        Unit(
            "quarter",
            lambda day: day.year * 4 + (day.month - 1) // 3,
            lambda number: f"{number // 4:04d}-Q{number % 4 + 1}",
            lambda day: _year(day) * 4 + (_month(day) - 1) // 3,
        ),
        Unit("year", lambda day: day.year, lambda number: f"{number:04d}", _year),
    )
}
