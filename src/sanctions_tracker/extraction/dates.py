# ruff: noqa: RUF001 - typographic quotes and dashes are what copy uses
"""Date expressions resolved against the publication date.

Wire copy dates events relative to the day it runs: "on Tuesday" is the latest Tuesday on or
before publication (the next one when the clause speaks of the future), "earlier this week" is
the week's Monday with week precision, "next week" the following Monday, "last month" the first
of the previous month with month precision; explicit dates without a year take the year that
puts them nearest the publication date."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from sanctions_tracker.enums import DatePrecision

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_MONTH2 = _MONTH.replace("?P<month>", "?P<month2>")
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
_RANGE_END = (
    rf"(?:\s*(?:-|–|—|to|through|until|and)\s*(?:{_MONTH2}\s+)?(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?)?"
)
_DAY_FIRST_END = r"(?:\s*(?:-|–|—|to|and)\s*(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?)?"

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)\b")),
    # March 30-31, 2022 / March 30 to April 1 / Mar. 29
    ("month_day", re.compile(rf"\b{_MONTH}\s+{_DAY}\b{_RANGE_END}{_YEAR}(?![\d])")),
    # 30-31 March 2022 / 29 March
    ("day_month", re.compile(rf"\b{_DAY}{_DAY_FIRST_END}\s+{_MONTH}{_YEAR}\b")),
    ("month_year", re.compile(rf"\b(?:in|during|since|until|by)\s+{_MONTH}{_YEAR}\b")),
    (
        "relative_week",
        re.compile(
            r"\b(?P<rel>earlier this|later this|this|last|next|past|previous|coming|the following)"
            r"\s+(?P<unit>week|month)(?:'s|’s)?\b",
            re.IGNORECASE,
        ),
    ),
    (
        "weekday",
        re.compile(
            r"\b(?P<prefix>(?:last|next|this|on|late on|early on|from|until|by)\s+)?"
            r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
            r"(?P<possessive>'s|’s)?\b"
        ),
    ),
    (
        "deictic",
        re.compile(r"\b(?P<deictic>today|yesterday|tomorrow|tonight)(?:'s|’s)?\b", re.IGNORECASE),
    ),
]


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    start_date: date
    end_date: date | None
    precision: DatePrecision
    future: bool
    """The expression itself points ahead ("next week", "tomorrow", a later date)."""
    possessive: bool
    """ "next week's meeting": the date belongs to the noun that follows, not to the clause."""


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _nearest_year(month: int, day: int, published_on: date) -> date | None:
    candidates = []
    for year in (published_on.year - 1, published_on.year, published_on.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    return min(candidates, key=lambda candidate: abs((candidate - published_on).days))


def _explicit(match: re.Match[str], published_on: date) -> tuple[date, date | None] | None:
    month = MONTHS[match.group("month").rstrip(".").lower()]
    day = int(match.group("day"))
    year_text = match.group("year")
    try:
        start = date(int(year_text), month, day) if year_text else None
    except ValueError:
        return None
    if start is None:
        start = _nearest_year(month, day, published_on)
        if start is None:
            return None
    end = None
    day2 = match.groupdict().get("day2")
    if day2:
        month2_text = match.groupdict().get("month2")
        month2 = MONTHS[month2_text.rstrip(".").lower()] if month2_text else month
        year2 = start.year + (1 if month2 < month else 0)
        try:
            end = date(year2, month2, int(day2))
        except ValueError:
            end = None
        if end is not None and end <= start:
            end = None
    return start, end


def _weekday(match: re.Match[str], published_on: date, future: bool) -> date:
    target = WEEKDAYS.index(match.group("weekday").lower())
    prefix = (match.group("prefix") or "").strip().lower()
    back = (published_on.weekday() - target) % 7
    if prefix == "next" or (future and prefix != "last"):
        ahead = (target - published_on.weekday()) % 7
        return published_on + timedelta(days=ahead or (7 if prefix == "next" else 0))
    if prefix == "last" and back == 0:
        back = 7
    return published_on - timedelta(days=back)


def _month_start(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _relative(match: re.Match[str], published_on: date) -> tuple[date, date | None, bool]:
    rel = match.group("rel").lower()
    unit = match.group("unit").lower()
    step = {"last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1, "the following": 1}
    offset = step.get(rel, 0)
    if unit == "week":
        start = monday(published_on) + timedelta(weeks=offset)
        end = start + timedelta(days=6)
        if offset == 0 and rel != "later this":
            end = min(end, published_on)  # what happened this week happened by publication
        return start, end, offset > 0 or rel == "later this"
    start = _month_start(published_on, offset)
    end = _month_start(published_on, offset + 1) - timedelta(days=1)
    if offset == 0 and rel != "later this":
        end = min(end, published_on)
    return start, end, offset > 0 or rel == "later this"


def find_dates(text: str, published_on: date, *, future_clause: bool = False) -> list[DateMention]:
    """Every date expression of `text`, leftmost first; overlapping matches keep the first
    pattern that claimed the characters. `future_clause` turns bare weekdays forward."""
    return list(_find_dates(text, published_on, future_clause))


@lru_cache(maxsize=2048)
def _find_dates(text: str, published_on: date, future_clause: bool) -> tuple[DateMention, ...]:
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for name, pattern in PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            mention = _resolve(name, match, published_on, future_clause)
            if mention is not None:
                taken.append((match.start(), match.end()))
                found.append(mention)
    return tuple(sorted(found, key=lambda mention: mention.start))


def _resolve(
    name: str, match: re.Match[str], published_on: date, future_clause: bool
) -> DateMention | None:
    possessive = match.group(0).endswith(("'s", "’s"))
    span = (match.start(), match.end())
    if name == "iso":
        try:
            day = date.fromisoformat(match.group("iso"))
        except ValueError:
            return None
        return DateMention(*span, day, None, DatePrecision.day, day > published_on, possessive)
    if name in ("month_day", "day_month"):
        resolved = _explicit(match, published_on)
        if resolved is None:
            return None
        start, end = resolved
        return DateMention(*span, start, end, DatePrecision.day, start > published_on, possessive)
    if name == "month_year":
        month = MONTHS[match.group("month").rstrip(".").lower()]
        year_text = match.group("year")
        first = (
            date(int(year_text), month, 1) if year_text else _nearest_year(month, 1, published_on)
        )
        if first is None:
            return None
        start = first
        end = _month_start(start, 1) - timedelta(days=1)
        # Skip the preposition: the expression is the month.
        return DateMention(
            match.start("month"),
            span[1],
            start,
            end,
            DatePrecision.month,
            start > published_on,
            possessive,
        )
    if name == "relative_week":
        start, end, future = _relative(match, published_on)
        unit = DatePrecision.week if match.group("unit").lower() == "week" else DatePrecision.month
        return DateMention(*span, start, end, unit, future, possessive)
    if name == "weekday":
        prefix = (match.group("prefix") or "").strip().lower()
        future = future_clause or prefix == "next"
        day = _weekday(match, published_on, future)
        return DateMention(*span, day, None, DatePrecision.day, day > published_on, possessive)
    deictic = match.group("deictic").lower()
    shift = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[deictic]
    day = published_on + timedelta(days=shift)
    return DateMention(*span, day, None, DatePrecision.day, shift > 0, possessive)
