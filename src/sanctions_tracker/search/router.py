from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from sanctions_tracker.db import SessionDep
from sanctions_tracker.pagination import Page, set_link_header
from sanctions_tracker.params import Cursor, Storable
from sanctions_tracker.problems import problem_responses
from sanctions_tracker.routing import OneTripRoute
from sanctions_tracker.search import service
from sanctions_tracker.search.schemas import SearchHit, SearchType

router = APIRouter(route_class=OneTripRoute, prefix="/v1/search", tags=["search"])

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@router.get(
    "",
    summary="Search every record",
    response_model=Page[SearchHit],
    responses=problem_responses(400, 422),
)
def search(
    request: Request,
    response: Response,
    session: SessionDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description='What to look for, e.g. `sanctions "price cap" -gas` or `adey*`',
            examples=["sanctions russia"],
        ),
        Storable,
    ],
    types: Annotated[
        list[SearchType] | None,
        Query(alias="type", description="Only records of this type; repeat for any of several"),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}")
    ] = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[SearchHit]:
    """Engagements, sanctions rounds, actors, organizations, sectors and sources whose text
    matches `q`, best match first.

    A record's text is its title (or name) and its own other text: summaries, descriptions,
    legal basis, aliases, position titles, place, topics, quotes, publisher and authors. Words
    in the title count more than words elsewhere.

    * `sanctions russia`: both words, in any form (`sanction` finds `sanctions`, `sanctioned`).
    * `"foreign secretary"`: the words in this order, next to each other.
    * `adey*`: a word starting with `adey` (not stemmed, so `sanctions*` needs `sanctions…`).
    * `oil OR gas`: either (`OR` in capitals); `-gas` or `-"price cap"`: without it.

    Case and accents do not matter; punctuation separates words. A query that cannot be read
    (an unclosed quote, `OR` with nothing on one side, a lone `*`, only excluded words) is a
    400 saying why. `type` takes the names used in bundle files: `engagements`,
    `sanctions_rounds`, `actors`, `organizations`, `sectors`, `sources`. Pages follow
    `next_cursor` (or the `Link` header); keep `q` and `type` unchanged while paging.
    """
    found = service.search(
        session, q, types=[value.value for value in types or []], limit=limit, cursor=cursor
    )
    set_link_header(request, response, found.next_cursor)
    return Page[SearchHit](
        items=[
            SearchHit(
                type=SearchType(hit.type),
                key=hit.key,
                id=hit.id,
                title=hit.title,
                snippet=hit.snippet,
                score=hit.score,
            )
            for hit in found.hits
        ],
        total=found.total,
        next_cursor=found.next_cursor,
    )
