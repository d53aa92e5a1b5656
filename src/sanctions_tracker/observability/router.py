"""`GET /metrics`: the Prometheus scrape target."""

import ipaddress

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from sanctions_tracker.auth.dependencies import IdentityDep, require_role
from sanctions_tracker.config import settings_of
from sanctions_tracker.models.trust import Role
from sanctions_tracker.observability import metrics
from sanctions_tracker.problems import Forbidden, problem_responses

router = APIRouter(tags=["operations"])


def is_loopback(host: str | None) -> bool:
    """Whether `host` (the client's address) is this machine: 127.0.0.0/8, ::1, or ::1's
    IPv4-mapped form; a Unix socket (no address) is local too."""
    if host is None:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


@router.get(
    "/metrics",
    summary="Metrics for Prometheus",
    response_class=Response,
    responses={
        200: {
            "description": "The metrics in the Prometheus text format (OpenMetrics when "
            "`Accept` asks for it)",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        **problem_responses(401, 403),
    },
)
async def prometheus_metrics(request: Request, identity: IdentityDep) -> Response:
    """Requests by route template, method and status; latency histograms; database pool use;
    import counts; webhook deliveries and backlog. With several workers, the sums of all.

    Who may read them is the server's `SANCTIONS_TRACKER_METRICS_ACCESS` setting: `loopback`
    (the default: clients on the server's own host only, else a 403), `open` (anyone) or
    `admin` (an admin key)."""
    access = settings_of(request.app).metrics_access
    if access == "admin":
        await require_role(Role.admin)(identity)
    elif access == "loopback" and not is_loopback(request.client.host if request.client else None):
        raise Forbidden("The metrics are served to clients on the server's own host only.")
    # The backlog callback may query the database, and the files of a multiprocess scrape are
    # read from disk: off the event loop.
    body, media_type = await run_in_threadpool(metrics.exposition, request.headers.get("accept"))
    return Response(body, media_type=media_type)
