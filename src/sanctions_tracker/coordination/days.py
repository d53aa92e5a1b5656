"""Day arithmetic in SQL, which the two databases spell differently.

PostgreSQL subtracts an integer from a date and one date from another. SQLite stores dates as
`YYYY-MM-DD` text, so it shifts them with `date(x, '-N days')` (text that still compares as the
stored dates do) and counts days between them with `julianday`."""

from typing import Any

from sqlalchemy import Date, Integer, String, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class days_before(FunctionElement[Any]):  # noqa: N801 (a SQL function, named like one)
    """`day` minus `days` days, a date."""

    type = Date()
    name = "days_before"
    inherit_cache = True

    def __init__(self, day: Any, days: int) -> None:
        super().__init__(day, literal(days, Integer()))


class days_between(FunctionElement[Any]):  # noqa: N801
    """Whole days from `earlier` to `later` (negative when `later` is earlier), an integer."""

    type = Integer()
    name = "days_between"
    inherit_cache = True

    def __init__(self, later: Any, earlier: Any) -> None:
        super().__init__(later, earlier)


class bytewise(FunctionElement[Any]):  # noqa: N801
    """Text ordered by its bytes, as Python orders `str`, whatever the database's collation
    (PostgreSQL's linguistic collations skip hyphens at first, so `a-b` could follow `ab`)."""

    type = String()
    name = "bytewise"
    inherit_cache = True

    def __init__(self, text: Any) -> None:
        super().__init__(text)


def _arguments(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(argument, **kw) for argument in element.clauses]


@compiles(days_before, "postgresql")
def _days_before_postgresql(element: days_before, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = _arguments(element, compiler, **kw)
    return f"({day} - CAST({days} AS INTEGER))"


@compiles(days_before, "sqlite")
def _days_before_sqlite(element: days_before, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = _arguments(element, compiler, **kw)
    return f"date({day}, '-' || {days} || ' days')"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = _arguments(element, compiler, **kw)
    return f"({later} - {earlier})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = _arguments(element, compiler, **kw)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(bytewise, "postgresql")
def _bytewise_postgresql(element: bytewise, compiler: SQLCompiler, **kw: Any) -> str:
    (text,) = _arguments(element, compiler, **kw)
    return f'({text} COLLATE "C")'


@compiles(bytewise)
def _bytewise_other(element: bytewise, compiler: SQLCompiler, **kw: Any) -> str:
    (text,) = _arguments(element, compiler, **kw)
    return text  # SQLite's default collation, BINARY, already compares bytes
