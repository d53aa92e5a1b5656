"""Schemathesis over every operation of the OpenAPI description, in-process over ASGI.

Each operation gets the schema's examples, coverage cases (boundaries and near misses) and up to
`MAX_EXAMPLES` generated requests, valid and invalid, all derandomized, so every run sends the
same requests. They carry an admin key, so writes are exercised too, against a migrated store
holding the seed; each operation's requests run in one transaction rolled back at its end.

Every answer must pass Schemathesis' default checks: no 5xx; only documented status codes,
content types, headers and bodies; `Allow` on a 405; a missing required header refused; auth
enforced where the schema says so (`ignored_auth` resends without the key); and invalid data
refused with a 4xx (`negative_data_rejection`). One default is left out:
`positive_data_acceptance` wants every schema-valid request accepted, but here validity also
depends on what is stored (references to records, cursors, ETags, Idempotency-Keys already
used), which no OpenAPI schema can say.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sanctions_tracker import migrations
from sanctions_tracker.app import create_app
from sanctions_tracker.db import build_engine
from sanctions_tracker.seed import load_seed
from tests.conftest import blank_database, make_identity_key

MAX_EXAMPLES = 12
CHECKS_LEFT_OUT = ["positive_data_acceptance"]

# The description as the app gives it; the requests go to the `app` fixture, which serves the
# test's transaction.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())
schema.config.checks.update(excluded_check_names=CHECKS_LEFT_OUT)
# Invalid data may also be refused by the limits, before validation: a body over the size limit
# (413) or a query string over the URL limit (414) never reaches the checks behind them.
schema.config.checks.negative_data_rejection.expected_statuses = [
    *schema.config.checks.negative_data_rejection.expected_statuses,
    "413",
    "414",
]
# The key is sent by the test; Schemathesis does not generate (or leave out) `Authorization`.
schema.config.generation.update(with_security_parameters=False)


@pytest.fixture(scope="module")
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated store holding the seed; it stands in for conftest's empty one here."""
    databases = blank_database(backend, str(tmp_path_factory.mktemp(f"schemathesis-{backend}")))
    engine = build_engine(next(databases))
    try:
        migrations.upgrade(engine)
        with Session(engine) as session:
            load_seed(session)
            session.commit()
        yield engine
    finally:
        engine.dispose()
        databases.close()  # drops the PostgreSQL database


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_identity_key(session, 'admin')}"}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # The app and its transaction are shared by an operation's examples on purpose.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_every_operation(case: Any, app: FastAPI, admin: dict[str, str]) -> None:
    case.call_and_validate(app=app, headers=admin)


def test_the_checks_are_the_defaults_with_negative_data_and_positive_acceptance_left_out() -> None:
    checks = schema.config.checks
    for name in (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "missing_required_header",
        "ignored_auth",
        "unsupported_method",
        "allow_header_conformance",
    ):
        assert checks.get_by_name(name=name).enabled, name
    assert not checks.positive_data_acceptance.enabled
    assert {mode.value for mode in schema.config.generation.modes} == {"positive", "negative"}
