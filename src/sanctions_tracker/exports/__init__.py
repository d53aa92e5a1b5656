"""Lists as files: CSV, NDJSON, GeoJSON and iCalendar, streamed in constant memory.

`formats` names the formats and picks one from `format=` or `Accept`; `columns` derives a CSV
layout from a Read schema; `csv_writer`, `ndjson`, `geojson` and `ics` turn an iterator of Read
models (or dicts) into byte chunks (grouped by `chunks`); `stream` wraps them in a download
response; `specs` holds each record type's layout. The list routes use them through `listing`;
any other view (the timeline) can call the writers and `stream` directly.

The interchange formats, `ftm` (FollowTheMoney entities) and `plover` (PLOVER events), map each
batch of Read models through a `prepare` step that looks up what the records refer to
(`references`), then write JSON lines.
"""
