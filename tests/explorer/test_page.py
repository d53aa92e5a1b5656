"""The explorer page at `/`: served whole by the service, and working in headless Chromium over
the seed story (SQLite, and PostgreSQL when configured)."""

import re
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from sanctions_tracker.seed import load_seed
from tests.explorer.browser import VIEWPORT, Watched, chromium, skip_without_browser, watch
from tests.servers import committed_store, key_headers, serving, serving_app

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

TRIP = "2022-03-28-adeyemo-europe-sanctions-trip"
CALL = "2022-04-01-blinken-truss-call"
NATO = "2022-04-06-nato-foreign-ministers-meeting"
# Strings in the vendored files that look like URLs but are never fetched: XML namespace names
# and the libraries' banner comments.
NOT_LOADED = {
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/2000/xmlns/",
    "http://www.w3.org/XML/1998/namespace",
    "https://d3js.org",
    "https://github.com/topojson/topojson-client",
}
URL = re.compile(r"https?://[^\s\"'`)<>]+")
IMPORT = re.compile(r"""(?:import|from)\s*["'](\.{1,2}/[^"']+)["']""")
STATIC_PATH = re.compile(r"""["'](/static/[^"']+)["']""")

# Every browser test runs in one xdist worker, so that the suite starts a single browser.
browser_group = pytest.mark.xdist_group("explorer-browser")


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "src" or (name == "href" and tag == "link")):
                self.urls.append(value)


def test_the_page_and_everything_it_loads_come_from_the_service(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in page.headers["content-security-policy"]
    parser = References()
    parser.feed(page.text)
    assert parser.urls, "the page references no script or style"
    pending = list(parser.urls)
    seen: dict[str, str] = {"/": page.text}
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        assert url.startswith("/static/"), f"{url} is not one of the service's own files"
        answer = client.get(url)
        assert answer.status_code == 200, url
        seen[url] = answer.text
        if url.endswith(".js"):
            base = url.rsplit("/", 1)[0]
            pending += [f"{base}/{name.removeprefix('./')}" for name in IMPORT.findall(answer.text)]
            pending += STATIC_PATH.findall(answer.text)
    assert "/static/vendor/world-atlas/countries-110m.json" in seen
    assert "/static/explorer/coordination.js" in seen
    for url, text in seen.items():
        own = url == "/" or url.startswith("/static/explorer/")
        found = (
            set(URL.findall(text)) - {"http://www.w3.org/2000/svg"}
            if own
            else set(URL.findall(text))
        )
        assert found <= NOT_LOADED, f"{url} names external URLs: {sorted(found - NOT_LOADED)}"


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator["Browser"]:
    with chromium(skip_without_browser()) as browser:
        yield browser


@pytest.fixture
def browser(chromium_browser: "Browser") -> Iterator["BrowserContext"]:
    """A context of its own for each test: no shared cache, cookies or open connections."""
    context = chromium_browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="module")
def store(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sessionmaker[Session]]:
    """A store holding the seed story."""
    with committed_store(backend, str(tmp_path_factory.mktemp("explorer"))) as sessions:
        with sessions() as session:
            load_seed(session)
            session.commit()
        yield sessions


@pytest.fixture(scope="module")
def server(store: sessionmaker[Session]) -> Iterator[str]:
    """The app over the seed story, on a real port."""
    with serving(serving_app(store)) as url:
        yield url


@pytest.fixture
def api(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server) as client:
        yield client


def open_page(browser: "BrowserContext", url: str) -> Watched:
    watched = watch(browser.new_page())
    watched.page.goto(url)
    watched.page.wait_for_selector("body[data-ready=true]", timeout=20_000)
    return watched


def check_clean(watched: Watched, server: str) -> None:
    """No console error, exception or failed request, and nothing asked of another origin."""
    assert watched.errors == []
    origin = urlsplit(server)
    elsewhere = [
        url
        for url in watched.requests
        if (urlsplit(url).scheme, urlsplit(url).netloc) != (origin.scheme, origin.netloc)
    ]
    assert elsewhere == []
    watched.page.close()


def timeline_keys(watched: Watched) -> list[str]:
    keys: list[str] = watched.page.locator("#timeline > li").evaluate_all(
        "items => items.map(item => item.dataset.key)"
    )
    return keys


def leg_middle(leg: dict[str, Any]) -> date:
    start = date.fromisoformat(leg["start_date"])
    end = date.fromisoformat(leg["end_date"] or leg["start_date"])
    return start + (end - start) / 2


@browser_group
def test_the_page_tells_the_seed_story(
    browser: "BrowserContext", server: str, api: httpx.Client
) -> None:
    watched = open_page(browser, server + "/")
    page = watched.page

    timeline = api.get("/v1/timeline", params={"limit": 50}).json()
    assert timeline_keys(watched) == [item["key"] for item in timeline["items"]]
    call = page.locator(f'#timeline > li[data-key="{CALL}"]')
    title = next(item["title"] for item in timeline["items"] if item["key"] == CALL)
    assert call.locator("button.title").inner_text() == title
    assert title.startswith("Blinken and Truss")
    assert call.locator("a.json").get_attribute("href") == f"/v1/engagements/{CALL}"
    assert "Antony Blinken, Liz Truss" in call.inner_text()

    # The trip's legs in the order of their dates (the middle of a leg known only to the week),
    # numbered from 1 and joined by a line from each leg to the next.
    trip = api.get(f"/v1/engagements/{TRIP}").json()
    legs = [api.get(f"/v1/engagements/{leg['key']}").json() for leg in trip["legs"]]
    expected = [leg["key"] for leg in sorted(legs, key=lambda leg: (leg_middle(leg), leg["id"]))]
    drawn = page.locator(f'#map g.leg-group[data-trip="{TRIP}"]').evaluate_all(
        "legs => legs.map(leg => [leg.dataset.legOrder, leg.dataset.key, leg.dataset.city])"
    )
    assert sorted(drawn, key=lambda leg: int(leg[0])) == [
        [str(order), key, next(leg["location"]["city"] for leg in legs if leg["key"] == key)]
        for order, key in enumerate(expected, start=1)
    ]
    # The seed lists the continental legs, known only to the week, in the article's order.
    assert [city for _, _, city in sorted(drawn, key=lambda leg: int(leg[0]))] == [
        "London", "Brussels", "Paris", "Berlin"
    ]  # fmt: skip
    assert page.locator(f'#map g.trip[data-trip="{TRIP}"] path.leg-line').count() == 3

    network = api.get("/v1/network", params={"level": "actor"}).json()
    labels = page.locator("#network g.node").evaluate_all(
        "nodes => nodes.map(node => node.dataset.label)"
    )
    assert sorted(labels) == sorted(node["label"] for node in network["nodes"])
    assert {"Antony Blinken", "Liz Truss", "Wally Adeyemo", "Daleep Singh"} <= set(labels)

    coordination = api.get(
        "/v1/coordination",
        params={"target": "RU", "window": 14, "limit": 100, "engagement_limit": 10},
    )
    chart = page.locator("#coordination-chart")
    if coordination.status_code == 404:
        assert chart.get_attribute("data-state") == "unavailable"
    else:
        rounds = coordination.json()["rounds"]
        assert chart.get_attribute("data-state") == "ready"
        marks = chart.locator("circle.round").evaluate_all(
            "marks => marks.map(mark => [mark.dataset.key, mark.dataset.jurisdiction])"
        )
        assert sorted(marks) == sorted(
            [r["key"], jurisdiction] for r in rounds for jurisdiction in r["imposed_by"]
        )
        jurisdictions = page.locator("#c-jurisdictions tbody tr td:first-child").all_inner_texts()
        assert jurisdictions == [j["jurisdiction"] for j in coordination.json()["jurisdictions"]]
    check_clean(watched, server)


@browser_group
def test_a_filter_narrows_the_page_as_the_api_does(
    browser: "BrowserContext", server: str, api: httpx.Client
) -> None:
    watched = open_page(browser, server + "/")
    page = watched.page
    page.fill("#f-country", "IN")
    page.click("#filters button[type=submit]")
    page.wait_for_selector("body[data-ready=true]")
    expected = api.get("/v1/timeline", params={"country": "IN", "limit": 50}).json()
    assert expected["total"] < 50
    assert timeline_keys(watched) == [item["key"] for item in expected["items"]]
    assert page.locator("#timeline-count").inner_text() == f"{expected['total']} items"
    assert "country=IN" in page.url

    # A kind keeps engagements only (rounds have none), as the engagement list answers.
    page.select_option("#f-kind", "visit")
    page.click("#filters button[type=submit]")
    page.wait_for_selector("body[data-ready=true]")
    visits = api.get("/v1/engagements", params={"country": "IN", "kind": "visit"}).json()
    assert visits["items"]
    assert timeline_keys(watched) == [item["key"] for item in visits["items"]]
    check_clean(watched, server)

    # The filtered view is a link: opening it again shows the same.
    linked = open_page(browser, server + "/?country=IN&kind=visit")
    assert linked.page.input_value("#f-country") == "IN"
    assert timeline_keys(linked) == [item["key"] for item in visits["items"]]
    check_clean(linked, server)


@browser_group
def test_an_item_opens_its_record_with_its_sources(
    browser: "BrowserContext", server: str, api: httpx.Client
) -> None:
    watched = open_page(browser, server + "/")
    page = watched.page
    page.click(f'#timeline > li[data-key="{CALL}"] button.title')
    page.wait_for_selector("#detail[data-loaded=true]")
    record = api.get(f"/v1/engagements/{CALL}").json()
    detail = page.locator("#detail")
    assert detail.is_visible()
    assert page.locator("#detail-title").inner_text() == record["title"]
    assert detail.locator("a.json").first.get_attribute("href") == f"/v1/engagements/{CALL}"
    shown = detail.locator("li.source").evaluate_all(
        "items => items.map(item => [item.dataset.source,"
        " item.querySelector('blockquote')?.textContent ?? null])"
    )
    assert shown == [
        [citation["source"]["key"], f"“{citation['quote']}”" if citation["quote"] else None]
        for citation in record["sources"]
    ]
    assert any(quote for _, quote in shown), "the seed's call cites at least one quote"
    assert f"open=engagement%3A{CALL}" in page.url or f"open=engagement:{CALL}" in page.url
    page.wait_for_selector("#detail .history li[data-version]")
    assert detail.locator(".history li").evaluate_all(
        "items => items.map(item => item.dataset.version)"
    ) == ["1"]

    # A trip's legs open from its record; Escape closes the panel.
    # Legs a few pixels apart overlap at this zoom, so the click goes to the leg's own element.
    page.dispatch_event(f'#map g.leg-group[data-trip="{TRIP}"][data-leg-order="1"]', "click")
    page.wait_for_selector("#detail[data-loaded=true]")
    assert page.locator("#detail").get_attribute("data-type") == "engagement"
    leg = api.get(f"/v1/engagements/{page.locator('#detail').get_attribute('data-key')}").json()
    assert leg["parent"]["key"] == TRIP
    page.keyboard.press("Escape")
    assert page.locator("#detail").is_hidden()
    check_clean(watched, server)


def test_a_changed_record_shows_its_versions_from_the_public_feed(
    browser: "BrowserContext", server: str, store: sessionmaker[Session], api: httpx.Client
) -> None:
    record = api.get(f"/v1/engagements/{NATO}").json()
    changed = api.patch(
        f"/v1/engagements/{NATO}",
        json={"summary": record["summary"] + " Allies agreed to step up support to Ukraine."},
        headers=key_headers(store)
        | {"If-Match": api.get(f"/v1/engagements/{NATO}").headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    versions = api.get(f"/v1/changes?type=engagements&id={record['id']}").json()["items"]

    watched = open_page(browser, f"{server}/?open=engagement:{NATO}")
    watched.page.wait_for_selector("#detail .history li[data-version]")
    shown = watched.page.locator("#detail .history li").evaluate_all(
        "items => items.map(item => [item.dataset.version, item.textContent])"
    )

    assert [version for version, _ in shown] == [str(item["version"]) for item in versions]
    assert [version for version, _ in shown] == ["1", "2"]
    assert "created via import" in shown[0][1]
    assert shown[1][1].endswith("updated via api: summary")
    check_clean(watched, server)


def test_filters_the_api_refuses_are_said_once_in_the_apis_words(
    browser: "BrowserContext", server: str, api: httpx.Client
) -> None:
    refused = api.get("/v1/engagements", params={"country": "XX"})
    assert refused.status_code == 422

    watched = open_page(browser, f"{server}/?country=XX")

    status = watched.page.locator("#status")
    assert status.inner_text() == (
        f"The API refused these filters: {refused.json()['errors'][0]['message']}"
    )
    assert "error" in (status.get_attribute("class") or "")
    # The browser logs each refused request itself; the page adds no error of its own.
    assert watched.errors
    assert all("status of 422" in error for error in watched.errors), watched.errors
