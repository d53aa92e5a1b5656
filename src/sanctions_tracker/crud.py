"""Create, patch and delete for any record type, all through the bundle write engine."""

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete
from sqlalchemy.orm import Session

from sanctions_tracker.bundles.engine import Incoming, write_records
from sanctions_tracker.fields import RecordBase
from sanctions_tracker.problems import Conflict, ValidationFailed, pydantic_errors
from sanctions_tracker.record_types import RecordType, get_by_ref
from sanctions_tracker.search import index as search_index

MAX_REFERRERS_LISTED = 100


def create(session: Session, record_type: RecordType, record: RecordBase) -> RecordBase:
    write_records(session, {record_type.name: [Incoming("", record, must_be_new=True)]})
    return record


def patch(session: Session, record_type: RecordType, ref: str, changes: BaseModel) -> RecordBase:
    """Apply the fields that were sent; lists are replaced whole. Answers the new record."""
    stored = get_by_ref(session, record_type, ref)
    merged = record_type.to_record(stored).model_dump() | changes.model_dump(exclude_unset=True)
    try:
        record = record_type.record_schema.model_validate(merged)
    except ValidationError as exc:
        raise ValidationFailed(pydantic_errors(exc)) from exc
    write_records(session, {record_type.name: [Incoming("", record, target=stored)]})
    return record


def remove(session: Session, record_type: RecordType, ref: str) -> None:
    stored = get_by_ref(session, record_type, ref)
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
    model = record_type.model
    session.execute(delete(model).where(model.id == stored.id))
    search_index.remove(session, record_type.name, stored.id)
    session.expunge(stored)
