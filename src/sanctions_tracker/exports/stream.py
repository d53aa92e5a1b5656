"""The download response: a body streamed as it is produced, named by `Content-Disposition`."""

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any

from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import Select, Table
from sqlalchemy.orm import Session

from sanctions_tracker.caching import etag_matches
from sanctions_tracker.exports.formats import CONTENT_TYPES, EXTENSIONS, ExportFormat
from sanctions_tracker.fingerprints import fingerprint


def filename(name: str, export_format: ExportFormat, day: date | None = None) -> str:
    """`<name>-<YYYYMMDD>.<extension>`, the day the export was made (UTC); the name is reduced
    to lower-case letters, digits and hyphens, so the header needs no quoting rules."""
    safe = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "export"
    day = day or datetime.now(UTC).date()
    return f"{safe}-{day:%Y%m%d}.{EXTENSIONS[export_format]}"


def stream(
    body: Iterator[bytes], export_format: ExportFormat, name: str, *, etag: str | None = None
) -> StreamingResponse:
    """Send `body` as an attachment named after `name`, with `ETag: etag` when one is given."""
    headers = {
        "Content-Disposition": f'attachment; filename="{filename(name, export_format)}"',
        "Vary": "Accept",
        "Cache-Control": "no-cache",
    }
    if etag is not None:
        headers["ETag"] = etag
    return StreamingResponse(body, media_type=CONTENT_TYPES[export_format], headers=headers)


def download(
    request: Request,
    session: Session,
    rows: Iterable[tuple[Table, Select[Any]]],
    body: Iterator[bytes],
    export_format: ExportFormat,
    name: str,
) -> Response:
    """The file `body` writes from `rows` (each a table and a query of its ids), tagged before
    it starts; a client already holding that tag gets a 304 and nothing is read."""
    etag = fingerprint(session, rows, str(request.url), export_format.value)
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(
            status_code=304,
            headers={"ETag": etag, "Vary": "Accept", "Cache-Control": "no-cache"},
        )
    return stream(body, export_format, name, etag=etag)
