"""Reading every page of a history or of the change feed, as a client would."""

from typing import Any

from fastapi.testclient import TestClient


def walk(client: TestClient, url: str) -> list[list[dict[str, Any]]]:
    """The items of every page, following the `Link: rel="next"` header."""
    pages = []
    while True:
        answer = client.get(url)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        pages.append(body["items"])
        if body["next_cursor"] is None:
            assert "link" not in answer.headers
            return pages
        url = answer.headers["link"].removeprefix("<").removesuffix('>; rel="next"')
        assert len(pages) < 1_000, "the pages never end"


def every(client: TestClient, url: str) -> list[dict[str, Any]]:
    return [item for page in walk(client, url) for item in page]


def changes(client: TestClient, since: int = 0) -> list[dict[str, Any]]:
    return every(client, f"/v1/changes?since={since}&limit=500")


def history(client: TestClient, path: str) -> list[dict[str, Any]]:
    return every(client, f"{path}/history?limit=500")


def without_time(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items without `seq` and `at`, which the test cannot know in advance (checked apart)."""
    return [{k: v for k, v in item.items() if k not in ("seq", "at")} for item in items]
