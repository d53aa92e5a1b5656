"""CSV that opens cleanly in a spreadsheet: UTF-8 with a byte order mark, a header row, RFC 4180
quoting and CRLF line ends, and text cells that a spreadsheet would run as formulas defused.

The byte order mark is there for Excel, which otherwise reads the file as the local code page and
garbles every accented name; LibreOffice, pandas and Python's csv (`encoding="utf-8-sig"`) all
read it as the BOM it is."""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sanctions_tracker.exports.chunks import encoded
from sanctions_tracker.exports.columns import Cell, Column, defused

BOM = "\ufeff"
PIECE_ROWS = 64


def cell(value: Cell) -> str | int | float:
    """A value as written: numbers as numbers (never escaped, so -0.1276 stays a number), text
    that starts like a formula behind a `'`, which spreadsheets show as plain text."""
    if type(value) is str:  # most cells: one exact type test before the isinstance chain
        return defused(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return defused(text)


def csv_lines(items: Iterable[Any], columns: Sequence[Column]) -> Iterator[str]:
    """The BOM and header, then the rows, in pieces of about `PIECE_ROWS` lines (one string
    per row would cost a buffer read and reset per row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(column.header for column in columns)
    values = [column.value for column in columns]
    for count, item in enumerate(items, start=1):
        writer.writerow([cell(value(item)) for value in values])
        if count % PIECE_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_csv(items: Iterable[Any], columns: Sequence[Column]) -> Iterator[bytes]:
    return encoded(csv_lines(items, columns))
