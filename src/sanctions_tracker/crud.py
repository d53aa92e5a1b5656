"""Create, patch and delete for any record type, all through the bundle write engine."""

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sanctions_tracker.bundles.engine import Incoming, write_records
from sanctions_tracker.fields import RecordBase
from sanctions_tracker.history import service as history
from sanctions_tracker.models.trust import ChangeAction, ChangeVia
from sanctions_tracker.problems import Conflict, ValidationFailed, pydantic_errors
from sanctions_tracker.record_types import RecordType, get_by_ref, ref_condition
from sanctions_tracker.search import index as search_index

MAX_REFERRERS_LISTED = 100

Precondition = Callable[[], None]
"""Called once the record is locked, before anything changes; raises to refuse the write
(e.g. a stale `If-Match`)."""


def create(session: Session, record_type: RecordType, record: RecordBase) -> RecordBase:
    write_records(
        session, {record_type.name: [Incoming("", record, must_be_new=True)]}, via=ChangeVia.api
    )
    return record


def patch(
    session: Session,
    record_type: RecordType,
    ref: str,
    changes: BaseModel,
    *,
    precondition: Precondition | None = None,
) -> RecordBase:
    """Apply the fields that were sent; lists are replaced whole. Answers the new record."""
    stored = _locked(session, record_type, ref)
    if precondition is not None:
        precondition()
    merged = record_type.to_record(stored).model_dump() | changes.model_dump(exclude_unset=True)
    try:
        record = record_type.record_schema.model_validate(merged)
    except ValidationError as exc:
        raise ValidationFailed(pydantic_errors(exc)) from exc
    write_records(
        session, {record_type.name: [Incoming("", record, target=stored)]}, via=ChangeVia.api
    )
    return record


def remove(
    session: Session,
    record_type: RecordType,
    ref: str,
    *,
    precondition: Precondition | None = None,
) -> None:
    stored = _locked(session, record_type, ref)
    if precondition is not None:
        precondition()
    referrers = record_type.referrers(session, stored)
    if referrers:
        listed = ", ".join(f"{item.type} {item.key!r}" for item in referrers[:5])
        more = f" and {len(referrers) - 5} more" if len(referrers) > 5 else ""
        raise Conflict(
            f"{record_type.singular.capitalize()} {stored.key!r} is still referred to by "
            f"{listed}{more}; change or delete those first.",
            referenced_by=[
                {"type": item.type, "key": item.key, "name": item.name}
                for item in referrers[:MAX_REFERRERS_LISTED]
            ],
            referenced_by_total=len(referrers),
        )
    before = record_type.to_record(stored).model_dump(mode="json")
    model = record_type.model
    session.execute(delete(model).where(model.id == stored.id))
    search_index.remove(session, record_type.name, stored.id)
    session.expunge(stored)
    entry = history.Entry(
        record_type=record_type.name,
        record_id=stored.id,
        key=stored.key,
        action=ChangeAction.delete,
        version=stored.version + 1,
        before=before,
        after=None,
    )
    history.record(session, [entry], via=ChangeVia.api)


def _locked(session: Session, record_type: RecordType, ref: str) -> Any:
    """The stored record (or a 404), its row locked until the transaction ends, so that no
    other writer changes it between the check of `If-Match` and the write, and versions
    follow each other without gaps. PostgreSQL locks the row; on SQLite the write
    transaction already keeps other writers out."""
    model = record_type.model
    session.execute(select(model.id).where(ref_condition(model, ref)).with_for_update())
    return get_by_ref(session, record_type, ref)
