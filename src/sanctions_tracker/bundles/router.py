from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanctions_tracker.actors.router import LISTING as ACTORS
from sanctions_tracker.bundles import service
from sanctions_tracker.bundles.schemas import Bundle, ImportResult
from sanctions_tracker.db import SessionDep, StreamSessionDep
from sanctions_tracker.engagements.router import LISTING as ENGAGEMENTS
from sanctions_tracker.exports import ftm
from sanctions_tracker.exports.formats import MEDIA_TYPES, ExportFormat
from sanctions_tracker.exports.stream import download
from sanctions_tracker.listing import begin_snapshot, every_record
from sanctions_tracker.observability import metrics
from sanctions_tracker.organizations.router import LISTING as ORGANIZATIONS
from sanctions_tracker.problems import problem_responses
from sanctions_tracker.routing import OneTripRoute
from sanctions_tracker.sanctions_rounds.router import LISTING as SANCTIONS_ROUNDS
from sanctions_tracker.sources.router import LISTING as SOURCES

router = APIRouter(route_class=OneTripRoute, prefix="/v1", tags=["bundles"])

BUNDLE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Bundle"}}},
    }
}


@router.post(
    "/import",
    summary="Import a bundle",
    response_model=ImportResult,
    responses=problem_responses(422),
    openapi_extra=BUNDLE_BODY,
)
def import_bundle(
    session: SessionDep,
    payload: Annotated[dict[str, Any], Body()],
    dry_run: Annotated[
        bool, Query(description="Check everything and count what would change; write nothing")
    ] = False,
) -> ImportResult:
    """Upsert every record of a `sanctions-tracker-bundle/1` document by key, all or nothing.

    References may name records of the same bundle (in any order) or stored ones. A record is
    the whole record: a field left out is set to its default. Importing the same bundle twice
    changes nothing the second time (everything counts as `unchanged`). On any error nothing
    is written and the 422 answer lists every error with a JSON Pointer into the bundle.
    """
    result = service.import_bundle(session, payload, dry_run=dry_run, consume=True)
    if not dry_run:
        metrics.count_import(result.model_dump(include={"created", "updated", "unchanged"}))
    return result


FTM_PARTS = (
    (ORGANIZATIONS, ftm.organizations),
    (ACTORS, ftm.actors),
    (SOURCES, ftm.sources),
    (SANCTIONS_ROUNDS, ftm.sanctions_rounds),
    (ENGAGEMENTS, ftm.engagements),
)
"""The lists the FtM export walks, in this order: those that others refer to come first."""


@router.get(
    "/export",
    summary="Export the whole store as a bundle",
    response_class=JSONResponse,
    responses={
        200: {
            "model": Bundle,
            "description": "The store as a bundle, or as FollowTheMoney entities",
            "content": {MEDIA_TYPES[ExportFormat.ftm]: {"schema": {"type": "string"}}},
        },
        **problem_responses(422),
    },
)
def export_bundle(
    request: Request,
    session: SessionDep,
    stream_session: StreamSessionDep,
    format: Annotated[
        Literal["bundle", "ftm"],
        Query(
            description="`bundle` (the default): one `sanctions-tracker-bundle/1` JSON "
            "document; `ftm`: every record as FollowTheMoney entities, one per line "
            "(`application/json+ftm`), streamed"
        ),
    ] = "bundle",
) -> Response:
    """Every record, in the bundle format, sorted by key. Importing it into an empty store and
    exporting again gives the same document.

    With `format=ftm`: organizations, people (with their positions), sources, sanctions rounds
    and engagements as FollowTheMoney entities, each type sorted by key, each entity once;
    ids are `sdt-<type>-<key>`, so the same store gives the same file."""
    if format == "ftm":
        tables = [listing.tiebreak.class_.__table__ for listing, _ in FTM_PARTS]
        return download(
            request,
            session,
            [(table, select(table.c.id)) for table in tables],
            ftm.write_entities(_store_entities(stream_session)),
            ExportFormat.ftm,
            "sanctions-tracker",
        )
    return JSONResponse(service.export_bundle(session))


def _store_entities(session: Session) -> Iterator[ftm.Line]:
    begin_snapshot(session)
    for listing, prepare in FTM_PARTS:
        yield from every_record(session, listing, prepare)
