"""The engagement filters as query parameters, shared by the list and the views built on it."""

from typing import Annotated

from fastapi import Depends, Query

from sanctions_tracker.engagements.service import EngagementFilters
from sanctions_tracker.enums import EngagementKind, EngagementStatus
from sanctions_tracker.fields import Slug
from sanctions_tracker.params import Codes, IsoDate, Refs, Text, check_codes, check_refs


async def engagement_filters(
    kind: Annotated[list[EngagementKind] | None, Query(description="Any of these kinds")] = None,
    status: Annotated[
        list[EngagementStatus] | None, Query(description="Any of these statuses")
    ] = None,
    country: Annotated[Codes, Query(description="A party to it (in `countries`)")] = None,
    location_country: Annotated[Codes, Query(description="Took place in this country")] = None,
    actor: Annotated[Refs, Query(description="With this actor among the participants")] = None,
    organization: Annotated[Refs, Query(description="Involving this organization")] = None,
    sector: Annotated[
        Refs, Query(description="Discussing this sector or any sector below it in the tree")
    ] = None,
    sanctions_round: Annotated[Refs, Query(description="Naming this sanctions round")] = None,
    topic: Annotated[list[Slug] | None, Query(description="Tagged with this topic")] = None,
    parent: Annotated[Refs, Query(description="Legs of this trip")] = None,
    date_from: Annotated[
        IsoDate | None,
        Query(
            alias="from", description="Its span [start_date, end_date] reaches this day or later"
        ),
    ] = None,
    date_to: Annotated[
        IsoDate | None,
        Query(alias="to", description="Its span starts on this day or earlier"),
    ] = None,
    q: Annotated[
        Text,
        Query(
            description="Full-text search in the title, summary, place, topics and quotes, "
            "as in `/v1/search`: words in any form (`sanction` finds `sanctions`), "
            '`"a phrase"`, `adey*`, `oil OR gas`, `-gas`; a query that cannot be read is a 400',
        ),
    ] = None,
) -> EngagementFilters:
    return EngagementFilters(
        kind=kind,
        status=status,
        country=check_codes(country, "country"),
        location_country=check_codes(location_country, "location_country"),
        actor=check_refs(actor, "actor"),
        organization=check_refs(organization, "organization"),
        sector=check_refs(sector, "sector"),
        sanctions_round=check_refs(sanctions_round, "sanctions_round"),
        topic=topic,
        parent=check_refs(parent, "parent"),
        date_from=date_from,
        date_to=date_to,
        q=q,
    )


EngagementFilterParams = Annotated[EngagementFilters, Depends(engagement_filters)]
