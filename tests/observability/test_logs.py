"""One structured line per request, with a request id that the answer and its problem carry."""

import logging
import re
import sys

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from sanctions_tracker.config import Settings
from sanctions_tracker.observability.logs import (
    TextFormatter,
    UvicornDuplicateFilter,
    logging_config,
)
from tests.conftest import ClientAs
from tests.observability.conftest import JsonLines

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def test_each_request_is_one_json_line_with_its_route_status_duration_and_key_name(
    client: TestClient, log_lines: JsonLines
) -> None:
    response = client.get("/v1/actors/liz-truss")

    [line] = log_lines.requests()
    request_id = response.headers["x-request-id"]
    assert GENERATED_ID.fullmatch(request_id)
    duration = line.pop("duration_ms")
    assert isinstance(duration, float)
    assert duration >= 0
    assert isinstance(line.pop("time"), str)
    assert isinstance(line.pop("pid"), int)
    assert line == {
        "level": "info",
        "logger": "sanctions_tracker.access",
        "message": f"GET /v1/actors/liz-truss 404 {duration} ms",
        "request_id": request_id,
        "method": "GET",
        "path": "/v1/actors/liz-truss",
        "route": "/v1/actors/{ref}",
        "status": 404,
        "key_name": "test-admin",
        "client": "testclient",
        "problem": "/problems/not-found",
    }


def test_a_request_without_a_key_logs_no_key_name(
    anonymous_client: TestClient, log_lines: JsonLines
) -> None:
    anonymous_client.get("/healthz")

    [line] = log_lines.requests()
    assert (line["route"], line["status"], line["key_name"]) == ("/healthz", 200, None)
    assert "problem" not in line


@pytest.mark.parametrize(
    "sent", ["trace-42", "0f3c6a7e-1b2d-4c5e-8f90-a1b2c3d4e5f6", "a.b_c:d", "x" * 128]
)
def test_a_sane_x_request_id_is_kept_and_returned(
    anonymous_client: TestClient, log_lines: JsonLines, sent: str
) -> None:
    response = anonymous_client.get("/healthz", headers={"X-Request-ID": sent})

    assert response.headers["x-request-id"] == sent
    assert [line["request_id"] for line in log_lines.requests()] == [sent]


@pytest.mark.parametrize(
    "sent",
    ["x" * 129, "two words", "<script>", "ünïcode", "a/b", "id;drop", "", "line\tbreak"],
)
def test_an_unsafe_x_request_id_is_replaced_by_a_new_one(
    anonymous_client: TestClient, log_lines: JsonLines, sent: str
) -> None:
    response = anonymous_client.get("/healthz", headers={"X-Request-ID": sent.encode()})

    returned = response.headers["x-request-id"]
    assert GENERATED_ID.fullmatch(returned)
    [line] = log_lines.requests()
    assert line["request_id"] == returned
    if sent:
        assert sent not in log_lines.server_text()


def test_ids_differ_from_request_to_request(anonymous_client: TestClient) -> None:
    ids = {anonymous_client.get("/healthz").headers["x-request-id"] for _ in range(5)}

    assert len(ids) == 5


def test_a_problems_instance_carries_the_id_of_its_log_line(
    anonymous_client: TestClient, log_lines: JsonLines
) -> None:
    response = anonymous_client.get("/v1/sectors/no-such-sector", headers={"X-Request-ID": "r-1"})

    assert response.status_code == 404
    assert response.json()["instance"] == "/v1/sectors/no-such-sector#request=r-1"
    [line] = log_lines.requests()
    assert (line["request_id"], line["status"], line["problem"]) == (
        "r-1",
        404,
        "/problems/not-found",
    )


def test_a_refusal_by_the_limits_is_logged_and_carries_the_id_too(
    anonymous_client: TestClient, log_lines: JsonLines
) -> None:
    response = anonymous_client.get("/v1/actors?q=" + "x" * 9000, headers={"X-Request-ID": "r-2"})

    assert response.status_code == 414
    assert response.headers["x-request-id"] == "r-2"
    assert response.json()["instance"] == "/v1/actors#request=r-2"
    [line] = log_lines.requests()
    assert (line["request_id"], line["status"], line["route"]) == ("r-2", 414, "unmatched")


def test_an_unexpected_error_is_logged_with_its_traceback_and_the_answers_id(
    app: FastAPI, log_lines: JsonLines
) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("the flux capacitor is empty")

    quiet = TestClient(app, raise_server_exceptions=False)
    response = quiet.get("/boom", headers={"X-Request-ID": "boom-1"})

    assert response.status_code == 500
    assert response.headers["x-request-id"] == "boom-1"
    assert response.json()["instance"] == "/boom#request=boom-1"
    assert "flux" not in response.text
    [error] = [line for line in log_lines.lines if line["level"] == "error" and "traceback" in line]
    assert error["request_id"] == "boom-1"
    assert "RuntimeError: the flux capacitor is empty" in error["traceback"]
    [line] = log_lines.requests()
    assert (line["request_id"], line["status"], line["level"]) == ("boom-1", 500, "error")


def test_records_logged_while_a_request_is_answered_carry_its_id(
    app: FastAPI, log_lines: JsonLines
) -> None:
    @app.get("/chatty")
    def chatty() -> dict[str, str]:
        logging.getLogger("sanctions_tracker.chatty").warning("thinking about it")
        return {}

    with TestClient(app) as client:
        client.get("/chatty", headers={"X-Request-ID": "chat-1"})

    [thought] = [line for line in log_lines.lines if line["message"] == "thinking about it"]
    assert thought["request_id"] == "chat-1"


@pytest.mark.parametrize("identity", ["reader", "editor", "admin", "revoked", "expired"])
def test_the_key_itself_never_reaches_the_logs(
    client_as: ClientAs, log_lines: JsonLines, identity: str
) -> None:
    client = client_as(identity)
    secret = client.headers["authorization"].removeprefix("Bearer ")

    client.get("/v1/actors")
    client.post("/v1/actors", json={"key": "logged-actor", "name": "Logged Actor"})
    client.get("/v1/actors?api_key=" + secret)  # refused: keys never go in the URL

    text = log_lines.server_text()
    assert len(log_lines.requests()) == 3
    assert secret not in text
    assert secret[12:28] not in text  # nor a piece of what follows its public prefix


def test_a_bad_key_is_not_logged_either(anonymous_client: TestClient, log_lines: JsonLines) -> None:
    guessed = "sdt_" + "q" * 52

    response = anonymous_client.get("/v1/actors", headers={"Authorization": f"Bearer {guessed}"})

    assert response.status_code == 401
    assert guessed not in log_lines.server_text()
    [line] = log_lines.requests()
    assert (line["status"], line["key_name"]) == (401, None)


def test_the_text_format_is_one_readable_line_with_the_id() -> None:
    record = logging.LogRecord(
        "sanctions_tracker.access", logging.INFO, __file__, 1, "GET /healthz 200 0.8 ms", (), None
    )
    record.request_id = "r-9"
    record.fields = {"route": "/healthz", "status": 200, "key_name": None}

    line = TextFormatter().format(record)

    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO    sanctions_tracker\.access \[r-9\] "
        r"GET /healthz 200 0\.8 ms route=/healthz status=200",
        line,
    ), line


def test_the_server_logs_in_the_chosen_format_without_uvicorns_access_lines() -> None:
    config = logging_config("text", "warning")

    assert config["formatters"]["default"]["()"].endswith("TextFormatter")
    assert config["root"]["level"] == "WARNING"
    assert config["loggers"]["uvicorn.access"] == {
        "handlers": [],
        "propagate": False,
        "level": "WARNING",
    }
    assert logging_config("json", "info")["formatters"]["default"]["()"].endswith("JsonFormatter")


def test_log_format_and_metrics_access_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (Settings().log_format, Settings().metrics_access) == ("json", "loopback")
    monkeypatch.setenv("SANCTIONS_TRACKER_LOG_FORMAT", "text")
    monkeypatch.setenv("SANCTIONS_TRACKER_METRICS_ACCESS", "admin")
    assert (Settings().log_format, Settings().metrics_access) == ("text", "admin")
    monkeypatch.setenv("SANCTIONS_TRACKER_METRICS_ACCESS", "everyone")
    with pytest.raises(ValidationError):
        Settings()


def test_uvicorns_own_report_of_an_app_exception_is_dropped() -> None:
    duplicate = logging.LogRecord(
        "uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI application\n", (),
        sys.exc_info(),
    )  # fmt: skip
    startup = logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1, "Application startup complete.", (), None
    )

    assert [UvicornDuplicateFilter().filter(r) for r in (duplicate, startup)] == [False, True]
