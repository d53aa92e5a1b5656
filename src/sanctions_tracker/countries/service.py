"""Countries: ISO 3166-1 plus EU, read-only reference data seeded by a migration."""

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from sanctions_tracker.countries.schemas import CountryRead
from sanctions_tracker.models import Country
from sanctions_tracker.pagination import contains_text
from sanctions_tracker.problems import NotFound

SORTS = {"code": Country.code, "name": Country.name}
DEFAULT_SORT = "code"


def to_read(country: Country) -> CountryRead:
    return CountryRead.model_validate(country, from_attributes=True)


def get(session: Session, code: str) -> Country:
    country = session.get(Country, code.upper()) if code.isascii() and code.isalpha() else None
    if country is None:
        raise NotFound(f"No country with code {code!r}: use ISO 3166-1 alpha-2, or EU.")
    return country


def list_query(q: str | None = None) -> Select[Any]:
    query = select(Country)
    if q:
        query = query.where(
            or_(
                contains_text(Country.name, q),
                contains_text(Country.official_name, q),
                Country.code == q.upper(),
                Country.alpha3 == q.upper(),
            )
        )
    return query
