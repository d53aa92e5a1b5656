"""Records for the export tests, written through the import endpoint (cheap in bulk)."""

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

BUNDLE_FORMAT = "sanctions-tracker-bundle/1"
KINDS = ["call", "meeting", "visit"]


def import_records(client: TestClient, **records: list[dict[str, Any]]) -> None:
    response = client.post("/v1/import", json={"format": BUNDLE_FORMAT, **records})
    assert response.status_code == 200, response.json()


def bulk_engagements(count: int) -> list[dict[str, Any]]:
    """`count` engagements over 97 days, so many share a start date (ties broken by id)."""
    return [
        {
            "key": f"bulk-{index:04d}",
            "kind": KINDS[index % len(KINDS)],
            "title": f"Bulk engagement {index}",
            "start_date": (date(2022, 1, 1) + timedelta(days=index % 97)).isoformat(),
            "countries": ["US", "GB"] if index % 2 else ["US"],
        }
        for index in range(count)
    ]


def lines(body: bytes) -> list[str]:
    """A body's lines, refusing any line end but CRLF."""
    text = body.decode("utf-8")
    assert text.endswith("\r\n")
    return text[: -len("\r\n")].split("\r\n")
