"""The coordination view over HTTP: a small story written out by hand, the seed, every problem
answer, and every page walked."""

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sanctions_tracker.coordination import preceding
from sanctions_tracker.coordination.schemas import EXAMPLE
from sanctions_tracker.seed import load_seed, seed_bundle
from tests.coordination.expected import coordination
from tests.factories import make_engagement, make_round, make_sector

PROBLEM = "application/problem+json"
TITLES = {400: ("bad-request", "Bad request"), 422: ("validation-error", "Validation failed")}
Record = dict[str, Any]


@pytest.fixture
def story(session: Session) -> dict[str, Record]:
    """Rounds against RU in March 2022 and the engagements before them.

    eu-early (EU, 5 Mar) ... us-oil (US) and us-gb-joint (US+GB) on 10 Mar ... gb-oil (GB, 12
    Mar); ca-far (CA, 20 Apr) is far from all; eu-belarus targets BY, not RU. A US-GB call on
    7 Mar names us-oil; a US-GB call 20 days before us-oil is outside a 14-day window; FR-DE
    talks involve no imposer; a US trip to Poland and its leg come 2 and 1 days before 10 Mar."""
    make_sector(session, key="energy", name="Energy")
    make_sector(session, key="oil", name="Oil", parent="energy")
    make_sector(session, key="banking", name="Banking")
    records: dict[str, Record] = {}
    for key, imposed_by, targets, day, sectors, status in [
        ("eu-early", ["EU"], ["RU"], "2022-03-05", ["energy"], "in_force"),
        ("us-oil", ["US"], ["RU"], "2022-03-10", ["oil", "banking"], "in_force"),
        ("us-gb-joint", ["US", "GB"], ["RU"], "2022-03-10", ["oil"], "announced"),
        ("gb-oil", ["GB"], ["RU"], "2022-03-12", ["banking", "oil"], "planned"),
        ("ca-far", ["CA"], ["RU"], "2022-04-20", [], "in_force"),
        ("eu-belarus", ["EU"], ["BY"], "2022-03-11", ["oil"], "in_force"),
    ]:
        records[key] = make_round(
            session,
            key=key,
            title=f"Round {key}",
            imposed_by=imposed_by,
            targets=targets,
            announced_on=day,
            sectors=sectors,
            status=status,
        )
    for key, kind, countries, day, rounds, status in [
        ("us-gb-call", "call", ["US", "GB"], "2022-03-07", ["us-oil"], "held"),
        ("us-gb-early", "call", ["GB", "US"], "2022-02-18", [], "held"),
        ("fr-de-talks", "meeting", ["FR", "DE"], "2022-03-09", [], "held"),
        ("eu-ua-visit", "visit", ["EU", "UA"], "2022-03-01", [], "held"),
        ("gb-statement", "statement", ["GB"], "2022-03-12", [], "cancelled"),
        ("us-trip", "trip", ["US", "PL"], "2022-03-08", [], "held"),
    ]:
        records[key] = make_engagement(
            session,
            key=key,
            title=f"Engagement {key}",
            kind=kind,
            countries=countries,
            start_date=day,
            end_date="2022-03-09" if kind == "trip" else None,
            sanctions_rounds=rounds,
            status=status,
        )
    records["us-trip-warsaw"] = make_engagement(
        session,
        key="us-trip-warsaw",
        title="Engagement us-trip-warsaw",
        kind="visit",
        countries=["US", "PL"],
        start_date="2022-03-09",
        parent="us-trip",
    )
    return records


def related(key: str, imposed_by: list[str], day: str, lag: int, shared: list[str]) -> Record:
    return {
        "key": key,
        "title": f"Round {key}",
        "announced_on": day,
        "imposed_by": imposed_by,
        "lag_days": lag,
        "shared_sectors": shared,
        "url": f"/v1/sanctions-rounds/{key}",
    }


def engagement(
    key: str, kind: str, status: str, day: str, countries: list[str], lead: int, names: bool
) -> Record:
    return {
        "key": key,
        "title": f"Engagement {key}",
        "kind": kind,
        "status": status,
        "start_on": day,
        "countries": countries,
        "lead_days": lead,
        "names_round": names,
        "url": f"/v1/engagements/{key}",
    }


def focal(key: str, imposed_by: list[str], day: str, status: str, sectors: list[str]) -> Record:
    return {
        "key": key,
        "title": f"Round {key}",
        "announced_on": day,
        "status": status,
        "imposed_by": imposed_by,
        "sectors": sectors,
        "url": f"/v1/sanctions-rounds/{key}",
    }


EU_EARLY = related("eu-early", ["EU"], "2022-03-05", 0, [])
US_OIL = related("us-oil", ["US"], "2022-03-10", 0, [])
JOINT = related("us-gb-joint", ["US", "GB"], "2022-03-10", 0, [])
GB_OIL = related("gb-oil", ["GB"], "2022-03-12", 0, [])

LEG = engagement("us-trip-warsaw", "visit", "held", "2022-03-09", ["US", "PL"], 1, False)
TRIP = engagement("us-trip", "trip", "held", "2022-03-08", ["US", "PL"], 2, False)
CALL = engagement("us-gb-call", "call", "held", "2022-03-07", ["US", "GB"], 3, True)

STORY_ROUNDS = [
    focal("eu-early", ["EU"], "2022-03-05", "in_force", ["energy"])
    | {
        "related_rounds": [
            JOINT | {"lag_days": 5},
            US_OIL | {"lag_days": 5},
            GB_OIL | {"lag_days": 7},
        ],
        "preceding_engagements": [
            engagement("eu-ua-visit", "visit", "held", "2022-03-01", ["EU", "UA"], 4, False)
        ],
        "preceding_engagement_count": 1,
    },
    focal("us-oil", ["US"], "2022-03-10", "in_force", ["oil", "banking"])
    | {
        "related_rounds": [
            EU_EARLY | {"lag_days": -5},
            JOINT | {"shared_sectors": ["oil"]},
            GB_OIL | {"lag_days": 2, "shared_sectors": ["oil", "banking"]},
        ],
        "preceding_engagements": [LEG, TRIP, CALL],
        "preceding_engagement_count": 3,
    },
    focal("us-gb-joint", ["US", "GB"], "2022-03-10", "announced", ["oil"])
    | {
        # us-oil and gb-oil are by its own imposers only.
        "related_rounds": [EU_EARLY | {"lag_days": -5}],
        "preceding_engagements": [LEG, TRIP, CALL | {"names_round": False}],
        "preceding_engagement_count": 3,
    },
    focal("gb-oil", ["GB"], "2022-03-12", "planned", ["banking", "oil"])
    | {
        "related_rounds": [
            EU_EARLY | {"lag_days": -7},
            JOINT | {"lag_days": -2, "shared_sectors": ["oil"]},
            US_OIL | {"lag_days": -2, "shared_sectors": ["banking", "oil"]},
        ],
        "preceding_engagements": [
            engagement("gb-statement", "statement", "cancelled", "2022-03-12", ["GB"], 0, False),
            CALL | {"lead_days": 5, "names_round": False},
        ],
        "preceding_engagement_count": 2,
    },
    focal("ca-far", ["CA"], "2022-04-20", "in_force", [])
    | {"related_rounds": [], "preceding_engagements": [], "preceding_engagement_count": 0},
]
STORY_PAIRS = [
    # eu-early is followed by us-oil and us-gb-joint 5 days later, and by gb-oil after 7.
    {"leader": "EU", "follower": "GB", "leader_rounds": 1, "times": 1, "median_lag_days": 5,
     "shared_sectors": []},
    {"leader": "EU", "follower": "US", "leader_rounds": 1, "times": 1, "median_lag_days": 5,
     "shared_sectors": []},
    # us-oil is followed by GB the same day (the joint round) and 2 days later; the joint round,
    # with GB among its imposers, leads nothing for GB.
    {"leader": "US", "follower": "GB", "leader_rounds": 2, "times": 1, "median_lag_days": 0,
     "shared_sectors": [{"sector": "banking", "count": 1}, {"sector": "oil", "count": 1}]},
]  # fmt: skip
STORY_JURISDICTIONS = [
    {"jurisdiction": "GB", "rounds": 2, "preceded": 2, "preceded_share": 1.0, "median_lead_days": 0.5},
    {"jurisdiction": "US", "rounds": 2, "preceded": 2, "preceded_share": 1.0, "median_lead_days": 1},
    {"jurisdiction": "CA", "rounds": 1, "preceded": 0, "preceded_share": 0.0, "median_lead_days": None},
    {"jurisdiction": "EU", "rounds": 1, "preceded": 1, "preceded_share": 1.0, "median_lead_days": 4},
]  # fmt: skip


def get(client: TestClient, query: str) -> Record:
    response = client.get(f"/v1/coordination?{query}")
    assert response.status_code == 200, response.json()
    assert response.headers["content-type"] == "application/json"
    body: Record = response.json()
    return body


@pytest.mark.parametrize("mask_bits", [preceding.MASK_BITS, 1])
def test_the_story_written_out(
    client: TestClient, story: dict[str, Record], monkeypatch: pytest.MonkeyPatch, mask_bits: int
) -> None:
    """Also with room for one jurisdiction in the engagement masks, so a page imposed by more
    is counted round by round (the path a page with over 62 jurisdictions takes)."""
    monkeypatch.setattr(preceding, "MASK_BITS", mask_bits)
    assert get(client, "target=RU") == {
        "target": "RU",
        "window": 14,
        "from": None,
        "to": None,
        "rounds": STORY_ROUNDS,
        "pairs": STORY_PAIRS,
        "jurisdictions": STORY_JURISDICTIONS,
        "total": 5,
        "next_cursor": None,
    }


def test_the_story_matches_the_brute_force_reading(
    client: TestClient, story: dict[str, Record]
) -> None:
    """The hand-written answer and tests/coordination/expected.py agree, so the generated-data
    tests check the same definitions."""
    rounds = [r for r in story.values() if "imposed_by" in r]
    engagements = [r for r in story.values() if "countries" in r]
    against_ru = [r for r in rounds if "RU" in r["targets"]]
    assert coordination(rounds, engagements, against_ru, target="RU") == {
        "rounds": STORY_ROUNDS,
        "pairs": STORY_PAIRS,
        "jurisdictions": STORY_JURISDICTIONS,
        "total": 5,
    }


def test_a_wider_window_reaches_the_early_call(
    client: TestClient, story: dict[str, Record]
) -> None:
    answer = get(client, "target=ru&window=20&from=2022-03-10&to=2022-03-10&engagement_limit=10")
    early = engagement("us-gb-early", "call", "held", "2022-02-18", ["GB", "US"], 20, False)
    assert [(r["key"], r["preceding_engagements"]) for r in answer["rounds"]] == [
        ("us-oil", [LEG, TRIP, CALL, early]),
        ("us-gb-joint", [LEG, TRIP, CALL | {"names_round": False}, early]),
    ]
    assert (answer["target"], answer["window"], answer["from"], answer["to"]) == (
        "RU", 20, "2022-03-10", "2022-03-10"
    )  # fmt: skip


def test_a_window_of_zero_keeps_the_same_day(client: TestClient, story: dict[str, Record]) -> None:
    answer = get(client, "target=RU&window=0")
    assert [
        (r["key"], r["related_rounds"], r["preceding_engagement_count"]) for r in answer["rounds"]
    ] == [
        ("eu-early", [], 0),
        ("us-oil", [JOINT | {"shared_sectors": ["oil"]}], 0),
        ("us-gb-joint", [], 0),
        ("gb-oil", [], 1),
        ("ca-far", [], 0),
    ]
    assert answer["pairs"] == [
        {"leader": "US", "follower": "GB", "leader_rounds": 2, "times": 1, "median_lag_days": 0,
         "shared_sectors": [{"sector": "oil", "count": 1}]},
    ]  # fmt: skip


def test_filters_narrow_the_focal_rounds_only(client: TestClient, story: dict[str, Record]) -> None:
    answer = get(client, "target=RU&imposed_by=gb")
    assert answer["rounds"] == [STORY_ROUNDS[2], STORY_ROUNDS[3]]
    # The joint round is US's too; GB's rounds are followed by nobody within 14 days.
    assert answer["pairs"] == []
    assert answer["jurisdictions"] == [
        STORY_JURISDICTIONS[0],
        {"jurisdiction": "US", "rounds": 1, "preceded": 1, "preceded_share": 1.0, "median_lead_days": 1},
    ]  # fmt: skip
    assert answer["total"] == 2

    # Related rounds and followers outside the range still count.
    answer = get(client, "target=RU&from=2022-03-01&to=2022-03-05")
    assert answer["rounds"] == [STORY_ROUNDS[0]]
    assert answer["pairs"] == STORY_PAIRS[:2]


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("sector=energy", ["eu-early", "us-oil", "us-gb-joint", "gb-oil"]),  # oil is below energy
        ("sector=banking", ["us-oil", "gb-oil"]),
        ("sector=oil&sector=banking", ["us-oil", "us-gb-joint", "gb-oil"]),
        ("sector=no-such-sector", []),  # as on /v1/sanctions-rounds: no round matches
        ("imposed_by=CA&imposed_by=EU", ["eu-early", "ca-far"]),
        ("from=2022-03-10", ["us-oil", "us-gb-joint", "gb-oil", "ca-far"]),
        ("to=2022-03-10", ["eu-early", "us-oil", "us-gb-joint"]),
    ],
)
def test_filters_mean_what_they_mean_on_the_round_list(
    client: TestClient, story: dict[str, Record], query: str, keys: list[str]
) -> None:
    answer = get(client, f"target=RU&{query}")
    assert [r["key"] for r in answer["rounds"]] == keys
    listed = client.get(f"/v1/sanctions-rounds?target=RU&sort=announced_on&{query}").json()
    assert [r["key"] for r in listed["items"]] == keys


def test_another_target(client: TestClient, story: dict[str, Record]) -> None:
    answer = get(client, "target=BY")
    visit = engagement("eu-ua-visit", "visit", "held", "2022-03-01", ["EU", "UA"], 10, False)
    assert [
        (r["key"], r["related_rounds"], r["preceding_engagements"]) for r in answer["rounds"]
    ] == [("eu-belarus", [], [visit])]
    assert answer["jurisdictions"] == [
        {"jurisdiction": "EU", "rounds": 1, "preceded": 1, "preceded_share": 1.0, "median_lead_days": 10}
    ]  # fmt: skip
    assert get(client, "target=IR") == {
        "target": "IR", "window": 14, "from": None, "to": None, "rounds": [], "pairs": [],
        "jurisdictions": [], "total": 0, "next_cursor": None,
    }  # fmt: skip


@pytest.mark.parametrize("mask_bits", [preceding.MASK_BITS, 1])
@pytest.mark.parametrize("limit", [0, 1, 2])
def test_engagement_limit_caps_the_list_not_the_count(
    client: TestClient,
    story: dict[str, Record],
    monkeypatch: pytest.MonkeyPatch,
    limit: int,
    mask_bits: int,
) -> None:
    monkeypatch.setattr(preceding, "MASK_BITS", mask_bits)
    answer = get(client, f"target=RU&engagement_limit={limit}")
    assert [
        (r["preceding_engagements"], r["preceding_engagement_count"]) for r in answer["rounds"]
    ] == [
        (r["preceding_engagements"][:limit], r["preceding_engagement_count"]) for r in STORY_ROUNDS
    ]
    assert answer["jurisdictions"] == STORY_JURISDICTIONS


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_walking_every_page(client: TestClient, story: dict[str, Record], limit: int) -> None:
    whole = get(client, "target=RU")
    url: str | None = f"/v1/coordination?target=RU&limit={limit}"
    rounds: list[Record] = []
    pages = 0
    while url is not None:
        pages += 1
        assert pages <= 5, "the cursor loops"
        response = client.get(url)
        assert response.status_code == 200, response.json()
        page = response.json()
        assert len(page["rounds"]) == (limit if page["next_cursor"] else len(page["rounds"]))
        assert {k: v for k, v in page.items() if k not in ("rounds", "next_cursor")} == {
            k: v for k, v in whole.items() if k not in ("rounds", "next_cursor")
        }
        rounds += page["rounds"]
        if page["next_cursor"] is None:
            assert "link" not in response.headers
            url = None
        else:
            next_url = httpx.URL(response.headers["link"].split(">")[0].lstrip("<"))
            assert next_url.params["cursor"] == page["next_cursor"]
            assert next_url.params["limit"] == str(limit)
            url = f"{next_url.path}?{next_url.query.decode()}"
    assert rounds == whole["rounds"]
    assert pages == -(-5 // limit)


def test_a_round_added_between_pages_shifts_nothing(
    client: TestClient, session: Session, story: dict[str, Record]
) -> None:
    first = get(client, "target=RU&limit=2")
    assert [r["key"] for r in first["rounds"]] == ["eu-early", "us-oil"]
    make_round(
        session, key="early-bird", imposed_by=["NO"], targets=["RU"], announced_on="2022-01-01"
    )
    second = get(client, f"target=RU&limit=2&cursor={first['next_cursor']}")
    assert [r["key"] for r in second["rounds"]] == ["us-gb-joint", "gb-oil"]
    assert second["total"] == 6
    assert second["jurisdictions"][-1]["jurisdiction"] == "NO"


def test_limit_zero_answers_only_the_summaries(
    client: TestClient, story: dict[str, Record]
) -> None:
    answer = get(client, "target=RU&limit=0")
    assert answer == {
        "target": "RU", "window": 14, "from": None, "to": None, "rounds": [],
        "pairs": STORY_PAIRS, "jurisdictions": STORY_JURISDICTIONS, "total": 5,
        "next_cursor": None,
    }  # fmt: skip


# --- the seed ---------------------------------------------------------------------------------


@pytest.fixture
def seeded(client: TestClient, session: Session) -> TestClient:
    load_seed(session)
    session.commit()
    return client


@pytest.mark.parametrize("window", [0, 3, 14])
def test_the_seed_against_russia(seeded: TestClient, window: int) -> None:
    bundle = seed_bundle()
    rounds = bundle["sanctions_rounds"]
    # The seed's rounds against RU are on distinct (day, key) pairs; the store numbers them in
    # the file's order, so (day, file position) is (announced_on, id).
    focal = sorted(
        (r for r in rounds if "RU" in r["targets"]),
        key=lambda r: (r["announced_on"], rounds.index(r)),
    )
    want = coordination(rounds, bundle["engagements"], focal, target="RU", window=window)
    answer = get(seeded, f"target=RU&window={window}&limit=500")
    assert answer == {"target": "RU", "window": window, "from": None, "to": None} | want | {
        "next_cursor": None
    }
    assert answer["total"] == 38  # every round of the seed is against Russia


def test_the_documented_example_is_the_seed_answer(seeded: TestClient) -> None:
    answer = get(seeded, "target=RU&window=3&imposed_by=US&from=2022-03-31&to=2022-03-31")
    preceding = answer["rounds"][0]["preceding_engagements"]
    assert preceding[0] == EXAMPLE["rounds"][0]["preceding_engagements"][0]
    answer["rounds"][0]["preceding_engagements"] = preceding[:1]
    assert answer == EXAMPLE
    assert [e["key"] for e in preceding] == [
        "2022-03-30-daleep-singh-new-delhi-visit",
        "2022-03-29-adeyemo-chatham-house-london",
        "2022-03-29-blinken-mohammed-bin-zayed-rabat",
        # The trip and its three legs, each an engagement of its own, all begin on 28 March.
        "2022-03-28-adeyemo-berlin-visit",
        "2022-03-28-adeyemo-brussels-visit",
        "2022-03-28-adeyemo-europe-sanctions-trip",
        "2022-03-28-adeyemo-paris-visit",
    ]


# --- problems ---------------------------------------------------------------------------------


def assert_problem(response: httpx.Response, status: int, detail: str, **extra: Any) -> None:
    """The whole RFC 9457 answer: media type, type, title, status, detail, instance, extras."""
    slug, title = TITLES[status]
    expected = {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail,
                "instance": f"{response.request.url.path}#request={response.headers['x-request-id']}",
                **extra}  # fmt: skip
    assert (response.status_code, response.headers["content-type"], response.json()) == (
        status, PROBLEM, expected
    )  # fmt: skip


UNKNOWN_XX = "unknown country code 'XX': use ISO 3166-1 alpha-2, or EU"


@pytest.mark.parametrize(
    ("query", "pointer", "message"),
    [
        ("", "/target", "Field required"),
        ("target=XX", "/target", UNKNOWN_XX),
        (
            "target=UK",
            "/target",
            "unknown country code 'UK': use ISO 3166-1 alpha-2, or EU; use 'GB'",
        ),
        (
            "target=RU&target=GB",
            "/target",
            "give exactly one target; the view compares jurisdictions against one country",
        ),
        ("target=RU&window=91", "/window", "Input should be less than or equal to 90"),
        ("target=RU&window=-1", "/window", "Input should be greater than or equal to 0"),
        (
            "target=RU&window=two",
            "/window",
            "Input should be a valid integer, unable to parse string as an integer",
        ),
        ("target=RU&from=2022-04-08&to=2022-04-01", "/to", "`to` must not be before `from`"),
        ("target=RU&from=yesterday", "/from", "use an ISO 8601 date, YYYY-MM-DD"),
        ("target=RU&imposed_by=XX", "/imposed_by/0", UNKNOWN_XX),
        (
            "target=RU&sector=Energy Sector",
            "/sector/0",
            "'Energy Sector' is neither a key nor an id",
        ),
        ("target=RU&limit=501", "/limit", "Input should be less than or equal to 500"),
        (
            "target=RU&engagement_limit=-1",
            "/engagement_limit",
            "Input should be greater than or equal to 0",
        ),
        (
            "target=RU&engagement_limit=501",
            "/engagement_limit",
            "Input should be less than or equal to 500",
        ),
    ],
)
def test_bad_parameters_are_422(client: TestClient, query: str, pointer: str, message: str) -> None:
    response = client.get(f"/v1/coordination?{query}")
    assert_problem(
        response,
        422,
        message,
        errors=[{"pointer": pointer, "message": message, "location": "query"}],
    )


@pytest.mark.parametrize("cursor", ["not-a-cursor", "eyJ4IjoxfQ", "e30"])
def test_a_cursor_this_view_did_not_issue_is_a_400(client: TestClient, cursor: str) -> None:
    response = client.get(f"/v1/coordination?target=RU&cursor={cursor}")
    assert_problem(
        response, 400, "The cursor is malformed: pass `next_cursor` from a previous page unchanged."
    )


def test_a_cursor_of_another_order_is_a_400(client: TestClient, story: dict[str, Record]) -> None:
    cursor = client.get("/v1/sanctions-rounds?limit=1").json()["next_cursor"]
    response = client.get(f"/v1/coordination?target=RU&cursor={cursor}")
    assert_problem(
        response,
        400,
        "This cursor belongs to sort='-announced_on', not sort='announced_on'; "
        "keep the same sort while paging.",
    )
