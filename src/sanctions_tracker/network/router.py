from typing import Annotated

from fastapi import APIRouter, Query

from sanctions_tracker.db import SessionDep
from sanctions_tracker.engagements.dependencies import EngagementFilterParams
from sanctions_tracker.network import service
from sanctions_tracker.network.schemas import Network, NetworkLevel
from sanctions_tracker.problems import problem_responses
from sanctions_tracker.routing import OneTripRoute

router = APIRouter(route_class=OneTripRoute, prefix="/v1/network", tags=["network"])


@router.get(
    "",
    summary="Who engaged whom",
    response_model=Network,
    responses=problem_responses(400, 422),
)
def get_network(
    session: SessionDep,
    filters: EngagementFilterParams,
    level: Annotated[
        NetworkLevel,
        Query(description="Link people (`actor`: the participants) or `country` (the parties)"),
    ] = NetworkLevel.actor,
) -> Network:
    """The engagements matching the filters (the same as the engagement list's) as a graph,
    shaped for Cytoscape.js, D3 and other graph libraries.

    **Nodes** are the actors taking part in a matching engagement (with `level=country`, the
    countries among its parties), each with the number of matching engagements it takes part
    in, even when it shares none with another node. An actor's `country` is the one on its
    record; a country's `country` is its own code.

    **Edges** are undirected: two nodes are linked once for every matching engagement both take
    part in, which is the edge's `weight`; `source` is the id that sorts first and the edge's id
    is `source--target`. `engagements` lists the keys of the first 20 of those engagements, by
    start date then key. An engagement with three parties links each pair of them.

    Nodes come by engagement count (highest first) then id; edges by weight (highest first) then
    id. Filters work as in the list, e.g. `from`/`to` keep the engagements overlapping the range
    and `actor=antony-blinken` keeps his engagements, with everyone else taking part in them."""
    return service.network(session, filters, level)
