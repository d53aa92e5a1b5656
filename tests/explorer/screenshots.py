"""The README's screenshots of the explorer over the seed story, taken in headless Chromium:
`python -m tests.explorer.screenshots docs/screenshots` (from the repository root)."""

import os
import sys
import tempfile
from pathlib import Path

from sanctions_tracker.seed import load_seed
from tests.explorer.browser import VIEWPORT, chromium, chromium_path
from tests.servers import committed_store, serving, serving_app

# (file, query string, what to show: the page's top, or one panel scrolled into view)
SHOTS = [
    ("explorer-overview.png", "?open=engagement:2022-04-01-blinken-truss-call", None),
    ("explorer-trip-map.png", "?actor=wally-adeyemo", "#map-panel"),
    ("explorer-network.png", "?level=actor", "#network-panel"),
    ("explorer-coordination.png", "?target=RU&window=14", "#coordination-panel"),
]


def main(folder: str) -> None:
    os.environ.setdefault("SANCTIONS_TRACKER_LOG_LEVEL", "warning")
    executable = chromium_path()
    if executable is None:
        sys.exit("no Chromium: install Debian's chromium")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        committed_store("sqlite", tmp) as sessions,
    ):
        with sessions() as session:
            load_seed(session)
            session.commit()
        with serving(serving_app(sessions)) as url, chromium(executable) as browser:
            for name, query, panel in SHOTS:
                page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
                page.goto(f"{url}/{query}")
                page.wait_for_selector("body[data-ready=true]", timeout=20_000)
                if "open=" in query:
                    page.wait_for_selector("#detail[data-loaded=true]")
                page.wait_for_timeout(1_500)  # the network's layout settles
                if panel is None:
                    page.screenshot(path=out / name)
                else:
                    page.locator(panel).screenshot(path=out / name)
                page.close()
                print(out / name)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
