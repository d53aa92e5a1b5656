"""iCalendar (RFC 5545): the calendar's opening and closing lines written here, so it can be
streamed, and each event rendered by the `icalendar` library, which folds and escapes it.

The calendar has no METHOD, so each event's DTSTAMP is the time it was last changed (RFC 5545,
3.8.7.2), which lets calendar programs tell a revised event from one they already have."""

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from icalendar import Calendar, Event

from sanctions_tracker import __version__
from sanctions_tracker.exports.chunks import encoded

PRODID = f"-//Sanctions Diplomacy Tracker//sanctions-tracker {__version__}//EN"
UID_DOMAIN = "sanctions-tracker"
CLOSING = "END:VCALENDAR\r\n"


def opening(name: str) -> str:
    """`BEGIN:VCALENDAR` and the calendar's properties, without its closing line."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    text: str = calendar.to_ical().decode("utf-8")
    assert text.endswith(CLOSING)
    return text.removesuffix(CLOSING)


def _pieces(items: Iterable[Any], event: Callable[[Any], Event | None], name: str) -> Iterator[str]:
    yield opening(name)
    for item in items:
        found = event(item)
        if found is not None:
            yield found.to_ical().decode("utf-8")
    yield CLOSING


def write_ics(
    items: Iterable[Any], event: Callable[[Any], Event | None], name: str
) -> Iterator[bytes]:
    """One VCALENDAR named `name` holding a VEVENT for each item `event` maps to one.

    RFC 5545 wants at least one component in a calendar: an empty selection still gives a
    well-formed calendar, with no events, which calendar programs open as empty."""
    return encoded(_pieces(items, event, name))
