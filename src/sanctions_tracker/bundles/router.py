from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from sanctions_tracker.bundles import service
from sanctions_tracker.bundles.schemas import Bundle, ImportResult
from sanctions_tracker.db import SessionDep
from sanctions_tracker.observability import metrics
from sanctions_tracker.problems import problem_responses
from sanctions_tracker.routing import OneTripRoute

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


@router.get(
    "/export",
    summary="Export the whole store as a bundle",
    response_class=JSONResponse,
    responses={200: {"model": Bundle, "description": "The store as a bundle"}},
)
def export_bundle(session: SessionDep) -> JSONResponse:
    """Every record, in the bundle format, sorted by key. Importing it into an empty store and
    exporting again gives the same document."""
    return JSONResponse(service.export_bundle(session))
