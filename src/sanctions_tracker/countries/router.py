from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from sanctions_tracker.countries import service
from sanctions_tracker.countries.schemas import CountryRead
from sanctions_tracker.db import SessionDep
from sanctions_tracker.models import Country
from sanctions_tracker.pagination import DEFAULT_LIMIT, Page, answer_page, paginate
from sanctions_tracker.params import Cursor, Limit, Text, sort_description
from sanctions_tracker.problems import problem_responses

router = APIRouter(prefix="/v1/countries", tags=["countries"])


@router.get(
    "",
    summary="List countries",
    response_model=Page[CountryRead],
    responses=problem_responses(400, 422),
)
def list_countries(
    request: Request,
    response: Response,
    session: SessionDep,
    q: Annotated[
        Text,
        Query(description="Text in the name or official name, or an exact alpha-2/alpha-3 code"),
    ] = None,
    sort: Annotated[str, Query(description=sort_description(service.SORTS))] = service.DEFAULT_SORT,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[CountryRead]:
    """The codes every record uses: ISO 3166-1 alpha-2, plus `EU` for the European Union.
    The United Kingdom is `GB`. `limit=500` fetches them all in one page."""
    page = paginate(
        session,
        service.list_query(q),
        tiebreak=Country.code,
        sorts=service.SORTS,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )
    return answer_page(request, response, Page[CountryRead], page, service.to_read)


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
