"""Import and export of whole bundles (`sanctions-tracker-bundle/1`)."""

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanctions_tracker.bundles.engine import Incoming, Outcome, write_records
from sanctions_tracker.bundles.schemas import FORMAT, Counts, ImportResult
from sanctions_tracker.fields import KEY_PATTERN
from sanctions_tracker.models.trust import ChangeVia
from sanctions_tracker.problems import FieldError, ValidationFailed, field_error, pydantic_errors
from sanctions_tracker.registry import RECORD_TYPES

EXPORT_BATCH = 1_000


def import_bundle(
    session: Session, payload: Any, *, dry_run: bool = False, consume: bool = False
) -> ImportResult:
    """Upsert every record by key, all or nothing. Every error is reported, each with a JSON
    Pointer into the bundle; nothing is written when there is one. Whatever the caller (the
    API, the command line, the seed), the history records the changes as made `via` import.

    With `consume`, each record of `payload` is dropped from its list once validated (the
    lists keep their length), so that a large bundle is not held twice in memory."""
    batch, errors, unparsed_keys = _parse(payload, consume=consume)
    try:
        outcome = write_records(
            session,
            batch,
            dry_run=dry_run or bool(errors),
            assume_known=unparsed_keys,
            via=ChangeVia.import_,
        )
    except ValidationFailed as failure:
        errors += failure.errors or []
    if errors:
        raise ValidationFailed(errors, detail=_summary(errors))
    return _result(outcome, dry_run)


def _summary(errors: list[FieldError]) -> str:
    if len(errors) == 1:
        return f"The bundle was not imported: {errors[0].pointer}: {errors[0].message}."
    return f"The bundle was not imported: {len(errors)} errors, listed in `errors`."


def _parse(
    payload: Any, *, consume: bool = False
) -> tuple[dict[str, list[Incoming]], list[FieldError], dict[str, set[str]]]:
    if not isinstance(payload, dict):
        raise ValidationFailed([field_error("", "a bundle is a JSON object")])
    errors: list[FieldError] = []
    if "format" not in payload:
        errors.append(field_error("/format", f'missing: a bundle says "format": {FORMAT!r}'))
    elif payload["format"] != FORMAT:
        errors.append(
            field_error("/format", f"unsupported format {payload['format']!r}; expected {FORMAT!r}")
        )
    errors += [
        field_error(f"/{name}", f"unknown top-level field {name!r}")
        for name in payload
        if name != "format" and name not in RECORD_TYPES
    ]
    batch: dict[str, list[Incoming]] = {}
    unparsed_keys: dict[str, set[str]] = {}
    for name, record_type in RECORD_TYPES.items():
        raw_records = payload.get(name, [])
        if not isinstance(raw_records, list):
            errors.append(field_error(f"/{name}", f"{name} must be a list of records"))
            continue
        batch[name] = []
        for index, raw in enumerate(raw_records):
            pointer = f"/{name}/{index}"
            if consume:
                raw_records[index] = None
            try:
                record = record_type.record_schema.model_validate(raw)
            except ValidationError as exc:
                errors += pydantic_errors(exc, pointer)
                # Others may refer to it: do not report those references as unknown too.
                key = raw.get("key") if isinstance(raw, dict) else None
                if isinstance(key, str) and KEY_PATTERN.fullmatch(key):
                    unparsed_keys.setdefault(name, set()).add(key)
                continue
            batch[name].append(Incoming(pointer, record))
    return batch, errors, unparsed_keys


def _result(outcome: Outcome, dry_run: bool) -> ImportResult:
    per_type = {
        name: Counts(
            created=outcome.created[name],
            updated=outcome.updated[name],
            unchanged=outcome.unchanged[name],
        )
        for name in RECORD_TYPES
    }
    return ImportResult(
        dry_run=dry_run,
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        **per_type,
    )


def export_bundle(session: Session) -> dict[str, Any]:
    """The whole store as one bundle; records sorted by key so that exports compare equal."""
    bundle: dict[str, Any] = {"format": FORMAT}
    for name, record_type in RECORD_TYPES.items():
        model = record_type.model
        query = (
            select(model)
            .order_by(model.key)
            .options(*record_type.load_options())
            .execution_options(yield_per=EXPORT_BATCH)
        )
        bundle[name] = [
            record_type.to_record(row).model_dump(mode="json") for row in session.scalars(query)
        ]
    return bundle


def is_empty(session: Session) -> bool:
    return all(
        session.scalar(select(record_type.model.id).limit(1)) is None
        for record_type in RECORD_TYPES.values()
    )
