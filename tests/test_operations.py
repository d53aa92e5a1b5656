"""Liveness, readiness, offline docs and the OpenAPI description."""

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session


def test_healthz_answers_200(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_answers_200_when_migrated_to_head(client: TestClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "revision": "0007"}


def test_readyz_answers_503_when_the_schema_is_behind(client: TestClient, session: Session) -> None:
    session.execute(text("UPDATE alembic_version SET version_num = '0001'"))

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "The database is at revision 0001, not at head 0007."
    request_id = response.headers["X-Request-ID"]
    assert response.json()["instance"] == f"/readyz#request={request_id}"


def test_readiness_probes_add_no_log_lines_of_alembics(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        assert client.get("/readyz").status_code == 200

    assert not [r.getMessage() for r in caplog.records if r.name.startswith("alembic")]


def test_swagger_ui_and_redoc_are_served_without_a_cdn(client: TestClient) -> None:
    pages = {
        "/docs": [
            "/static/vendor/swagger-ui/swagger-ui-bundle.js",
            "/static/vendor/swagger-ui/swagger-ui.css",
        ],
        "/redoc": ["/static/vendor/redoc/redoc.standalone.js"],
    }
    for page, assets in pages.items():
        html = client.get(page).text
        assert "https://" not in html, page
        for asset in assets:
            assert asset in html
            response = client.get(asset)
            assert response.status_code == 200, asset
            assert len(response.content) > 100_000, asset


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]


def test_every_operation_has_a_summary_tags_and_its_problem_answers(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    for path, method, operation in operations(spec):
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        assert operation.get("tags"), where
        if operation.get("parameters") or operation.get("requestBody"):
            problems = [status for status in operation["responses"] if status.startswith("4")]
            assert problems, where
            for status in problems:
                content = operation["responses"][status]["content"]
                assert content["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"
                }, where


def test_write_bodies_carry_examples_from_the_seed(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]

    assert schemas["EngagementRecord"]["examples"][0]["key"] == "2022-04-01-blinken-truss-call"
    for name in (
        "SourceRecord",
        "OrganizationRecord",
        "ActorRecord",
        "SectorRecord",
        "SanctionsRoundRecord",
        "Bundle",
    ):
        assert schemas[name]["examples"], name


def test_problem_types_are_documented_where_they_point(client: TestClient) -> None:
    problem = client.get("/v1/engagements/no-such-engagement").json()

    described = client.get(problem["type"])

    assert described.status_code == 200
    assert described.json()["type"] == "/problems/not-found"
