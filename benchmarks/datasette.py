"""Datasette over the same SQLite data: what an analyst would otherwise publish.

Set up by the benchmark itself: a virtualenv of its own (`benchmarks/.venv-datasette`) from the
pinned `requirements-datasette.txt`, made on first use. It serves a copy of the bench store (the
same tables and indexes; the write-ahead log folded in, so the file opens read-only) in immutable
mode (`-i`), as a publisher of a finished data set would, with the store's own FTS5 table
(`search_fts_stemmed`, porter-stemmed, over `search_documents`) configured for `_search`.

Settings: Datasette's defaults, plus `num_sql_threads` (its SQL thread pool; default 3) set to
what measured best here, `suggest_facets off` (on by default, it runs extra facet queries on every
table page: a publisher who cares about speed turns it off), and time limits raised so that no
answer is cut short (`sql_time_limit_ms`, `facet_time_limit_ms`)."""

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from benchmarks import paths, processes
from benchmarks.scenarios import DATASETTE_DB, FACETS_QUERY

SQL_THREADS = 3
SETTINGS = {
    "suggest_facets": "off",
    "sql_time_limit_ms": "60000",
    "facet_time_limit_ms": "60000",
}


def datasette_command() -> Path:
    return paths.DATASETTE_VENV / "bin" / "datasette"


def ensure_installed() -> str:
    """Install Datasette into its own virtualenv when missing or when the pins changed; its
    version."""
    stamp = paths.DATASETTE_VENV / ".installed-from"
    wanted = paths.DATASETTE_REQUIREMENTS.read_text()
    if not datasette_command().exists() or not stamp.exists() or stamp.read_text() != wanted:
        shown = paths.shown(paths.DATASETTE_VENV)
        print(f"installing Datasette into {shown} (pinned)", file=sys.stderr, flush=True)
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", str(paths.DATASETTE_VENV)], check=True)
        pip = paths.DATASETTE_VENV / "bin" / "pip"
        subprocess.run(
            [str(pip), "install", "-q", "-r", str(paths.DATASETTE_REQUIREMENTS)], check=True
        )
        stamp.write_text(wanted)
    done = subprocess.run(
        [str(datasette_command()), "--version"], capture_output=True, text=True, check=True
    )
    return done.stdout.strip().rsplit(" ", 1)[-1]


def prepare(store: Path) -> Path:
    """A copy of the SQLite store named for Datasette, in rollback-journal mode (an immutable
    database must not depend on a write-ahead log); made once per store."""
    folder = paths.DATA / f"datasette-{store.stem}"
    target = folder / f"{DATASETTE_DB}.db"
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / "copy.partial"
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        copy.commit()
    finally:
        copy.close()
        source.close()
    partial.rename(target)
    return target


def metadata() -> dict[str, object]:
    return {
        "databases": {
            DATASETTE_DB: {
                "tables": {"search_documents": {"fts_table": "search_fts_stemmed", "fts_pk": "id"}},
                "queries": {"engagement_facets": {"sql": FACETS_QUERY}},
            }
        }
    }


def ids_by_key(database: Path, keys: Sequence[str]) -> dict[str, int]:
    """Row ids of the engagements with these keys (Datasette's row URLs use the primary key)."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        wanted = sorted(set(keys))
        found: dict[str, int] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = connection.execute(
                f"SELECT key, id FROM engagements WHERE key IN ({marks})", part
            )
            found.update({key: int(row_id) for key, row_id in rows})
        return found
    finally:
        connection.close()


@contextmanager
def serving(database: Path, sql_threads: int = SQL_THREADS) -> Iterator[processes.Server]:
    meta = database.parent / "metadata.json"
    meta.write_text(json.dumps(metadata(), indent=2))
    port = processes.free_port()
    command = [str(datasette_command()), "serve", "-i", str(database), "-m", str(meta)]
    command += ["-h", "127.0.0.1", "-p", str(port)]
    for name, value in {**SETTINGS, "num_sql_threads": str(sql_threads)}.items():
        command += ["--setting", name, value]
    env = processes.tracker_env("sqlite://")
    with processes.serving(command, env, "/-/versions.json", "datasette", port) as server:
        yield server


def settings_note(sql_threads: int) -> str:
    chosen = {**SETTINGS, "num_sql_threads": str(sql_threads)}
    return ", ".join(f"{name}={value}" for name, value in chosen.items())
