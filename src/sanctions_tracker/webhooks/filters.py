"""A subscription's `filter` means exactly what the list filters of its record types mean: it
is checked as the lists check their parameters, and matched by running the lists' own queries
on the ids of the records just written. A deletion is judged on the record as it was before
(`before`), field by field; where that cannot be done (full-text `q`, an actor's position
filters) it is sent when the subscription was sent an earlier change of the record."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import StringConstraints, TypeAdapter, ValidationError
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from sanctions_tracker.actors import service as actor_service
from sanctions_tracker.countries.codes import COUNTRY_CODES
from sanctions_tracker.engagements import service as engagement_service
from sanctions_tracker.enums import (
    EngagementKind,
    EngagementStatus,
    Measure,
    OrganizationKind,
    RoundStatus,
    SourceKind,
)
from sanctions_tracker.fields import CODE_HINTS, KEY_PATTERN, Slug
from sanctions_tracker.models import (
    Actor,
    Engagement,
    Organization,
    SanctionsRound,
    Sector,
    Source,
)
from sanctions_tracker.organizations import service as organization_service
from sanctions_tracker.params import IsoDate
from sanctions_tracker.problems import (
    BadRequest,
    FieldError,
    ValidationFailed,
    field_error,
    pydantic_errors,
)
from sanctions_tracker.record_types import chunks, ids_for_refs
from sanctions_tracker.sanctions_rounds import service as round_service
from sanctions_tracker.search import service as search
from sanctions_tracker.sectors import service as sector_service
from sanctions_tracker.sources import service as source_service

Image = Callable[[dict[str, Any]], list[Any]]
"""The values a filter looks at, read from a record in the bundle format (a deletion's before)."""


@dataclass(frozen=True)
class Param:
    kind: str  # codes, refs, tree, enum, slugs, date, text, search
    argument: str  # the name the list's query takes it by
    image: Image | None = None  # None: a deletion cannot be judged by this filter
    enum: type[StrEnum] | None = None
    model: Any = None  # what refs name


@dataclass(frozen=True)
class TypeFilters:
    params: Mapping[str, Param]
    query: Callable[[Session, dict[str, Any]], Select[Any]]
    model: Any
    span: Callable[[dict[str, Any]], tuple[str | None, str | None]] | None = None


def _one(field: str) -> Image:
    return lambda record: [] if record.get(field) is None else [record[field]]


def _many(field: str, inner: str | None = None) -> Image:
    return lambda record: [item[inner] if inner else item for item in record.get(field) or []]


def _location_country(record: dict[str, Any]) -> list[Any]:
    location = record.get("location") or {}
    return [location["country"]] if location.get("country") else []


def _span(start: str, end: str) -> Callable[[dict[str, Any]], tuple[str | None, str | None]]:
    return lambda record: (record.get(start), record.get(end) or record.get(start))


SEARCH = Param("search", "q")
TYPES: dict[str, TypeFilters] = {
    "engagements": TypeFilters(
        params={
            "kind": Param("enum", "kind", _one("kind"), EngagementKind),
            "status": Param("enum", "status", _one("status"), EngagementStatus),
            "country": Param("codes", "country", _many("countries")),
            "location_country": Param("codes", "location_country", _location_country),
            "actor": Param("refs", "actor", _many("participants", "actor"), model=Actor),
            "organization": Param(
                "refs", "organization", _many("organizations"), model=Organization
            ),
            "sector": Param("tree", "sector", _many("sectors"), model=Sector),
            "sanctions_round": Param(
                "refs", "sanctions_round", _many("sanctions_rounds"), model=SanctionsRound
            ),
            "topic": Param("slugs", "topic", _many("topics")),
            "parent": Param("refs", "parent", _one("parent"), model=Engagement),
            "from": Param("date", "date_from"),
            "to": Param("date", "date_to"),
            "q": SEARCH,
        },
        query=lambda session, arguments: engagement_service.list_query(
            session, engagement_service.EngagementFilters(**arguments)
        ),
        model=Engagement,
        span=_span("start_date", "end_date"),
    ),
    "sanctions_rounds": TypeFilters(
        params={
            "imposed_by": Param("codes", "imposed_by", _many("imposed_by")),
            "target": Param("codes", "target", _many("targets")),
            "measure": Param("enum", "measure", _many("measures"), Measure),
            "sector": Param("tree", "sector", _many("sectors"), model=Sector),
            "status": Param("enum", "status", _one("status"), RoundStatus),
            "from": Param("date", "date_from"),
            "to": Param("date", "date_to"),
            "q": SEARCH,
        },
        query=lambda session, arguments: round_service.list_query(
            session, round_service.SanctionsRoundFilters(**arguments)
        ),
        model=SanctionsRound,
        span=_span("announced_on", "announced_on"),
    ),
    "actors": TypeFilters(
        params={
            "country": Param("codes", "country", _one("country")),
            # the position filters hold for one and the same position: not judged one by one
            "organization": Param("refs", "organization", model=Organization),
            "position": Param("text", "position"),
            "on": Param("date", "on"),
            "q": SEARCH,
        },
        query=lambda session, arguments: actor_service.list_query(session, **arguments),
        model=Actor,
    ),
    "organizations": TypeFilters(
        params={
            "kind": Param("enum", "kind", _one("kind"), OrganizationKind),
            "country": Param("codes", "country", _one("country")),
            "parent": Param("refs", "parent", _one("parent"), model=Organization),
            "q": SEARCH,
        },
        query=lambda session, arguments: organization_service.list_query(session, **arguments),
        model=Organization,
    ),
    "sectors": TypeFilters(
        params={
            "parent": Param("refs", "parent", _one("parent"), model=Sector),
            "q": SEARCH,
        },
        query=lambda session, arguments: sector_service.list_query(session, **arguments),
        model=Sector,
    ),
    "sources": TypeFilters(
        params={
            "kind": Param("enum", "kind", _one("kind"), SourceKind),
            "publisher": Param("text", "publisher", _one("publisher")),
            "from": Param("date", "date_from"),
            "to": Param("date", "date_to"),
            "q": SEARCH,
        },
        query=lambda _session, arguments: source_service.list_query(**arguments),
        model=Source,
        span=_span("published_on", "published_on"),
    ),
}


def common_filters(types: Sequence[str]) -> list[str]:
    """The filters every one of `types` has: a filter must hold for each type subscribed to."""
    names = [set(TYPES[name].params) for name in types]
    return sorted(set.intersection(*names)) if names else []


_TEXT = TypeAdapter(Annotated[str, StringConstraints(min_length=1, max_length=200)])
_STRINGS = TypeAdapter(list[Annotated[str, StringConstraints(min_length=1, max_length=200)]])
_DATE = TypeAdapter(IsoDate)
_SLUGS = TypeAdapter(list[Slug])


def check(types: Sequence[str], filter: Mapping[str, Any]) -> dict[str, Any]:
    """The filter as stored (codes upper-cased, values checked as the lists check them), or a
    422 whose pointers lead into the body (`/filter/country/0`)."""
    errors: list[FieldError] = []
    checked: dict[str, Any] = {}
    allowed = common_filters(types)
    for name, value in filter.items():
        pointer = f"/filter/{name}"
        if name not in allowed:
            listed = ", ".join(allowed) or "none"
            errors.append(
                field_error(
                    pointer,
                    f"{name!r} is not a filter of every type subscribed to "
                    f"({', '.join(types)}); these are: {listed}",
                )
            )
            continue
        params = [TYPES[type_name].params[name] for type_name in types]
        try:
            checked[name] = _check_value(params, value, pointer)
        except _Invalid as invalid:
            errors += invalid.errors
    if errors:
        raise ValidationFailed(errors)
    return checked


class _Invalid(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors


def _validate(adapter: TypeAdapter[Any], value: Any, pointer: str) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        raise _Invalid(pydantic_errors(exc, pointer)) from exc


def _check_value(params: list[Param], value: Any, pointer: str) -> Any:
    kind = params[0].kind
    if kind == "date":
        if not isinstance(value, str):  # as in a query string: never a number of seconds
            raise _Invalid([field_error(pointer, "use an ISO 8601 date, YYYY-MM-DD")])
        return _validate(_DATE, value, pointer).isoformat()
    if kind == "text":
        return _validate(_TEXT, value, pointer)
    if kind == "search":
        text = _validate(_TEXT, value, pointer)
        try:
            search.parse_query(text)
        except BadRequest as exc:
            raise _Invalid([field_error(pointer, exc.detail)]) from exc
        return text
    if kind == "slugs":
        return _validate(_SLUGS, value, pointer)
    values: list[str] = _validate(_STRINGS, value, pointer)
    errors: list[FieldError] = []
    if kind == "enum":
        # the same name may be an enum of several types (`status`): a value must fit each
        for param in params:
            assert param.enum is not None
            choices = [member.value for member in param.enum]
            errors += [
                field_error(f"{pointer}/{index}", f"{item!r} is not one of {choices}")
                for index, item in enumerate(values)
                if item not in choices
            ]
        if errors:
            unique = {error.pointer: error for error in errors}  # once per value
            raise _Invalid(list(unique.values()))
        return values
    if kind == "codes":
        codes = [item.strip().upper() for item in values]
        for index, code in enumerate(codes):
            if code not in COUNTRY_CODES:
                hint = f"; use {CODE_HINTS[code]!r}" if code in CODE_HINTS else ""
                errors.append(
                    field_error(
                        f"{pointer}/{index}",
                        f"unknown country code {values[index]!r}: use ISO 3166-1 alpha-2, "
                        f"or EU{hint}",
                    )
                )
        if errors:
            raise _Invalid(errors)
        return codes
    errors = [
        field_error(f"{pointer}/{index}", f"{item!r} is neither a key nor an id")
        for index, item in enumerate(values)
        if not ((item.isascii() and item.isdigit()) or KEY_PATTERN.fullmatch(item))
    ]
    if errors:
        raise _Invalid(errors)
    return values


def _arguments(type_filters: TypeFilters, filter: Mapping[str, Any]) -> dict[str, Any]:
    """A stored filter as the arguments of the type's list query."""
    arguments: dict[str, Any] = {}
    for name, value in filter.items():
        param = type_filters.params[name]
        if param.kind == "enum":
            assert param.enum is not None
            value = [param.enum(item) for item in value]
        elif param.kind == "date":
            value = date.fromisoformat(value)
        arguments[param.argument] = value
    return arguments


def matching_ids(
    session: Session, record_type: str, filter: Mapping[str, Any], ids: Sequence[int]
) -> set[int]:
    """Which of the records `ids` (as they are now) the filter keeps: the list's query, on
    those ids only."""
    if not filter:
        return set(ids)
    type_filters = TYPES[record_type]
    model = type_filters.model
    query = type_filters.query(session, _arguments(type_filters, filter))
    found: set[int] = set()
    for chunk in chunks(sorted(set(ids))):
        narrowed = query.with_only_columns(model.id).order_by(None).where(model.id.in_(chunk))
        found.update(session.scalars(narrowed))
    return found


def deleted_matches(
    session: Session, record_type: str, filter: Mapping[str, Any], before: dict[str, Any]
) -> bool | None:
    """Whether the filter kept the deleted record as it was; None when that cannot be told."""
    type_filters = TYPES[record_type]
    unknown = False
    for name, value in filter.items():
        param = type_filters.params[name]
        verdict = _judge(session, type_filters, param, name, value, before)
        if verdict is False:
            return False
        unknown = unknown or verdict is None
    return None if unknown else True


def _judge(
    session: Session,
    type_filters: TypeFilters,
    param: Param,
    name: str,
    value: Any,
    before: dict[str, Any],
) -> bool | None:
    if param.kind == "date" and type_filters.span is not None:
        start, end = type_filters.span(before)
        if start is None or end is None:
            return False
        return bool(end >= value if name == "from" else start <= value)  # ISO dates sort so
    if param.image is None:
        return None
    seen = {str(item) for item in param.image(before)}
    if param.kind == "text":
        return any(value.lower() in item.lower() for item in seen)
    if param.kind in ("refs", "tree"):
        if param.kind == "tree":
            ids: Iterable[int] = sector_service.with_descendants(session, value)
        else:
            ids = ids_for_refs(session, param.model, value)
        keys = set(session.scalars(select(param.model.key).where(param.model.id.in_(list(ids)))))
        return bool(seen & keys)
    return bool(seen & set(value))
