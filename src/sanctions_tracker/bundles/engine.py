"""The one write path: every create, update and import goes through `write_records`.

A batch is checked whole before anything is written (shape, duplicate keys, references,
cycles in trees), so a failure leaves the store untouched. New records are then written as
plain rows in bulk (`bulk.py`: record types in bundle order, a tree level by level), stored
records that change through the ORM in two passes (fields, then references), so that order
inside a bundle never matters. Each record that changes gets its next `version` and a row in
the change history, in the same transaction.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, aliased

from sanctions_tracker.bundles import bulk
from sanctions_tracker.fields import RecordBase
from sanctions_tracker.history import service as history
from sanctions_tracker.models.base import utcnow
from sanctions_tracker.models.trust import ChangeAction, ChangeVia
from sanctions_tracker.problems import Conflict, FieldError, ValidationFailed, field_error
from sanctions_tracker.record_types import RecordType, chunks, ids_by_key
from sanctions_tracker.registry import RECORD_TYPES
from sanctions_tracker.search import index as search_index


@dataclass
class Incoming:
    """One record to write. `pointer` locates it in the request body for error messages."""

    pointer: str
    record: RecordBase
    target: Any | None = None  # the stored record being replaced (PATCH); else found by key
    must_be_new: bool = False  # POST: a key already taken is a 409


@dataclass
class Outcome:
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORD_TYPES, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORD_TYPES, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORD_TYPES, 0))


@dataclass
class _Plan:
    record_type: RecordType
    item: Incoming
    record: RecordBase
    existing: Any | None
    before: RecordBase | None = None  # the stored record as it was, when it changes
    created_id: int | None = None  # the id of a new record written by the bulk path


def write_records(
    session: Session,
    batch: Mapping[str, Sequence[Incoming]],
    *,
    dry_run: bool = False,
    assume_known: Mapping[str, set[str]] | None = None,
    via: ChangeVia = ChangeVia.api,
) -> Outcome:
    """Check the batch whole, then write it (unless `dry_run`). `assume_known` names keys that
    references may use although they are not stored (records of the same request that failed
    their own validation), so that one mistake is not reported twice. Every record written is
    recorded in the change history as coming `via` the API or an import."""
    plans, errors = _plan(session, batch)
    errors += _check(session, plans, assume_known or {})
    if errors:
        raise ValidationFailed(errors)
    outcome = Outcome()
    changed: list[_Plan] = []
    for plan in plans:
        name = plan.record_type.name
        if plan.existing is None:
            outcome.created[name] += 1
            changed.append(plan)
            continue
        before = plan.record_type.to_record(plan.existing)
        if before == plan.record:
            outcome.unchanged[name] += 1
        else:
            outcome.updated[name] += 1
            plan.before = before
            changed.append(plan)
    if dry_run or not changed:
        return outcome
    _write(session, changed)
    # Made a batch at a time as they are written: a large import never holds them all.
    history.record(session, (_change(plan) for plan in _feed_order(changed)), via=via)
    return outcome


def _change(plan: _Plan) -> history.Entry:
    stored = plan.existing
    if stored is None:  # written by the bulk path
        assert plan.created_id is not None
        record_id, version = plan.created_id, 1
    else:
        record_id, version = stored.id, stored.version
    return history.Entry(
        record_type=plan.record_type.name,
        record_id=record_id,
        key=plan.record.key,
        action=ChangeAction.create if plan.before is None else ChangeAction.update,
        version=version,
        before=plan.before.model_dump(mode="json") if plan.before is not None else None,
        after=plan.record.model_dump(mode="json"),
    )


def _feed_order(changed: list[_Plan]) -> list[_Plan]:
    """Record types in bundle order (a type only refers to earlier ones) and, within a tree,
    parents before their children, so that the change feed can be replayed one change at a
    time, each leaving a consistent store."""
    ordered: list[_Plan] = []
    for name, record_type in RECORD_TYPES.items():
        plans = [plan for plan in changed if plan.record_type.name == name]
        if record_type.parent_of is None:
            ordered += plans
            continue
        by_key = {plan.record.key: plan for plan in plans}
        placed: set[str] = set()
        for plan in plans:
            chain: list[_Plan] = []
            current: _Plan | None = plan
            while current is not None and current.record.key not in placed:
                chain.append(current)
                placed.add(current.record.key)
                parent = record_type.parent_of(current.record)
                current = by_key.get(parent) if parent is not None else None
            ordered += reversed(chain)
    return ordered


def _plan(
    session: Session, batch: Mapping[str, Sequence[Incoming]]
) -> tuple[list[_Plan], list[FieldError]]:
    plans: list[_Plan] = []
    errors: list[FieldError] = []
    for name, record_type in RECORD_TYPES.items():
        items = batch.get(name, ())
        if not items:
            continue
        seen: dict[str, str] = {}
        for item in items:
            key = item.record.key
            if key in seen:
                errors.append(
                    field_error(
                        f"{item.pointer}/key",
                        f"{record_type.singular} key {key!r} appears twice (first at {seen[key]})",
                    )
                )
            seen[key] = item.pointer or "/"
        # A PATCH's target is locked already; the holder of the key it takes needs no lock
        # (it is a 409), and locking it could deadlock two renames onto each other's keys.
        upserted = [item.record.key for item in items if item.target is None]
        patched = [item.record.key for item in items if item.target is not None]
        stored = _load_by_key(session, record_type, upserted, lock=True)
        stored |= _load_by_key(session, record_type, patched, lock=False)
        for item in items:
            key = item.record.key
            holder = stored.get(key)
            if item.target is not None:
                if holder is not None and holder.id != item.target.id:
                    raise Conflict(f"Another {record_type.singular} already has key {key!r}.")
                existing = item.target
            else:
                if holder is not None and item.must_be_new:
                    article = "An" if record_type.singular[0] in "aeiou" else "A"
                    raise Conflict(
                        f"{article} {record_type.singular} with key {key!r} already exists; "
                        f"PATCH /v1/{name.replace('_', '-')}/{key} changes it."
                    )
                existing = holder
            plans.append(_Plan(record_type, item, record_type.normalize(item.record), existing))
    return plans, errors


def _load_by_key(
    session: Session, record_type: RecordType, keys: Sequence[str], *, lock: bool
) -> dict[str, Any]:
    """The stored records of these keys. With `lock`, each is locked until the transaction ends
    (PostgreSQL; SQLite lets one writer in at a time anyway), so that versions and history
    follow each other without gaps when writers meet; in key order, so that two imports
    sharing records wait for each other instead of deadlocking."""
    model = record_type.model
    found: dict[str, Any] = {}
    for chunk in chunks(sorted(set(keys))):
        condition = model.key.in_(chunk)
        if lock:
            locked = select(model.id).where(condition).order_by(model.key).with_for_update()
            condition = model.id.in_(session.scalars(locked).all())
        query = select(model).where(condition).options(*record_type.load_options())
        found.update((row.key, row) for row in session.scalars(query))
    return found


def _check(
    session: Session, plans: list[_Plan], assume_known: Mapping[str, set[str]]
) -> list[FieldError]:
    errors: list[FieldError] = []
    renamed = {
        (plan.record_type.name, plan.existing.key): plan.record.key
        for plan in plans
        if plan.existing is not None and plan.existing.key != plan.record.key
    }
    batch_keys: dict[str, set[str]] = defaultdict(set)
    for plan in plans:
        batch_keys[plan.record_type.name].add(plan.record.key)

    wanted: dict[str, set[str]] = defaultdict(set)
    for plan in plans:
        for _, target_type, key in plan.record_type.references(plan.record):
            wanted[target_type].add(key)
    known = {
        name: (
            set(ids_by_key(session, RECORD_TYPES[name].model, keys))
            - {old for (kind, old) in renamed if kind == name}
        )
        | batch_keys[name]
        | assume_known.get(name, set())
        for name, keys in wanted.items()
    }

    for plan in plans:
        for pointer, target_type, key in plan.record_type.references(plan.record):
            if key not in known[target_type]:
                singular = RECORD_TYPES[target_type].singular
                errors.append(
                    field_error(
                        plan.item.pointer + pointer,
                        f"unknown {singular} {key!r}: it is neither in this request nor stored",
                    )
                )
    return errors + _cycle_errors(session, plans, renamed)


def _cycle_errors(
    session: Session, plans: list[_Plan], renamed: dict[tuple[str, str], str]
) -> list[FieldError]:
    errors: list[FieldError] = []
    by_type: dict[str, list[_Plan]] = defaultdict(list)
    for plan in plans:
        if plan.record_type.parent_of is not None:
            by_type[plan.record_type.name].append(plan)
    for name, tree_plans in by_type.items():
        record_type = RECORD_TYPES[name]
        assert record_type.parent_of is not None
        rename = {old: new for (kind, old), new in renamed.items() if kind == name}
        parents: dict[str, str | None] = {
            plan.record.key: record_type.parent_of(plan.record) for plan in tree_plans
        }
        frontier = {p for p in parents.values() if p is not None and p not in parents}
        while frontier:
            fetched = _stored_parents(session, record_type, frontier)
            for child in frontier:  # keys neither stored nor in the batch end their chain
                parent = fetched.get(child)
                if child not in rename and child not in parents:
                    parents[child] = rename.get(parent, parent) if parent else None
            frontier = {p for p in parents.values() if p is not None and p not in parents} - set(
                rename
            )
        for plan in tree_plans:
            start = plan.record.key
            seen = {start}
            current = parents.get(start)
            what = "itself" if current == start else "one of its own descendants"
            while current is not None:
                if current in seen:
                    errors.append(
                        field_error(
                            plan.item.pointer + "/parent",
                            f"{record_type.singular} {start!r} cannot have {what} as parent "
                            "(the parent chain would form a cycle)",
                        )
                    )
                    break
                seen.add(current)
                current = parents.get(current)
    return errors


def _stored_parents(
    session: Session, record_type: RecordType, keys: set[str]
) -> dict[str, str | None]:
    model = record_type.model
    parent = aliased(model)
    found: dict[str, str | None] = {}
    for chunk in chunks(sorted(keys)):
        query = (
            select(model.key, parent.key)
            .outerjoin(parent, model.parent_id == parent.id)
            .where(model.key.in_(chunk))
        )
        found.update(session.execute(query).all())
    return found


def _new(record_type: RecordType) -> Any:
    """A new row whose collections count as loaded (empty), so that setting them after the
    first flush does not try to load them (relationships are lazy="raise")."""
    obj = record_type.model()
    for relationship in inspect(record_type.model).relationships:
        if relationship.uselist and not relationship.viewonly:
            setattr(obj, relationship.key, [])
    return obj


def _write(session: Session, changed: list[_Plan]) -> None:
    """New records go through the bulk path (plain rows, executemany), then stored records that
    change through the ORM. A rename (a PATCH of a key) is written by the ORM alone, so that
    no new record is written before a key it names has moved."""
    now = utcnow()
    renames = any(
        plan.existing is not None and plan.existing.key != plan.record.key for plan in changed
    )
    if not renames:
        new = [plan for plan in changed if plan.existing is None]
        if new:
            new_ids = bulk.insert_new(
                session, [(plan.record_type, plan.record) for plan in new], now
            )
            for plan, record_id in zip(new, new_ids, strict=True):
                plan.created_id = record_id
        changed = [plan for plan in changed if plan.existing is not None]
        if not changed:
            return
    for plan in changed:
        obj = plan.existing
        if obj is None:
            obj = _new(plan.record_type)
            obj.created_at = now
            obj.version = 1
            session.add(obj)
        else:
            obj.version += 1
        plan.record_type.apply_fields(obj, plan.record)
        obj.updated_at = now
        plan.existing = obj
    session.flush()

    wanted: dict[str, set[str]] = defaultdict(set)
    for plan in changed:
        for _, target_type, key in plan.record_type.references(plan.record):
            wanted[target_type].add(key)
    ids = {
        name: ids_by_key(session, RECORD_TYPES[name].model, keys) for name, keys in wanted.items()
    }

    def resolve(target_type: str, key: str) -> int:
        return ids[target_type][key]

    for plan in changed:
        plan.record_type.apply_references(session, plan.existing, plan.record, resolve)
    session.flush()
    _index(session, changed)


def _index(session: Session, changed: list[_Plan]) -> None:
    """The search documents of the written records, in the same transaction."""
    documents = []
    for plan in changed:
        search_text, stored = plan.record_type.search_text, plan.existing
        if search_text is not None and stored is not None:
            title, body = search_text(stored)
            documents.append(
                search_index.Document(plan.record_type.name, stored.id, stored.key, title, body)
            )
    search_index.upsert(session, documents)
