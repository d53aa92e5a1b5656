"""Facets: how many of a list's filtered records have each value of a dimension, the way an
analyst narrows a search in a data browser.

Each facet is one `GROUP BY` query over the ids the list's filters select (all pages, no
cursor), so asking for three facets costs three queries whatever the number of records."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Integer, Select, cast, extract, func, null, select
from sqlalchemy.orm import Session, aliased

from sanctions_tracker.problems import ValidationFailed, field_error


class FacetValue(BaseModel):
    value: str | int | None = Field(
        description="The value; a key for references; null counts the records without one"
    )
    count: int = Field(description="How many of the filtered records have this value")
    label: str | None = Field(
        default=None,
        exclude_if=lambda label: label is None,
        description="For references: the record's name or title",
    )


@dataclass(frozen=True)
class Facet:
    """A dimension: `counts(ids)` selects (value, label, count) rows over a subquery of ids."""

    description: str
    counts: Callable[[Select[Any]], Select[Any]]


def column_facet(owner_id: Any, column: Any, description: str) -> Facet:
    """A single-valued column of the listed table; records where it is null count under null."""
    return Facet(
        description,
        lambda ids: select(column, null(), func.count()).where(owner_id.in_(ids)).group_by(column),
    )


def year_facet(owner_id: Any, column: Any, description: str) -> Facet:
    """The year of a date column, as a number."""
    return column_facet(owner_id, cast(extract("year", column), Integer), description)


def link_facet(owner_fk: Any, column: Any, description: str) -> Facet:
    """A multi-valued dimension kept in a link table: a record counts once under each value."""
    return Facet(
        description,
        lambda ids: (
            select(column, null(), func.count(owner_fk.distinct()))
            .where(owner_fk.in_(ids))
            .group_by(column)
        ),
    )


def link_ref_facet(
    owner_fk: Any, target_fk: Any, target: Any, label: Any, description: str
) -> Facet:
    """A multi-valued reference kept in a link table; values are keys, labelled by `label`."""
    return Facet(
        description,
        lambda ids: (
            select(target.key, label, func.count(owner_fk.distinct()))
            .join(target, target.id == target_fk)
            .where(owner_fk.in_(ids))
            .group_by(target.id, target.key, label)
        ),
    )


def parent_facet(model: Any, label: str, description: str) -> Facet:
    """A record's parent in a tree of its own kind; records without one count under null."""
    parent = aliased(model)
    parent_label = getattr(parent, label)
    return Facet(
        description,
        lambda ids: (
            select(parent.key, parent_label, func.count())
            .select_from(model)
            .outerjoin(parent, model.parent_id == parent.id)
            .where(model.id.in_(ids))
            .group_by(parent.id, parent.key, parent_label)
        ),
    )


def parse_names(values: Sequence[str] | None, facets: Mapping[str, Facet]) -> list[str]:
    """Facet names from `facets=a,b` and/or `facets=a&facets=b`, in order, without repeats.
    An unknown name is a 422 pointing at the parameter it came in and listing the allowed."""
    names: list[str] = []
    errors = []
    for index, value in enumerate(values or []):
        for name in (part.strip() for part in value.split(",")):
            if not name or name in names:
                continue
            if name not in facets:
                hint = f"choose from {', '.join(facets)}" if facets else "this list has none"
                errors.append(
                    field_error(f"/facets/{index}", f"no facet {name!r}; {hint}", "query")
                )
            names.append(name)
    if errors:
        raise ValidationFailed(errors)
    return names


def _order(value: FacetValue) -> tuple[int, bool, Any]:
    return -value.count, value.value is None, value.value


def count_facets(
    session: Session,
    query: Select[Any],
    id_column: Any,
    facets: Mapping[str, Facet],
    names: Sequence[str],
) -> dict[str, list[FacetValue]]:
    """For each facet named, its values over every record `query` selects (filters kept,
    order and paging dropped), by count descending then value."""
    ids = query.with_only_columns(id_column).order_by(None)
    counted: dict[str, list[FacetValue]] = {}
    for name in names:
        rows = session.execute(facets[name].counts(ids)).all()
        values = [FacetValue(value=value, count=count, label=label) for value, label, count in rows]
        counted[name] = sorted(values, key=_order)
    return counted


def describe(facets: Mapping[str, Facet]) -> str:
    """The `facets` parameter's description for a list."""
    if not facets:
        return "This list has no facets; any name is refused with a 422."
    listed = "; ".join(f"`{name}`: {facet.description}" for name, facet in facets.items())
    return (
        "Dimensions to count the matching records by (over all pages), comma-separated or "
        f"repeated, answered in `facets` of the JSON list. {listed}."
    )
