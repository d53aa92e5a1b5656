"""The search language without a database: parsing, the errors, and what each engine is given."""

import re
import sqlite3

import pytest
from alembic.script import ScriptDirectory

from sanctions_tracker import migrations
from sanctions_tracker.models.search import SEARCHABLE_TYPES
from sanctions_tracker.registry import RECORD_TYPES
from sanctions_tracker.search import normalize, snippets
from sanctions_tracker.search.query import (
    Query,
    QuerySyntaxError,
    Term,
    fts5_all,
    fts5_any,
    parse,
    tsquery_configs,
    tsquery_text,
)


def word(*words: str, prefix: bool = False) -> Term:
    return Term(words, prefix)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sanctions russia", Query(((word("sanctions"),), (word("russia"),)), ())),
        ('"foreign secretary"', Query(((word("foreign", "secretary"),),), ())),
        ("adey*", Query(((word("adey", prefix=True),),), ())),
        ('"foreign sec"*', Query(((word("foreign", "sec", prefix=True),),), ())),
        ("oil OR gas coal", Query(((word("oil"), word("gas")), (word("coal"),)), ())),
        ("a OR b OR c", Query(((word("a"), word("b"), word("c")),), ())),
        ("oil AND gas", Query(((word("oil"),), (word("gas"),)), ())),
        ("oil or gas", Query(((word("oil"),), (word("or"),), (word("gas"),)), ())),
        ('oil -gas -"price cap"', Query(((word("oil"),),), (word("gas"), word("price", "cap")))),
        ("U.S. 2022/576", Query(((word("U", "S"),), (word("2022", "576"),)), ())),
        ("anti-money", Query(((word("anti", "money"),),), ())),
        ("Šefčovič Élysée", Query(((word("sefcovic"),), (word("elysee"),)), ())),
        ('foo"bar"', Query(((word("foo"),), (word("bar"),)), ())),
        ("a*b", Query(((word("a", "b"),),), ())),
        ("oil - gas", Query(((word("oil"),), (word("gas"),)), ())),
        ('""  oil', Query(((word("oil"),),), ())),
        ("'); DROP TABLE x; --", Query(((word("DROP"),), (word("TABLE"),), (word("x"),)), ())),
        ("NEAR(a b)", Query(((word("NEAR", "a"),), (word("b"),)), ())),
        ("title:oil ^gas", Query(((word("title", "oil"),), (word("gas"),)), ())),
        ("a & b | !c <-> d", Query(((word("a"),), (word("b"),), (word("c"),), (word("d"),)), ())),
    ],
)
def test_parse(text: str, expected: Query) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"foreign secretary', 'Unbalanced quote: a `"` opens a phrase that is never closed.'),
        ('oil "gas', 'Unbalanced quote: a `"` opens a phrase that is never closed.'),
        ("OR gas", "`OR` needs a term on each side, as in `oil OR gas`."),
        ("oil OR", "`OR` needs a term on each side, as in `oil OR gas`."),
        ("oil OR OR gas", "`OR` needs a term on each side, as in `oil OR gas`."),
        ("oil OR AND gas", "`AND` needs a term on each side, as in `oil AND gas`."),
        ("oil AND", "`AND` needs a term on each side, as in `oil AND gas`."),
        ("oil OR ); gas", None),  # punctuation alone is no term: this is `oil OR gas`
        ("-oil OR gas", "`OR` cannot join an excluded term (`-word`); exclude it outside the OR."),
        ("oil OR -gas", "`OR` cannot join an excluded term (`-word`); exclude it outside the OR."),
        ("*", "A `*` must follow a word, as in `adey*`."),
        (":*", "A `*` must follow a word, as in `adey*`."),
        ("oil -*", "A `*` must follow a word, as in `adey*`."),
        ('""*', "A `*` must follow a word, as in `adey*`."),
        ("-oil", "The query only excludes words; add a word to look for."),
        ('-oil -"price cap"', "The query only excludes words; add a word to look for."),
        ("!!!", "The query holds no word to search for, only punctuation or operators."),
        ("- -- ''", "The query holds no word to search for, only punctuation or operators."),
        ('""', "The query holds no word to search for, only punctuation or operators."),
    ],
)
def test_unreadable_queries(text: str, message: str | None) -> None:
    if message is None:
        assert parse(text) == Query(((word("oil"), word("gas")),), ())
        return
    with pytest.raises(QuerySyntaxError) as raised:
        parse(text)
    assert str(raised.value) == message


def test_fts5_expression_quotes_every_word() -> None:
    query = parse('oil OR "price cap" adey* -gas')

    assert fts5_all(list(query.groups)) == '("oil" OR "price cap") AND ("adey"*)'
    assert fts5_any(query.excluded) == '"gas"'


def test_tsquery_text() -> None:
    assert tsquery_text(word("sanctions"), "english") == "sanctions:AB"
    assert tsquery_text(word("sanctions"), "simple") == "sanctions:D"
    assert tsquery_text(word("foreign", "secretary"), "english") == ("foreign:AB <-> secretary:AB")
    assert tsquery_text(word("adey", prefix=True), "simple") == "adey:*D"
    assert tsquery_text(word("anti", "mon", prefix=True), "simple") == "anti:D <-> mon:*D"
    assert tsquery_configs(word("adey", prefix=True)) == ("simple",)
    assert tsquery_configs(word("the")) == ("english", "simple")


HOSTILE = [
    "'); DROP TABLE search_documents; --",
    'NEAR("a" "b", 2)',
    "a:* & b | !c",
    "{title body}: x",
    "x <-> y <2> z",
    '"a" + "b" ^c',
    "\\'\\\\ \\x",
    "title:oil body:gas",
    "Ω≈ç√ 日本語 😀 İstanbul",
    "(" * 50 + "x",
    "x" + "*" * 20,
    "a - - b",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_reaches_the_engines_as_words_only(text: str) -> None:
    query = parse(text)
    terms = [*query.positive, *query.excluded]

    assert all(re.fullmatch(r"\w+", w) and "_" not in w for term in terms for w in term.words)
    fts5 = fts5_all(list(query.groups))
    outside_quotes = re.sub(r'"[^"]*"', "", fts5)
    assert re.fullmatch(r"[()* ]*(?:(?:AND|OR)[()* ]*)*", outside_quotes), fts5
    for term in terms:
        for config in tsquery_configs(term):
            assert re.fullmatch(r"\w+:\*?(AB|D)( <-> \w+:\*?(AB|D))*", tsquery_text(term, config))


def test_searchable_types_are_the_record_types() -> None:
    assert set(SEARCHABLE_TYPES) == set(RECORD_TYPES)
    assert all(record_type.search_text for record_type in RECORD_TYPES.values())


def test_fold_is_what_fts5_remove_diacritics_does() -> None:
    """PostgreSQL reads its index and queries through this fold; it must match SQLite's."""
    chars = [chr(code) for code in range(0x80, 0x3000) if chr(code).isalnum()]
    connection = sqlite3.connect(":memory:")
    for name, level in (("folded", 2), ("plain", 0)):
        connection.execute(
            f"CREATE VIRTUAL TABLE {name} USING "
            f"fts5(t, tokenize='unicode61 remove_diacritics {level}')"
        )
        connection.execute(f"CREATE VIRTUAL TABLE {name}_terms USING fts5vocab({name}, instance)")
        connection.executemany(
            f"INSERT INTO {name}(rowid, t) VALUES (?, ?)", list(enumerate(chars))
        )
    folded = dict(connection.execute("SELECT doc, term FROM folded_terms"))
    plain = dict(connection.execute("SELECT doc, term FROM plain_terms"))

    differences = {
        char: (folded[row], normalize.DIACRITICS.get(char, plain[row]))
        for row, char in enumerate(chars)
        if row in folded and folded[row] != normalize.DIACRITICS.get(char, plain[row])
    }

    assert differences == {}
    assert all(folded[chars.index(char)] == bare for char, bare in normalize.DIACRITICS.items())


def test_the_migration_indexes_postgresql_text_with_the_same_rules() -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    migration = script.get_revision("0003").module  # type: ignore[union-attr]

    assert migration.INDEX_FROM == normalize.INDEX_FROM
    assert migration.INDEX_TO == normalize.INDEX_TO
    assert len(normalize.INDEX_FROM) == len(normalize.INDEX_TO)


def test_for_index_keeps_every_character_in_place() -> None:
    text = "U.S. Treasury's Šefčovič: anti-money-laundering (2022/576) «quoted» — done…"

    assert normalize.for_index(text) == (
        "U S  Treasury s sefcovic  anti money laundering  2022 576   quoted    done "
    )


@pytest.mark.parametrize(
    ("marked", "text", "expected"),
    [
        ("a \x02b\x03 c \x02d\x03", "a b c d", [(2, 3), (6, 7)]),
        ("no marks", "no marks", []),
        (None, "text", []),
        ("\x02a\x03", "b", []),  # not the same text: no marks rather than wrong ones
        ("x\x02\x03y", "xy", []),
    ],
)
def test_spans(marked: str | None, text: str, expected: list[snippets.Span]) -> None:
    assert snippets.spans(marked, text) == expected


def test_merge_joins_overlapping_marks() -> None:
    assert snippets.merge([[(0, 3), (10, 12)], [(2, 5)], []]) == [(0, 5), (10, 12)]


def test_render_escapes_text_and_joins_marks_of_one_phrase() -> None:
    text = "<b>U.S.</b> & UK: Foreign Secretary\nTruss"
    marks = [(3, 4), (5, 6), (18, 25), (26, 35), (36, 41)]

    assert snippets.render(text, marks) == (
        "&lt;b&gt;<mark>U.S</mark>.&lt;/b&gt; &amp; UK: <mark>Foreign Secretary</mark> "
        "<mark>Truss</mark>"
    )


def test_render_cuts_a_window_around_the_first_mark() -> None:
    text = " ".join(f"w{index}" for index in range(200))
    start = text.index("w150")

    rendered = snippets.render(text, [(start, start + 4)])

    assert rendered.startswith("…w")
    assert rendered.endswith("…")
    assert "<mark>w150</mark>" in rendered
    assert len(rendered.replace("<mark>", "").replace("</mark>", "")) <= snippets.WINDOW + 2


def test_snippet_prefers_the_body_when_a_match_is_there() -> None:
    assert snippets.snippet("Oil", "Crude oil", [(0, 3)], [(6, 9)]) == "Crude <mark>oil</mark>"
    assert snippets.snippet("Oil", "Crude", [(0, 3)], []) == "<mark>Oil</mark>"
    assert snippets.snippet("Oil", None, [], []) == "Oil"
    assert snippets.snippet("Oil", "Crude", [], []) == "Crude"
