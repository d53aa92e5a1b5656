"""`GET /v1/{collection}/{ref}/history` for every record type, and the change feed
`GET /v1/changes`."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field

from sanctions_tracker.auth.dependencies import require_role
from sanctions_tracker.db import SessionDep
from sanctions_tracker.history import service
from sanctions_tracker.history.schemas import ChangeRead, HistoryEntry
from sanctions_tracker.models import Change
from sanctions_tracker.models.trust import Role
from sanctions_tracker.pagination import DEFAULT_LIMIT, Page, answer_page, paginate
from sanctions_tracker.params import Cursor, Limit, RefPath
from sanctions_tracker.problems import ValidationFailed, field_error, problem_responses
from sanctions_tracker.record_types import MAX_ID, RecordType
from sanctions_tracker.registry import RECORD_TYPES
from sanctions_tracker.routing import OneTripRoute

# Who may read what, in one place. A record's history is audit data (who changed what): admins
# only. The feed is what mirrors read, so it asks no more than reading the records themselves
# does (the app-wide rule for GETs), and it leaves out the writer and the replaced record.
AUDIT_DEPENDENCIES = [Depends(require_role(Role.admin))]
FEED_DEPENDENCIES: list[Any] = []

router = APIRouter(route_class=OneTripRoute, prefix="/v1")

# Changes are listed in sequence order only; a fixed sort keeps cursors those of `paginate`.
BY_SEQ = {"seq": Change.seq}


def to_change(change: Change) -> ChangeRead:
    return ChangeRead(**_fields(change))


def to_history_entry(change: Change) -> HistoryEntry:
    return HistoryEntry(**_fields(change), writer=change.writer, before=change.before)


def _fields(change: Change) -> dict[str, Any]:
    return {
        "seq": change.seq,
        "at": change.at,
        "type": change.record_type,
        "id": change.record_id,
        "key": change.record_key,
        "previous_key": change.before["key"] if change.before else None,
        "action": change.action,
        "via": change.via,
        "version": change.version,
        "record": change.after,
    }


def _add_history_route(record_type: RecordType) -> None:
    collection = record_type.name.replace("_", "-")
    article = "an" if record_type.singular[0] in "aeiou" else "a"

    def history(
        ref: RefPath,
        request: Request,
        response: Response,
        session: SessionDep,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Page[HistoryEntry]:
        page = paginate(
            session,
            service.record_history(session, record_type, ref),
            tiebreak=Change.seq,
            sorts=BY_SEQ,
            sort="seq",
            cursor=cursor,
            limit=limit,
        )
        return answer_page(request, response, Page[HistoryEntry], page, to_history_entry)

    router.add_api_route(
        f"/{collection}/{{ref}}/history",
        history,
        methods=["GET"],
        name=f"get_{record_type.name}_history",
        summary=f"History of {article} {record_type.singular}",
        description=f"""Every committed change of the {record_type.singular}, oldest first:
its creation, each write that changed it (a write that changed nothing is not listed) and its
deletion, each with the sequence number, time, writer (the API key's name), action, whether it
came through the API or an import, the version it made, and the whole record after (`record`,
null for the deletion) and before it (`before`, null for the creation), as the bundle format
writes them.

`ref` is a key the {record_type.singular} has or had, or its id; the history stays readable
after the deletion. A key taken by several records in turn names the one that took it last.
Paged like the lists (`limit`, `cursor`, `Link`). Needs an admin key.""",
        response_model=Page[HistoryEntry],
        responses=problem_responses(400, 404, 422),
        tags=[record_type.name.replace("_", " ")],
        dependencies=AUDIT_DEPENDENCIES,
    )


for _record_type in RECORD_TYPES.values():
    _add_history_route(_record_type)


# The bundle's record type names, as RECORD_TYPES holds them (a test checks that they agree).
TypeName = Literal[
    "sources", "organizations", "actors", "sectors", "sanctions_rounds", "engagements"
]
TYPE_DESCRIPTION = "Only changes of these record types (repeat for several): " + ", ".join(
    f"`{name}`" for name in RECORD_TYPES
)


@router.get(
    "/changes",
    summary="The change feed",
    tags=["changes"],
    response_model=Page[ChangeRead],
    responses=problem_responses(400, 422),
    dependencies=FEED_DEPENDENCIES,
)
def list_changes(
    request: Request,
    response: Response,
    session: SessionDep,
    since: Annotated[
        int,
        Query(
            ge=0,
            le=MAX_ID,
            description="Only changes with a sequence number greater than this: the `seq` of "
            "the last change you applied (0, the default, for everything)",
        ),
    ] = 0,
    record_types: Annotated[
        list[TypeName] | None,
        Query(alias="type", description=TYPE_DESCRIPTION, examples=["engagements"]),
    ] = None,
    record_ids: Annotated[
        list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None,
        Query(
            alias="id",
            description="Only changes of the records with these ids (repeat for several): ids "
            "are per record type, so name exactly one `type` with them. A record's versions "
            "without the writer, for those who may read the records but not the audit history",
            examples=[7],
        ),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[ChangeRead]:
    """Every committed create, update and delete of any record, in the order of their strictly
    increasing sequence numbers (`seq`; numbers of writes that failed are skipped), for
    services that keep a copy of the data.

    Each change carries the record's whole new state in the bundle format (`record`), or
    `record: null` with `action: delete`. `previous_key` is the key the record had before the
    change: it differs from `key` when the change renamed it. Applying the changes in order to
    an empty store (creates and updates as imports of `record`, a rename to the record found
    by `previous_key`, deletes by key) rebuilds the same data.

    To follow the feed, poll with `since` set to the `seq` of the last change applied; within
    one poll, follow `next_cursor` (or the `Link` header) while there is one. `since` alone is
    enough: the next page is also `since=<seq of the last item>`. `total` counts the changes
    after `since` of the chosen types.

    `type=engagements&id=7` lists one record's versions, oldest first: what the record's
    history gives, without the writer and the replaced record."""
    if record_ids and len(set(record_types or [])) != 1:
        message = "ids are per record type: name exactly one `type` with `id`"
        raise ValidationFailed([field_error("/id", message, "query")])
    page = paginate(
        session,
        service.feed(since, record_types, record_ids),
        tiebreak=Change.seq,
        sorts=BY_SEQ,
        sort="seq",
        cursor=cursor,
        limit=limit,
    )
    return answer_page(request, response, Page[ChangeRead], page, to_change)
