"""Reading the metrics and catching the log lines, as an operator's tools would."""

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from sanctions_tracker.observability.logs import JsonFormatter, RequestIdFilter

LOOPBACK = ("127.0.0.1", 50123)

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse_metrics(text: str) -> Samples:
    """Every sample of a Prometheus text exposition, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 for a series not shown yet (a counter that never moved)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    return parse_metrics(response.text)


@pytest.fixture
def local_client(app: FastAPI) -> Iterator[TestClient]:
    """A client without a key that connects from the server's own host (127.0.0.1)."""
    with TestClient(app, client=LOOPBACK) as client:
        yield client


class JsonLines(logging.Handler):
    """Every record, formatted as the server writes it, parsed back."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestIdFilter())
        self.text: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.text.append(self.format(record))

    @property
    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text]

    def server_text(self) -> str:
        """The lines the server wrote: the test's own HTTP client (httpx) logs the URLs it
        calls, which the server never does."""
        return "\n".join(
            text
            for text, line in zip(self.text, self.lines, strict=True)
            if not line["logger"].startswith(("httpx", "httpcore"))
        )

    def requests(self) -> list[dict[str, Any]]:
        return [line for line in self.lines if line["logger"] == "sanctions_tracker.access"]


@pytest.fixture
def log_lines() -> Iterator[JsonLines]:
    """The JSON lines of everything logged during the test (debug and up)."""
    handler = JsonLines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
