"""The sanctions-round filters as query parameters, shared by the list and the stats."""

from typing import Annotated

from fastapi import Depends, Query

from sanctions_tracker.enums import Measure, RoundStatus
from sanctions_tracker.params import Codes, IsoDate, Refs, Text, check_codes, check_refs
from sanctions_tracker.sanctions_rounds.service import SanctionsRoundFilters


async def sanctions_round_filters(
    imposed_by: Annotated[Codes, Query(description="Imposed by any of these jurisdictions")] = None,
    target: Annotated[Codes, Query(description="Targeting any of these countries")] = None,
    measure: Annotated[
        list[Measure] | None, Query(description="With any of these measures")
    ] = None,
    sector: Annotated[
        Refs, Query(description="Targeting this sector or any sector below it in the tree")
    ] = None,
    status: Annotated[list[RoundStatus] | None, Query(description="Any of these statuses")] = None,
    date_from: Annotated[
        IsoDate | None, Query(alias="from", description="Announced on or after (inclusive)")
    ] = None,
    date_to: Annotated[
        IsoDate | None, Query(alias="to", description="Announced on or before (inclusive)")
    ] = None,
    q: Annotated[
        Text,
        Query(
            description="Full-text search in the title, summary, legal basis and quotes, "
            "as in `/v1/search`: words in any form (`sanction` finds `sanctions`), "
            '`"a phrase"`, `adey*`, `oil OR gas`, `-gas`; a query that cannot be read is a 400',
        ),
    ] = None,
) -> SanctionsRoundFilters:
    return SanctionsRoundFilters(
        imposed_by=check_codes(imposed_by, "imposed_by"),
        target=check_codes(target, "target"),
        measure=measure,
        sector=check_refs(sector, "sector"),
        status=status,
        date_from=date_from,
        date_to=date_to,
        q=q,
    )


SanctionsRoundFilterParams = Annotated[SanctionsRoundFilters, Depends(sanctions_round_filters)]
