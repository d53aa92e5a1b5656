"""The search language, parsed once in Python and compiled for FTS5 and for PostgreSQL.

`sanctions russia` needs both words (stemmed: `sanction` finds `sanctions`); `"foreign secretary"`
is a phrase; `adey*` a prefix (not stemmed); `oil OR gas` either; `-gas` or `-"price cap"`
excludes. Words are cut as the index cuts them (letters and digits), so punctuation and anything
an engine would read as its own syntax (`NEAR(`, `:*`, `');`) is only a word separator here.
"""

from dataclasses import dataclass
from typing import Literal

from sanctions_tracker.search.normalize import fold, words


class QuerySyntaxError(ValueError):
    """A query that cannot be read; the message says why, for the client."""


@dataclass(frozen=True)
class Term:
    """A word (one element in `words`), a phrase (several), or, with `prefix`, a word or phrase
    whose last word may continue."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Query:
    """Every group must match, and a group matches when any of its terms does; no excluded term
    may match."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...]

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(term for group in self.groups for term in group)


@dataclass(frozen=True)
class _Item:
    kind: Literal["term", "OR", "AND"]
    term: Term | None = None
    negated: bool = False


def _term(text: str, prefix: bool, negated: bool) -> _Item | None:
    found = tuple(fold(word) for word in words(text))
    if not found:
        if prefix:
            raise QuerySyntaxError("A `*` must follow a word, as in `adey*`.")
        return None  # punctuation only: a separator, like the index treats it
    return _Item("term", Term(found, prefix), negated)


def _lex(text: str) -> list[_Item]:
    items: list[_Item | None] = []
    position, end = 0, len(text)
    while position < end:
        if text[position].isspace():
            position += 1
            continue
        stop = position
        while stop < end and not text[stop].isspace() and text[stop] != '"':
            stop += 1
        run = text[position:stop]
        if stop < end and text[stop] == '"' and set(run) <= {"-"}:
            closing = text.find('"', stop + 1)
            if closing < 0:
                raise QuerySyntaxError(
                    'Unbalanced quote: a `"` opens a phrase that is never closed.'
                )
            after = closing + 1
            while after < end and text[after] == "*":
                after += 1
            items.append(_term(text[stop + 1 : closing], after > closing + 1, bool(run)))
            position = after
            continue
        position = stop
        if run == "OR" or run == "AND":
            items.append(_Item("OR" if run == "OR" else "AND"))
            continue
        body = run.lstrip("-")
        items.append(_term(body.rstrip("*"), body.endswith("*"), body != run))
    return [item for item in items if item is not None]


MAX_TERMS = 32
"""More terms than an analyst types; bounds the size of the SQL a query compiles to."""


def parse(text: str) -> Query:
    """The query `text` as groups of terms; QuerySyntaxError says what is wrong with it."""
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    previous: _Item | None = None
    for item in _lex(text):
        if item.kind != "term":
            if previous is None or previous.kind != "term":
                raise QuerySyntaxError(_dangling(item.kind))
            if item.kind == "OR" and previous.negated:
                raise QuerySyntaxError(_EXCLUDED_IN_OR)
        else:
            assert item.term is not None
            if previous is not None and previous.kind == "OR":
                if item.negated:
                    raise QuerySyntaxError(_EXCLUDED_IN_OR)
                groups[-1].append(item.term)
            elif item.negated:
                excluded.append(item.term)
            else:
                groups.append([item.term])
        previous = item
    if previous is not None and previous.kind != "term":
        raise QuerySyntaxError(_dangling(previous.kind))
    if not groups and not excluded:
        raise QuerySyntaxError(
            "The query holds no word to search for, only punctuation or operators."
        )
    if not groups:
        raise QuerySyntaxError("The query only excludes words; add a word to look for.")
    terms = sum(len(group) for group in groups) + len(excluded)
    if terms > MAX_TERMS:
        raise QuerySyntaxError(
            f"The query has {terms} terms; at most {MAX_TERMS} are searched for at once."
        )
    return Query(tuple(tuple(group) for group in groups), tuple(excluded))


_EXCLUDED_IN_OR = "`OR` cannot join an excluded term (`-word`); exclude it outside the OR."


def _dangling(operator: str) -> str:
    return f"`{operator}` needs a term on each side, as in `oil {operator} gas`."


# FTS5: every word is inside double quotes, so nothing from the client is read as syntax.


def fts5_term(term: Term) -> str:
    return '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "")


def fts5_any(terms: tuple[Term, ...] | list[Term]) -> str:
    return " OR ".join(fts5_term(term) for term in terms)


def fts5_all(groups: list[tuple[Term, ...]] | list[list[Term]]) -> str:
    return " AND ".join(f"({fts5_any(group)})" for group in groups)


# PostgreSQL: to_tsquery text made of words and the operators <->, :* and weight letters only.
# Stemmed lexemes carry weight A (title) or B (body); the unstemmed 'simple' ones carry D.

Config = Literal["english", "simple"]


def tsquery_text(term: Term, config: Config) -> str:
    weights = "AB" if config == "english" else "D"
    parts = [f"{word}:{weights}" for word in term.words]
    if term.prefix:
        parts[-1] = f"{term.words[-1]}:*{weights}"
    return " <-> ".join(parts)


def tsquery_configs(term: Term) -> tuple[Config, ...]:
    """A prefix is looked up unstemmed; a word or phrase stemmed, or word for word, which also
    finds the English stop words (`the`, `"to the"`) that stemming drops."""
    return ("simple",) if term.prefix else ("english", "simple")
