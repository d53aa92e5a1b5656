from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from sanctions_tracker.countries import service
from sanctions_tracker.countries.schemas import CountryRead
from sanctions_tracker.db import SessionDep
from sanctions_tracker.exports import specs
from sanctions_tracker.listing import Listing, ListRequest, each, table_exports
from sanctions_tracker.models import Country
from sanctions_tracker.pagination import Page
from sanctions_tracker.params import Text
from sanctions_tracker.problems import problem_responses
from sanctions_tracker.routing import OneTripRoute

router = APIRouter(route_class=OneTripRoute, prefix="/v1/countries", tags=["countries"])


LISTING = Listing(
    name="countries",
    page_type=Page[CountryRead],
    tiebreak=Country.code,
    sorts=service.SORTS,
    default_sort=service.DEFAULT_SORT,
    read=each(service.to_read),
    exports=table_exports(specs.COUNTRY_COLUMNS),
)


@router.get(
    "",
    summary="List countries",
    response_model=Page[CountryRead],
    responses=LISTING.responses(),
)
def list_countries(
    session: SessionDep,
    *,
    q: Annotated[
        Text,
        Query(description="Text in the name or official name, or an exact alpha-2/alpha-3 code"),
    ] = None,
    listing: Annotated[ListRequest[CountryRead], Depends(LISTING.parameters())],
) -> Page[CountryRead] | Response:
    """The codes every record uses: ISO 3166-1 alpha-2, plus `EU` for the European Union.
    The United Kingdom is `GB`. `limit=500` fetches them all in one page."""
    return listing.answer(session, service.list_query(q))


@router.get(
    "/{code}",
    summary="Get a country",
    response_model=CountryRead,
    responses=problem_responses(404),
)
def get_country(
    code: Annotated[str, Path(description="ISO 3166-1 alpha-2 or EU", examples=["GB"])],
    session: SessionDep,
) -> CountryRead:
    """`code` is ISO 3166-1 alpha-2 (case-insensitive) or EU."""
    return service.to_read(service.get(session, code))
