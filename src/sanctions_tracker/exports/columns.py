"""A flat table layout derived from a Read schema: one column per scalar field, nested objects
flattened into `<field>_<subfield>` columns, references as their keys, lists joined with `;`."""

import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from sanctions_tracker.fields import CitationRead, Ref

LIST_SEPARATOR = ";"

Cell = str | int | float | bool | date | datetime | None


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Cell]


ItemFormat = Callable[[Any], str]

ITEM_FORMATS: dict[type, ItemFormat] = {
    Ref: lambda ref: str(_get(ref, "key")),
    CitationRead: lambda citation: str(_get(_get(citation, "source"), "key")),
}
"""How an element of a list is written, by type; a record type adds its own (participants)."""

SCALARS = (str, int, float, bool, date, datetime)


def _get(item: Any, name: str) -> Any:
    """A field of a Read model, or of the dict it was dumped to."""
    if type(item) is dict:  # the common case first: isinstance(..., Mapping) costs a lot more
        return item.get(name)
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


def _without_none(annotation: Any) -> Any:
    """`X | None` and `Annotated[X, ...]` as plain `X`."""
    if get_origin(annotation) in (Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return _without_none(members[0])
    if get_origin(annotation) is Annotated:
        return _without_none(get_args(annotation)[0])
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _item_format(annotation: Any, formats: Mapping[type, ItemFormat], where: str) -> ItemFormat:
    if annotation in formats:
        return formats[annotation]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return lambda value: str(value.value if isinstance(value, Enum) else value)
    if annotation in SCALARS:
        return str
    raise TypeError(f"{where}: no CSV format for list items of type {annotation!r}")


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP's CSV injection list)."""


def defused(text: str) -> str:
    """`text` behind a `'` when a spreadsheet would run it as a formula. Applied to each element
    of a list too, so splitting a `;`-joined cell into columns exposes no formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _listed(name: str, item_format: ItemFormat) -> Callable[[Any], Cell]:
    def value(item: Any) -> Cell:
        values = _get(item, name) or []
        return LIST_SEPARATOR.join(defused(item_format(element)) for element in values)

    return value


def _nested(outer: str, inner: Callable[[Any], Cell]) -> Callable[[Any], Cell]:
    def value(item: Any) -> Cell:
        nested = _get(item, outer)
        return None if nested is None else inner(nested)

    return value


def _referenced(name: str, item_format: ItemFormat) -> Callable[[Any], Cell]:
    def value(item: Any) -> Cell:
        found = _get(item, name)
        return None if found is None else item_format(found)

    return value


def _scalar(name: str) -> Callable[[Any], Cell]:
    def value(item: Any) -> Cell:
        found = _get(item, name)
        cell: Cell = found.value if isinstance(found, Enum) else found
        return cell

    return value


def derive(
    model: type[BaseModel],
    *,
    items: Mapping[type, ItemFormat] | None = None,
    exclude: Sequence[str] = (),
) -> list[Column]:
    """The columns of `model`, in field order. `items` adds formats for list elements and
    single embedded objects beyond references and citations; a field of a type with no format
    raises TypeError here, when the layout is defined, not while a file is being written."""
    formats = ITEM_FORMATS | dict(items or {})
    columns: list[Column] = []
    for name, field in model.model_fields.items():
        if name in exclude:
            continue
        annotation = _without_none(field.annotation)
        where = f"{model.__name__}.{name}"
        if get_origin(annotation) is list:
            (element,) = get_args(annotation)
            columns.append(Column(name, _listed(name, _item_format(element, formats, where))))
        elif annotation in formats:
            columns.append(Column(name, _referenced(name, formats[annotation])))
        elif _is_model(annotation):
            columns += [
                Column(f"{name}_{column.header}", _nested(name, column.value))
                for column in derive(annotation, items=items)
            ]
        elif annotation in SCALARS or (
            isinstance(annotation, type) and issubclass(annotation, Enum)
        ):
            columns.append(Column(name, _scalar(name)))
        else:
            raise TypeError(f"{where}: no CSV column for type {annotation!r}")
    return columns
