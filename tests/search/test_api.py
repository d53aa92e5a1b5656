"""`/v1/search` and the lists' `q` over HTTP, on both databases: what matches, in which order,
with which snippet, and how the index follows every write."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import (
    make_actor,
    make_engagement,
    make_organization,
    make_round,
    make_sector,
    make_source,
)


@pytest.fixture
def story(session: Session) -> dict[tuple[str, str], str]:
    """The records, and each one's searchable text (title and body) for computing expectations."""
    make_source(
        session,
        key="reuters-truss",
        title="Blinken, UK's Truss discuss sanctions on Russia",
        publisher="Reuters",
        authors=["Humeyra Pamuk"],
    )
    make_organization(
        session,
        key="us-treasury",
        name="U.S. Department of the Treasury",
        aliases=["Treasury"],
    )
    make_actor(
        session,
        key="wally-adeyemo",
        name="Wally Adeyemo",
        aliases=["Adewale Adeyemo"],
        positions=[{"title": "Deputy Secretary of the Treasury", "organization": "us-treasury"}],
    )
    make_actor(session, key="maros-sefcovic", name="Maroš Šefčovič", country="SK")
    make_sector(session, key="energy", name="Energy", description="Oil, gas and coal.")
    make_sector(
        session, key="oil", name="Oil", parent="energy", description="Crude oil and the price cap."
    )
    make_round(
        session,
        key="us-oil-ban",
        title="Ban on imports of Russian oil",
        summary="The United States sanctioned imports of oil and gas from Russia.",
        legal_basis="E.O. 14066",
    )
    make_round(
        session,
        key="eu-package-5",
        title="Fifth package",
        imposed_by=["EU"],
        summary="Coal embargo and a port ban.",
        legal_basis="Regulation (EU) 2022/576",
    )
    make_engagement(
        session,
        key="adeyemo-london",
        title="Adeyemo in London",
        summary="Speech at Chatham House on the next sanctions, a visit to the City.",
        location={"city": "London", "country": "GB"},
        topics=["sanctions"],
    )
    return {
        ("sources", "reuters-truss"): "Blinken, UK's Truss discuss sanctions on Russia "
        "Reuters Humeyra Pamuk",
        ("organizations", "us-treasury"): "U.S. Department of the Treasury Treasury",
        ("actors", "wally-adeyemo"): "Wally Adeyemo Adewale Adeyemo "
        "Deputy Secretary of the Treasury",
        ("actors", "maros-sefcovic"): "Maroš Šefčovič",
        ("sectors", "energy"): "Energy Oil, gas and coal.",
        ("sectors", "oil"): "Oil Crude oil and the price cap.",
        ("sanctions_rounds", "us-oil-ban"): "Ban on imports of Russian oil "
        "The United States sanctioned imports of oil and gas from Russia. E.O. 14066",
        ("sanctions_rounds", "eu-package-5"): "Fifth package Coal embargo and a port ban. "
        "Regulation (EU) 2022/576",
        ("engagements", "adeyemo-london"): "Adeyemo in London Speech at Chatham House on the "
        "next sanctions, a visit to the City. London sanctions",
    }


def having(texts: dict[tuple[str, str], str], pattern: str) -> set[tuple[str, str]]:
    """The records whose text matches a regular expression (case-insensitive)."""
    return {record for record, text in texts.items() if re.search(pattern, text, re.I)}


def search(client: TestClient, q: str, **params: Any) -> dict[str, Any]:
    response = client.get("/v1/search", params={"q": q, "limit": 100, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def found(client: TestClient, q: str, **params: Any) -> set[tuple[str, str]]:
    body = search(client, q, **params)
    assert body["total"] == len(body["items"])
    return {(item["type"], item["key"]) for item in body["items"]}


@pytest.mark.parametrize(
    ("q", "pattern"),
    [
        ("sanction", r"\bsanction"),  # stemming: sanctions, sanctioned
        ("sanctions", r"\bsanction"),
        ("SANCTIONED", r"\bsanction"),
        ("imports", r"\bimport"),
        ('"price cap"', r"\bprice cap\b"),
        ('"cap price"', r"\bcap price\b"),
        ("adey*", r"\badey"),
        ("sanctions*", r"\bsanctions"),  # a prefix is not stemmed: not "sanctioned"
        ("ADEYEMO london", r"^(?=.*\badeyemo\b)(?=.*\blondon\b)"),
        ("chatham OR humeyra", r"\b(chatham|humeyra)\b"),
        ("oil -gas", r"^(?!.*\bgas\b).*\boil\b"),
        ('oil -"price cap"', r"^(?!.*\bprice cap\b).*\boil\b"),
        ("treasury -deputy -u.s.", r"^(?!.*(deputy|u\.s\.)).*treasury"),
        ("sefcovic", r"šefčovič"),
        ("Šefčovič", r"šefčovič"),
        ("SEFCOVIC", r"šefčovič"),
        ("U.S.", r"\bu\.s\."),
        ("2022/576", r"2022/576"),
        ("e.o. 14066", r"e\.o\. 14066"),
        ("the", r"\bthe\b"),  # an English stop word still finds itself
        ('"to the"', r"\bto the\b"),
        ("uranium", r"uranium"),
    ],
)
def test_matches(
    client: TestClient, story: dict[tuple[str, str], str], q: str, pattern: str
) -> None:
    expected = having(story, pattern)

    assert found(client, q) == expected


@pytest.mark.usefixtures("story")
def test_a_hit_names_the_record_and_marks_the_words_that_matched(client: TestClient) -> None:
    engagement = client.get("/v1/engagements/adeyemo-london").json()

    body = search(client, "chatham")

    assert body["items"][0]["score"] > 0
    assert body == {
        "items": [
            {
                "type": "engagements",
                "key": "adeyemo-london",
                "id": engagement["id"],
                "title": "Adeyemo in London",
                "snippet": "Speech at <mark>Chatham</mark> House on the next sanctions, a visit "
                "to the City. London sanctions",
                "score": body["items"][0]["score"],
            }
        ],
        "total": 1,
        "next_cursor": None,
    }


@pytest.mark.usefixtures("story")
@pytest.mark.parametrize(
    ("q", "types", "expected"),
    [
        ("oil", ["sectors"], {("sectors", "energy"), ("sectors", "oil")}),
        (
            "oil",
            ["sectors", "sanctions_rounds"],
            {("sectors", "energy"), ("sectors", "oil"), ("sanctions_rounds", "us-oil-ban")},
        ),
        ("oil", ["actors"], set()),
        ("treasury", ["organizations"], {("organizations", "us-treasury")}),
    ],
)
def test_type_keeps_records_of_those_types(
    client: TestClient, q: str, types: list[str], expected: set[tuple[str, str]]
) -> None:
    assert found(client, q, type=types) == expected


def test_a_match_in_the_title_ranks_above_one_in_the_body(
    client: TestClient, session: Session
) -> None:
    make_sector(session, key="metals", name="Metals", description="Iron, steel and uranium.")
    make_sector(session, key="uranium", name="Uranium", description="Nuclear fuel.")
    make_sector(session, key="nuclear", name="Nuclear", description="Uranium enrichment.")

    body = search(client, "uranium")

    keys = [item["key"] for item in body["items"]]
    assert keys[0] == "uranium"
    assert keys[1:] in (
        ["metals", "nuclear"],
        ["nuclear", "metals"],
    )
    scores = [item["score"] for item in body["items"]]
    assert scores[0] > scores[1] >= scores[2] > 0


def test_snippets_are_html_safe(client: TestClient, session: Session) -> None:
    make_sector(
        session,
        key="rosatom",
        name="<script>alert(1)</script> Rosatom",
        description='Nuclear <b>energy</b> & "fuel"',
    )

    by_title = search(client, "rosatom")["items"][0]["snippet"]
    by_body = search(client, "fuel")["items"][0]["snippet"]
    inside_markup = search(client, "alert")["items"][0]["snippet"]

    assert by_title == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Rosatom</mark>"
    assert by_body == 'Nuclear &lt;b&gt;energy&lt;/b&gt; &amp; "<mark>fuel</mark>"'
    assert inside_markup == "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; Rosatom"


def test_text_holding_the_marker_characters_is_answered_unmarked(
    client: TestClient, session: Session
) -> None:
    make_sector(session, key="odd", name="Odd \x02sector\x03", description="Zinc \x03 and lead")

    assert search(client, "zinc")["items"][0]["snippet"] == "Zinc \x03 and lead"
    assert search(client, "sector")["items"][0]["snippet"] == "Zinc \x03 and lead"


def test_a_long_text_is_cut_around_the_first_match(client: TestClient, session: Session) -> None:
    words = [f"word{index}" for index in range(100)]
    words[70] = "Kaliningrad"
    make_sector(session, key="long", name="Long", description=" ".join(words))

    snippet = search(client, "kaliningrad")["items"][0]["snippet"]

    assert snippet.startswith("…word6")
    assert snippet.endswith("…")
    assert "word69 <mark>Kaliningrad</mark> word71" in snippet
    assert "word5 " not in snippet


def test_the_index_follows_creates_changes_renames_and_deletes(client: TestClient) -> None:
    sector = {"key": "fertilizers", "name": "Fertilizers", "description": "Potash exports."}

    assert client.post("/v1/sectors", json=sector).status_code == 201
    assert found(client, "potash") == {("sectors", "fertilizers")}

    assert client.patch("/v1/sectors/fertilizers", json={"description": "Nitrogen."}).is_success
    assert found(client, "potash") == set()
    assert found(client, "nitrogen") == {("sectors", "fertilizers")}

    assert client.patch("/v1/sectors/fertilizers", json={"key": "agrochemicals"}).is_success
    assert found(client, "nitrogen") == {("sectors", "agrochemicals")}
    assert (
        search(client, "nitrogen")["items"][0]["id"]
        == (client.get("/v1/sectors/agrochemicals").json()["id"])
    )

    assert client.delete("/v1/sectors/agrochemicals").status_code == 204
    assert found(client, "nitrogen OR fertilizers") == set()


def test_a_failed_write_leaves_the_index_as_it_was(client: TestClient) -> None:
    sector = {"key": "timber", "name": "Timber", "parent": "no-such-sector"}

    assert client.post("/v1/sectors", json=sector).status_code == 422
    assert found(client, "timber") == set()


def bundle(description: str) -> dict[str, Any]:
    return {
        "format": "sanctions-tracker-bundle/1",
        "sectors": [{"key": "diamonds", "name": "Diamonds", "description": description}],
        "sources": [
            {
                "key": "alrosa-notice",
                "title": "Alrosa designated",
                "published_on": "2022-04-07",
                "publisher": "OFAC",
            }
        ],
    }


def test_imports_are_indexed_and_a_dry_run_is_not(client: TestClient) -> None:
    dry_run = client.post("/v1/import", params={"dry_run": "true"}, json=bundle("Rough stones."))
    assert dry_run.status_code == 200, dry_run.text
    assert found(client, "alrosa OR diamonds") == set()

    assert client.post("/v1/import", json=bundle("Rough stones.")).status_code == 200
    assert found(client, "alrosa OR diamonds") == {
        ("sectors", "diamonds"),
        ("sources", "alrosa-notice"),
    }
    assert found(client, "ofac") == {("sources", "alrosa-notice")}

    assert client.post("/v1/import", json=bundle("Polished stones.")).status_code == 200
    assert found(client, "rough") == set()
    assert found(client, "polished") == {("sectors", "diamonds")}


@pytest.mark.usefixtures("story")
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/v1/sanctions-rounds?q=sanctions", ["us-oil-ban"]),  # the text says "sanctioned"
        ("/v1/sanctions-rounds?q=2022/576", ["eu-package-5"]),
        ("/v1/sanctions-rounds?q=coal OR gas&sort=key", ["eu-package-5", "us-oil-ban"]),
        ("/v1/engagements?q=chatham sanction", ["adeyemo-london"]),
        ("/v1/engagements?q=sanctions -london", []),
        ("/v1/actors?q=adey*", ["wally-adeyemo"]),
        ("/v1/actors?q=deputy secretary", ["wally-adeyemo"]),
        ("/v1/actors?q=sefcovic", ["maros-sefcovic"]),
        ("/v1/organizations?q=u.s. treasury", ["us-treasury"]),
        ("/v1/sectors?q=oil", ["energy", "oil"]),
        ('/v1/sectors?q="price cap"', ["oil"]),
        ("/v1/sources?q=humeyra", ["reuters-truss"]),
        ("/v1/sources?q=sanction&kind=news_article", ["reuters-truss"]),
    ],
)
def test_list_q_uses_the_same_index(client: TestClient, path: str, expected: list[str]) -> None:
    response = client.get(path)

    assert response.status_code == 200, response.text
    assert [item["key"] for item in response.json()["items"]] == expected
    assert response.json()["total"] == len(expected)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


@pytest.mark.parametrize(
    ("q", "detail"),
    [
        ('"foreign secretary', "Unbalanced quote"),
        ("oil OR", "`OR` needs a term on each side"),
        ("OR oil", "`OR` needs a term on each side"),
        ("oil AND", "`AND` needs a term on each side"),
        ("*", "A `*` must follow a word"),
        (":*", "A `*` must follow a word"),
        ("-gas", "only excludes words"),
        ("oil OR -gas", "`OR` cannot join an excluded term"),
        ("'); --", "holds no word to search for"),
        (" ".join(["a"] * 85), "at most 32 are searched for"),
        ("oil OR " + " ".join(["b"] * 32), "has 33 terms"),
    ],
)
@pytest.mark.parametrize("path", ["/v1/search", "/v1/engagements", "/v1/actors", "/v1/sources"])
def test_unreadable_queries_are_400(client: TestClient, path: str, q: str, detail: str) -> None:
    body = assert_problem(client.get(path, params={"q": q}), 400)

    assert body["type"] == "/problems/bad-request"
    assert body["detail"].startswith("Cannot read the search query: ")
    assert detail in body["detail"]
    assert [(error["pointer"], error["location"]) for error in body["errors"]] == [("/q", "query")]


@pytest.mark.parametrize(
    ("params", "pointer"),
    [
        ({}, "/q"),
        ({"q": ""}, "/q"),
        ({"q": "x" * 201}, "/q"),
        ({"q": "a\x00b"}, "/q"),
        ({"q": "oil", "type": "countries"}, "/type/0"),
        ({"q": "oil", "type": "sanctions-rounds"}, "/type/0"),
        ({"q": "oil", "limit": 0}, "/limit"),
        ({"q": "oil", "limit": 101}, "/limit"),
    ],
)
def test_invalid_parameters_are_422(
    client: TestClient, params: dict[str, Any], pointer: str
) -> None:
    body = assert_problem(client.get("/v1/search", params=params), 422)

    assert [error["pointer"] for error in body["errors"]] == [pointer]


HOSTILE = [
    "'); DROP TABLE search_documents; --",
    "NEAR(oil gas, 2)",
    "oil:*",
    "oil & gas | !coal",
    "oil <-> gas",
    "{title body}: oil",
    "title:oil",
    "^oil",
    "oil + gas",
    "\\\\'",
    "'oil'",
    "%_%",
    "Ω≈ç√ 日本語 😀 İstanbul",
    "(" * 100,
    "oil" + "*" * 50,
    "-" * 100 + "oil",
    '"' * 2 + "oil" + '"' * 2,
    "oil\x01gas\x02\x03",
    "AND OR NOT",
    "NOT oil",
    "x" * 200,
]


@pytest.mark.usefixtures("story")
@pytest.mark.parametrize("q", HOSTILE)
@pytest.mark.parametrize("path", ["/v1/search", "/v1/sanctions-rounds", "/v1/sectors"])
def test_hostile_queries_are_answered_never_500(client: TestClient, path: str, q: str) -> None:
    response = client.get(path, params={"q": q})

    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert_problem(response, 400)


def test_paging_walks_every_hit_once_best_first(client: TestClient, session: Session) -> None:
    for index in range(13):  # in the title, in the body once or twice: ties and distinct scores
        name = "Quartz mine" if index % 3 == 0 else f"Mine {index}"
        description = "quartz " * (index % 3) + f"deposit {index}"
        make_sector(session, key=f"mine-{index:02d}", name=name, description=description)
    make_sector(session, key="granite", name="Granite")
    expected = {f"mine-{index:02d}" for index in range(13)}
    everything = search(client, "quartz")

    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(20):  # loop guard
        params: dict[str, Any] = {"q": "quartz", "limit": 2}
        if cursor is not None:
            params["cursor"] = cursor
        response = client.get("/v1/search", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["total"] == len(expected)
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            assert "link" not in response.headers
            break
        assert response.headers["link"].endswith('>; rel="next"')
        assert len(page["items"]) == 2
    else:
        pytest.fail("paging did not end")

    keys = [item["key"] for item in seen]
    assert len(keys) == len(set(keys))
    assert set(keys) == expected
    assert seen == everything["items"]
    order = [(-item["score"], item["key"]) for item in seen]
    assert [score for score, _ in order] == sorted(score for score, _ in order)


def test_a_cursor_belongs_to_its_search(client: TestClient, session: Session) -> None:
    for index in range(3):
        make_sector(session, key=f"quarry-{index}", name=f"Quarry {index}")
    cursor = search(client, "quarry", limit=1)["next_cursor"]
    assert cursor is not None

    other = client.get("/v1/search", params={"q": "quarries", "cursor": cursor})
    other_type = client.get(
        "/v1/search", params={"q": "quarry", "type": "sectors", "cursor": cursor}
    )
    forged = client.get("/v1/search", params={"q": "quarry", "cursor": "bm90IGpzb24"})

    assert "belongs to another search" in assert_problem(other, 400)["detail"]
    assert "belongs to another search" in assert_problem(other_type, 400)["detail"]
    assert "malformed" in assert_problem(forged, 400)["detail"]
