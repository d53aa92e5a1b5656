"""Snippets: the database marks the matched words with two control characters; here the marks
become `<mark>` elements around HTML-escaped text, cut to a window around the first match.

Both databases only say which characters matched; the window, the escaping and the choice of
title or body are decided here, so a snippet reads the same whichever database answered.
"""

import html
import re
from collections.abc import Iterable

START, STOP = "\x02", "\x03"
WINDOW = 200  # characters of text in a snippet, about 30 words
BEFORE = 60  # characters of context kept before the first match

Span = tuple[int, int]


def spans(marked: str | None, text: str) -> list[Span]:
    """Where `marked` (`text` with START/STOP around matches) marks `text`; no spans when the two
    do not line up (e.g. the text itself holds a marker character)."""
    if not marked:
        return []
    found: list[Span] = []
    plain: list[str] = []
    start: int | None = None
    length = 0
    for char in marked:
        if char == START:
            start = length
        elif char == STOP:
            if start is not None and length > start:
                found.append((start, length))
            start = None
        else:
            plain.append(char)
            length += 1
    return found if "".join(plain) == text else []


def merge(groups: Iterable[list[Span]]) -> list[Span]:
    merged: list[Span] = []
    for start, stop in sorted(span for group in groups for span in group):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(stop, merged[-1][1]))
        else:
            merged.append((start, stop))
    return merged


def _window(text: str, first: int) -> tuple[int, int]:
    if len(text) <= WINDOW:
        return 0, len(text)
    start = max(0, first - BEFORE)
    if start > 0:
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    stop = min(len(text), start + WINDOW)
    if stop < len(text):
        space = text.rfind(" ", start, stop)
        stop = space if space > start else stop
    return start, stop


def _joined(text: str, marks: list[Span]) -> list[Span]:
    """Marks with only spaces or punctuation between them on one line become one:
    `<mark>U.S</mark>`, `<mark>foreign secretary</mark>`."""
    joined: list[Span] = []
    for start, stop in marks:
        gap = text[joined[-1][1] : start] if joined else "x"
        if not any(char.isalnum() or char in "\n\r" for char in gap):
            joined[-1] = (joined[-1][0], stop)
        else:
            joined.append((start, stop))
    return joined


def render(text: str, marks: list[Span]) -> str:
    """HTML-safe text of a window around the first mark, marks as `<mark>…</mark>`."""
    marks = _joined(text, marks)
    text = re.sub(r"\s", " ", text)  # same length, so the marks still fit
    start, stop = _window(text, marks[0][0] if marks else 0)
    pieces = ["…" if start > 0 else ""]
    position = start
    for mark_start, mark_stop in marks:
        mark_start, mark_stop = max(mark_start, start), min(mark_stop, stop)
        if mark_start >= mark_stop:
            continue
        pieces.append(html.escape(text[position:mark_start], quote=False))
        pieces.append("<mark>" + html.escape(text[mark_start:mark_stop], quote=False) + "</mark>")
        position = mark_stop
    pieces.append(html.escape(text[position:stop], quote=False))
    pieces.append("…" if stop < len(text) else "")
    return re.sub(" {2,}", " ", "".join(pieces)).strip()


def snippet(title: str, body: str | None, title_marks: list[Span], body_marks: list[Span]) -> str:
    """From the body when a match is there, else from the title."""
    if body and (body_marks or not title_marks):
        return render(body, body_marks)
    return render(title, title_marks)
