"""`/v1/search`, the lists' `q` and `/v1/timeline?q=` over the seed (the Reuters story of 1 April
2022 and the sanctions rounds of its period), on both databases.

The facts are found in the seed bundle file by the test (the trip Adeyemo made, the meeting in
Rabat) and each expected answer is computed from the file's text with the plain word model of
`tests.search.test_generated`, never through the code under test.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sanctions_tracker.seed import seed_bundle, seed_if_empty
from tests.generated import matching_engagements, matching_rounds
from tests.search.test_generated import (
    TIMELINE_TYPES,
    TYPES,
    Corpus,
    Key,
    found,
    listed,
    of_type,
    on_timeline,
)

# What stemming joins in the seed's words: Porter (SQLite) and Snowball (PostgreSQL) agree on
# these. `Corpus.word` checks that no other word of the seed looks like another form of them.
SANCTION = ("sanction", "sanctions", "sanctioned", "sanctionable")
BANK = ("bank", "banks", "banking")


@pytest.fixture(scope="module")
def bundle() -> dict[str, Any]:
    return seed_bundle()


@pytest.fixture(scope="module")
def corpus(bundle: dict[str, Any]) -> Corpus:
    return Corpus(bundle)


@pytest.fixture
def seeded(client: TestClient, session: Session) -> TestClient:
    seed_if_empty(session)
    session.commit()
    return client


def _keys(record_type: str, records: Any) -> set[Key]:
    return {(record_type, record["key"]) for record in records}


def test_adeyemo_finds_his_trip_and_himself_by_word_and_by_prefix(
    seeded: TestClient, bundle: dict[str, Any], corpus: Corpus
) -> None:
    trip = next(
        engagement["key"]
        for engagement in bundle["engagements"]
        if engagement["kind"] == "trip"
        and "wally-adeyemo" in [p["actor"] for p in engagement["participants"]]
    )
    expected = corpus.word("adeyemo")
    assert {("engagements", trip), ("actors", "wally-adeyemo")} <= expected

    assert found(seeded, "Adeyemo") == expected
    assert found(seeded, "adey*") == corpus.prefix("adey") == expected
    assert found(seeded, "ADEY*", ["actors"]) == {("actors", "wally-adeyemo")}


def test_sanction_finds_every_form_of_the_word(seeded: TestClient, corpus: Corpus) -> None:
    expected = corpus.word(*SANCTION)
    only_plural = corpus.where(lambda doc: "sanctions" in doc.words and "sanction" not in doc.words)
    assert only_plural
    assert only_plural <= expected

    assert found(seeded, "sanction") == expected
    assert found(seeded, "sanctions") == expected
    assert found(seeded, "SANCTIONED") == expected
    # a prefix is not stemmed
    assert found(seeded, "sanctions*") == corpus.prefix("sanctions") != expected


def test_crown_prince_is_a_phrase_found_in_the_rabat_meeting(
    seeded: TestClient, bundle: dict[str, Any], corpus: Corpus
) -> None:
    rabat = next(
        engagement["key"]
        for engagement in bundle["engagements"]
        if (engagement["location"] or {}).get("city") == "Rabat"
    )
    expected = corpus.phrase("crown", "prince")
    assert ("engagements", rabat) in expected

    assert found(seeded, '"crown prince"') == expected
    assert found(seeded, '"Crown Prin"*') == corpus.phrase("crown", "prin", prefix=True)
    assert found(seeded, '"prince crown"') == corpus.phrase("prince", "crown") == set()
    assert found(seeded, '"crown prince" -rabat') == expected - corpus.word("rabat")


@pytest.mark.parametrize(
    ("q", "forms", "unrelated"),
    [
        ("meeting", ("meet", "meets", "meeting"), ()),
        ("meets", ("meet", "meets", "meeting"), ()),
        ("export", ("export", "exports"), ()),
        ("imports", ("import", "imports"), ("impose", "imposes")),
        ("ban", ("ban", "bans", "banned", "banning"), ("bank", "banks", "banking", "banknotes")),
        ("visited", ("visit", "visits", "visited"), ()),
        ("widens", ("widen", "widens", "widened"), ("wide",)),
        ("minister", ("minister", "ministers"), ("ministerial", "ministry")),
    ],
)
def test_a_word_finds_its_declared_forms(
    seeded: TestClient,
    corpus: Corpus,
    q: str,
    forms: tuple[str, ...],
    unrelated: tuple[str, ...],
) -> None:
    expected = corpus.word(*forms, unrelated=unrelated)
    assert expected != corpus.word(q, unrelated=set(forms) | set(unrelated))  # forms matter

    assert found(seeded, q) == expected


@pytest.mark.parametrize(
    ("q", "expectation"),
    [
        ("blinken truss", lambda c: c.word("blinken") & c.word("truss")),
        ("blinken OR truss", lambda c: c.word("blinken") | c.word("truss")),
        ("blinken -truss", lambda c: c.word("blinken") - c.word("truss")),
        ("jaishankar -lavrov", lambda c: c.word("jaishankar") - c.word("lavrov")),
        ("oil OR gas -coal", lambda c: (c.word("oil") | c.word("gas")) - c.word("coal")),
        ('"external affairs"', lambda c: c.phrase("external", "affairs")),
        ('"foreign secretary"', lambda c: c.phrase("foreign", "secretary")),
        ("14066", lambda c: c.word("14066")),
        ("2022/576", lambda c: c.phrase("2022", "576")),
        ("chatham*", lambda c: c.prefix("chatham")),
        ("tetrault", lambda c: c.word("tetrault")),
        ("TÉTRAULT", lambda c: c.word("tetrault")),
    ],
)
def test_the_operators_over_the_seed(
    seeded: TestClient, corpus: Corpus, q: str, expectation: Any
) -> None:
    assert found(seeded, q) == expectation(corpus)


@pytest.mark.parametrize(
    ("q", "expectation"),
    [
        (
            "sanction OR adeyemo OR treasury",
            lambda c: c.word(*SANCTION) | c.word("adeyemo") | c.word("treasury"),
        ),
        (
            "adey* OR blink* OR trea*",
            lambda c: c.prefix("adey") | c.prefix("blink") | c.prefix("trea"),
        ),
        ('"crown prince" -rabat', lambda c: c.phrase("crown", "prince") - c.word("rabat")),
    ],
    ids=["words", "prefixes", "phrase"],
)
@pytest.mark.parametrize("record_type", TYPES)
def test_a_list_q_finds_what_search_finds_for_that_type(
    seeded: TestClient, corpus: Corpus, record_type: str, q: str, expectation: Any
) -> None:
    expected = of_type(expectation(corpus), record_type)

    by_list = listed(seeded, record_type, {"q": q})

    assert by_list == expected
    assert by_list == found(seeded, q, [record_type])


@pytest.mark.parametrize(
    ("record_type", "params", "expectation"),
    [
        (
            "engagements",
            {"kind": "visit", "q": "sanctions"},
            lambda c, b: (
                c.word(*SANCTION) & _keys("engagements", matching_engagements(b, kind=["visit"]))
            ),
        ),
        (
            "engagements",
            {"location_country": "IN", "q": "jaishankar OR singh"},
            lambda c, b: (
                (c.word("jaishankar") | c.word("singh"))
                & _keys("engagements", matching_engagements(b, location_country=["IN"]))
            ),
        ),
        (
            "sanctions_rounds",
            {"imposed_by": "US", "q": "oil OR gas"},
            lambda c, b: (
                (c.word("oil") | c.word("gas"))
                & _keys("sanctions_rounds", matching_rounds(b, imposed_by=["US"]))
            ),
        ),
        (
            "sanctions_rounds",
            {"target": "RU", "q": "banks -sberbank"},
            lambda c, b: (
                (c.word(*BANK, unrelated=["banknotes"]) - c.word("sberbank"))
                & _keys("sanctions_rounds", matching_rounds(b, target=["RU"]))
            ),
        ),
        (
            "actors",
            {"country": "AE", "q": '"crown prince" OR ambassador'},
            lambda c, b: (
                (c.phrase("crown", "prince") | c.word("ambassador"))
                & _keys("actors", (a for a in b["actors"] if a["country"] == "AE"))
            ),
        ),
        (
            "organizations",
            {"country": "US", "q": "council OR treasury"},
            lambda c, b: (
                (c.word("council") | c.word("treasury"))
                & _keys("organizations", (o for o in b["organizations"] if o["country"] == "US"))
            ),
        ),
        (
            "sources",
            {"kind": "news_article", "q": "blinken"},
            lambda c, b: (
                c.word("blinken")
                & _keys("sources", (s for s in b["sources"] if s["kind"] == "news_article"))
            ),
        ),
        (
            "sectors",
            {"parent": "energy", "q": "oil OR gas OR coal"},
            lambda c, b: (
                (c.word("oil") | c.word("gas") | c.word("coal"))
                & _keys("sectors", (s for s in b["sectors"] if s["parent"] == "energy"))
            ),
        ),
    ],
    ids=lambda value: value.get("q") if isinstance(value, dict) else None,
)
def test_q_with_the_list_filters_is_the_intersection(
    seeded: TestClient,
    bundle: dict[str, Any],
    corpus: Corpus,
    record_type: str,
    params: dict[str, Any],
    expectation: Any,
) -> None:
    expected = expectation(corpus, bundle)
    assert expected

    assert listed(seeded, record_type, params) == expected


@pytest.mark.parametrize(
    ("params", "expectation"),
    [
        ({"q": "adeyemo"}, lambda c, b: c.word("adeyemo")),
        (
            {"q": "oil", "country": "JP"},
            lambda c, b: (
                c.word("oil")
                & (
                    _keys("engagements", matching_engagements(b, country=["JP"]))
                    | _keys(
                        "sanctions_rounds",
                        (
                            r
                            for r in b["sanctions_rounds"]
                            if "JP" in r["imposed_by"] + r["targets"]
                        ),
                    )
                )
            ),
        ),
    ],
    ids=["adeyemo", "oil-JP"],
)
def test_the_timeline_q(
    seeded: TestClient,
    bundle: dict[str, Any],
    corpus: Corpus,
    params: dict[str, Any],
    expectation: Any,
) -> None:
    expected = of_type(expectation(corpus, bundle), *TIMELINE_TYPES.values())
    assert expected

    assert on_timeline(seeded, params) == expected


@pytest.mark.parametrize(
    ("q", "phrase", "word"),
    [
        ('"the treasury"', ("the", "treasury"), "treasury"),
        ("putin\u2019s", ("putin", "s"), "putin"),
    ],
)
def test_a_stop_word_at_the_edge_of_a_phrase_counts(
    request: pytest.FixtureRequest,
    backend: str,
    seeded: TestClient,
    corpus: Corpus,
    q: str,
    phrase: tuple[str, ...],
    word: str,
) -> None:
    """`"the treasury"` finds "Department of the Treasury", not "Deputy Treasury Secretary";
    `putin` + U+2019 + `s` (the curly apostrophe splits words) finds "Putin's invasion", not
    every "Putin"."""
    expected = corpus.phrase(*phrase)
    assert expected < corpus.word(word)

    assert found(seeded, q) == expected


def test_a_word_or_a_prefix_keeps_to_the_sectors(
    request: pytest.FixtureRequest, backend: str, seeded: TestClient, corpus: Corpus
) -> None:
    expected = of_type(corpus.word("oil") | corpus.prefix("adey"), "sectors")

    assert listed(seeded, "sectors", {"q": "oil OR adey*"}) == expected
