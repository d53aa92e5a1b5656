"""The `sanctions-tracker` command: its behaviour run in-process (`run_command`), and a real
process or two to prove the entry point itself."""

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import uvicorn
from sqlalchemy.orm import Session, sessionmaker

from sanctions_tracker import cli
from sanctions_tracker.auth import service as keys
from sanctions_tracker.models.trust import Role
from tests.conftest import RunCommand, blank_database

COMMAND = [sys.executable, "-m", "sanctions_tracker.cli"]


@pytest.fixture
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    databases = blank_database(backend, str(tmp_path_factory.mktemp("cli")))
    yield next(databases)
    next(databases, None)


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["db", "upgrade"],
        ["db", "downgrade"],
        ["seed"],
        ["import"],
        ["export"],
        ["keys"],
        ["keys", "create"],
        ["keys", "list"],
        ["keys", "revoke"],
    ],
)
def test_every_command_has_help(command: list[str], run_command: RunCommand) -> None:
    result = run_command("sqlite://", *command, "--help")

    assert result.returncode == 0
    assert result.stdout.startswith("usage: sanctions-tracker")


def test_the_command_runs_as_a_program(tmp_path: Path) -> None:
    """The module entry point, in a process of its own: help, and the exit status of a failure."""
    env = os.environ | {"SANCTIONS_TRACKER_DATABASE_URL": f"sqlite:///{tmp_path}/unused.db"}

    def run_process(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*COMMAND, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    helped = run_process("--help")
    unreadable = run_process("import", str(tmp_path / "missing.json"))

    assert helped.returncode == 0
    assert helped.stdout.startswith("usage: sanctions-tracker")
    assert (unreadable.returncode, unreadable.stdout) == (2, "")
    assert "cannot read" in unreadable.stderr


def test_upgrade_seed_export_import(
    database_url: str, tmp_path: Path, run_command: RunCommand
) -> None:
    run = run_command
    assert run(database_url, "db", "upgrade").returncode == 0

    first = run(database_url, "seed")
    second = run(database_url, "seed")
    exported = run(database_url, "export", str(tmp_path / "store.json"))
    dry = run(database_url, "import", "--dry-run", str(tmp_path / "store.json"))

    assert first.stdout.splitlines()[0].startswith("created: sources ")
    assert second.stdout.splitlines()[:2] == ["created: nothing", "updated: nothing"]
    assert exported.returncode == 0
    bundle = json.loads((tmp_path / "store.json").read_text("utf-8"))
    assert bundle["format"] == "sanctions-tracker-bundle/1"
    assert len(bundle["engagements"]) > 0
    assert dry.stdout.splitlines()[0] == "dry run: created: nothing"


def test_a_bad_bundle_file_fails_with_every_pointer(
    database_url: str, tmp_path: Path, run_command: RunCommand
) -> None:
    run = run_command
    run(database_url, "db", "upgrade")
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "format": "sanctions-tracker-bundle/1",
                "engagements": [
                    {
                        "key": "call",
                        "title": "Call",
                        "start_date": "2022-04-01",
                        "participants": [{"actor": "nobody", "role": "principal"}],
                        "countries": ["UK"],
                    }
                ],
            }
        )
    )

    result = run(database_url, "import", str(bad))

    assert result.returncode == 1
    assert "/engagements/0/countries/0: 'UK' is not an ISO 3166-1 code; use 'GB'" in result.stderr
    assert json.loads(run(database_url, "export").stdout)["engagements"] == []


def test_an_unreadable_file_is_exit_2(
    database_url: str, tmp_path: Path, run_command: RunCommand
) -> None:
    result = run_command(database_url, "import", str(tmp_path / "missing.json"))

    assert result.returncode == 2
    assert "cannot read" in result.stderr


@pytest.fixture
def serve_without_serving(session: Session, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """`serve` in-process against the test's database, with uvicorn's run recorded, not run."""
    sessions = sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint")
    runs: list[Any] = []
    monkeypatch.setattr(cli, "get_sessionmaker", lambda: sessions)
    monkeypatch.setattr(cli, "get_engine", lambda: SimpleNamespace(dispose=lambda: None))
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: runs.append(kwargs))
    return runs


def test_serve_says_how_to_make_the_first_key(
    serve_without_serving: list[Any], session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    def hints() -> list[str]:
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="sanctions_tracker"):
            assert cli.main(["serve", "--no-migrate", "--no-seed"]) == 0
        return [record.getMessage() for record in caplog.records]

    assert hints() == [
        "no API keys yet: reads are open, writes need a key; make one with "
        "`sanctions-tracker keys create --role admin --name me`"
    ]
    keys.create_key(session, name="gone", role=Role.admin)
    keys.revoke_key(session, "gone")
    assert len(hints()) == 1  # a revoked key is no key
    keys.create_key(session, name="me", role=Role.admin)
    assert hints() == []
    assert len(serve_without_serving) == 3
