"""Headless Chromium for the explorer's tests and screenshots: Debian's `chromium`, driven by
Playwright's own driver (no browser download), with the flags a closed network needs."""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request

CHROMIUM_VARIABLE = "SANCTIONS_TRACKER_TEST_CHROMIUM"
REQUIRE_BROWSER_VARIABLE = "SANCTIONS_TRACKER_TEST_REQUIRE_BROWSER"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Chromium's background services (component updates, safe browsing, QUIC probes, sync) reach
# for the internet at start; on a closed network they fail with refused connections.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}


def chromium_path() -> str | None:
    path = os.environ.get(CHROMIUM_VARIABLE, DEFAULT_CHROMIUM)
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else shutil.which(path)


def skip_without_browser() -> str:
    """Chromium's path; skips the test (or fails it, when the environment requires a browser)
    when Chromium or Playwright is missing."""
    reason = None
    path = chromium_path()
    if path is None:
        reason = f"no Chromium at {os.environ.get(CHROMIUM_VARIABLE, DEFAULT_CHROMIUM)} " + (
            f"(install Debian's chromium or set {CHROMIUM_VARIABLE})"
        )
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "Playwright is not installed (pip install -e '.[dev]')"
    if reason is not None:
        if os.environ.get(REQUIRE_BROWSER_VARIABLE) == "1":
            pytest.fail(f"browser tests: {reason}, but {REQUIRE_BROWSER_VARIABLE}=1 requires them")
        pytest.skip(f"browser tests skipped: {reason}")
    assert path is not None
    return path


@contextmanager
def chromium(executable: str) -> Iterator["Browser"]:
    """A fresh headless Chromium with a throwaway profile (Playwright makes a temporary
    user-data-dir for each launch and removes it on close). Open a context per test: closing it
    closes its connections, so a server can stop at once."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watched:
    """What a page did that a test may hold against it."""

    page: "Page"
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def watch(page: "Page") -> Watched:
    """Record console errors and warnings, uncaught exceptions, failed requests and every URL
    the page asked for."""
    watched = Watched(page)

    def on_console(message: "ConsoleMessage") -> None:
        if message.type in {"error", "warning"}:
            watched.errors.append(f"console {message.type}: {message.text} {message.location}")

    def on_failed(request: "Request") -> None:
        watched.errors.append(f"request failed: {request.url} ({request.failure})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: watched.errors.append(f"page error: {error}"))
    page.on("requestfailed", on_failed)
    page.on("request", lambda request: watched.requests.append(request.url))
    return watched
