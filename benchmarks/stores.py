"""The benchmark's data: built once per (size, rounds, seed, migration head, generator version)
with `sanctions-tracker generate --into` and reused by later runs.

SQLite: `benchmarks/.data/sqlite-<size>-<rounds>-<seed>-<head>-<generator>.db`, built under a
temporary name and renamed when complete, so a broken build is never reused. PostgreSQL: the
database `sanctions_tracker_bench_<size>_<seed>` on the server of `BENCH_POSTGRES_URL`, whose
comment records what it was built from once the build succeeded."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from benchmarks import paths
from benchmarks.processes import tracker_command, tracker_env

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class DataSet:
    engagements: int
    rounds: int
    seed: int

    def signature(self) -> str:
        """What a built store depends on: the arguments, the schema and the generator."""
        return f"{self.engagements}-{self.rounds}-{self.seed}-{schema_head()}-{generator_version()}"


@dataclass(frozen=True)
class Store:
    kind: str  # "sqlite" or "postgresql"
    url: str
    reused: bool
    build_seconds: float | None  # None when reused
    path: Path | None = None  # the SQLite file


def schema_head() -> str:
    from sanctions_tracker import migrations

    return migrations.head_revision() or "none"


def generator_version() -> str:
    """The generator's VERSION when it declares one, else a digest of its source; "standin"
    while the project has no generator (the tests' generated bundle is used instead)."""
    if not has_generate():
        return "standin"
    from sanctions_tracker import generator

    declared = getattr(generator, "VERSION", None)
    if declared is not None:
        return str(declared)
    digest = hashlib.sha256()
    for source in sorted(Path(generator.__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:10]


_HAS_GENERATE: list[bool] = []


def has_generate() -> bool:
    if not _HAS_GENERATE:
        probe = subprocess.run(
            [tracker_command(), "generate", "--help"], capture_output=True, check=False
        )
        _HAS_GENERATE.append(probe.returncode == 0)
    return _HAS_GENERATE[0]


def _run(command: list[str], database_url: str, log: Path) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        output.write(f"$ {' '.join(command)}\n".encode())
        output.flush()
        done = subprocess.run(
            command,
            env=tracker_env(database_url),
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=paths.ROOT,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[1:3])} failed ({done.returncode}); see {log}")


def _standin_bundle() -> Path:
    """The tests' generated bundle (about 1,500 engagements whatever the size asked), written
    once; only used while `sanctions-tracker generate` does not exist."""
    target = paths.DATA / "standin-bundle.json"
    if not target.exists():
        sys.path.insert(0, str(paths.ROOT))
        from tests.generated import generate_bundle

        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(generate_bundle()), "utf-8")
    return target


def populate(database_url: str, data: DataSet, log: Path) -> None:
    """Migrate the empty database at `database_url` and generate `data` into it."""
    tracker = tracker_command()
    _run([tracker, "db", "upgrade"], database_url, log)
    if has_generate():
        command = [tracker, "generate", "--engagements", str(data.engagements)]
        command += ["--rounds", str(data.rounds), "--seed", str(data.seed), "--into"]
        _run(command, database_url, log)
    else:
        _run([tracker, "import", str(_standin_bundle())], database_url, log)


def bundle_file(data: DataSet) -> Path:
    """A bundle file of `data` (`generate --out`), made once and kept."""
    if not has_generate():
        return _standin_bundle()
    target = paths.DATA / f"bundle-{data.signature()}.json"
    if not target.exists():
        _forget_older(f"bundle-{data.engagements}-{data.rounds}-{data.seed}-")
        partial = target.with_suffix(".partial")
        command = [tracker_command(), "generate", "--engagements", str(data.engagements)]
        command += ["--rounds", str(data.rounds), "--seed", str(data.seed), "--out", str(partial)]
        _run(command, "sqlite://", paths.LOGS / "build.log")
        partial.rename(target)
    return target


def _forget_older(prefix: str) -> None:
    """Delete the files built for the same arguments from an older schema or generator (and
    their Datasette copies), before building anew: only the newest build is ever reused."""
    for stale in [*paths.DATA.glob(f"{prefix}*"), *paths.DATA.glob(f"datasette-{prefix}*")]:
        if stale.is_dir():
            shutil.rmtree(stale)
        else:
            stale.unlink()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def sqlite_store(data: DataSet, rebuild: bool) -> Store:
    path = paths.DATA / f"sqlite-{data.signature()}.db"
    if path.exists() and not rebuild:
        return Store("sqlite", sqlite_url(path), True, None, path)
    _forget_older(f"sqlite-{data.engagements}-{data.rounds}-{data.seed}-")
    building = path.with_suffix(".building.db")
    for stale in paths.DATA.glob(f"{building.name}*"):
        stale.unlink()
    started = time.perf_counter()
    populate(sqlite_url(building), data, paths.LOGS / "build.log")
    # Fold the write-ahead log into the file, so that the file alone is the store.
    with sqlite3.connect(building) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    building.rename(path)
    for leftover in paths.DATA.glob(f"{building.name}-*"):
        leftover.unlink()
    return Store("sqlite", sqlite_url(path), False, time.perf_counter() - started, path)


def postgres_server_url() -> str:
    return os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _with_database(server: str, name: str) -> str:
    url: URL = make_url(server).set(database=name)
    return url.render_as_string(hide_password=False)


def postgres_version(server: str) -> str:
    engine = create_engine(server, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            return str(connection.scalar(text("SHOW server_version")))
    finally:
        engine.dispose()


@contextmanager
def _admin(server: str) -> Iterator[Connection]:
    engine = create_engine(
        server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def postgres_reachable(server: str) -> str | None:
    """None when the server answers, else why not."""
    try:
        postgres_version(server)
    except OperationalError as problem:
        return str(problem.orig).strip().splitlines()[0] if problem.orig else str(problem)
    return None


def postgres_store(data: DataSet, rebuild: bool) -> Store:
    server = postgres_server_url()
    name = f"sanctions_tracker_bench_{data.engagements}_{data.seed}"
    url = _with_database(server, name)
    marker = f"sanctions-tracker bench {data.signature()}"
    with _admin(server) as admin:
        found = admin.execute(
            text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = :name"
            ),
            {"name": name},
        ).first()
        if found is not None and found[0] == marker and not rebuild:
            return Store("postgresql", url, True, None)
        if found is not None:
            admin.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.execute(text(f'CREATE DATABASE "{name}"'))
    started = time.perf_counter()
    populate(url, data, paths.LOGS / "build.log")
    with _admin(server) as admin:
        admin.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{marker}'"))
    _analyze(url)
    return Store("postgresql", url, False, time.perf_counter() - started)


def _analyze(url: str) -> None:
    """Fresh planner statistics, as autovacuum would have made them by the time a real store
    is this size."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()


@contextmanager
def empty_database(kind: str) -> Iterator[str]:
    """A new, empty database of that kind (dropped or deleted afterwards)."""
    if kind == "sqlite":
        folder = paths.DATA / f"empty-{uuid.uuid4().hex[:8]}"
        folder.mkdir(parents=True)
        try:
            yield sqlite_url(folder / "import.db")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    server = postgres_server_url()
    name = f"sanctions_tracker_bench_import_{uuid.uuid4().hex[:8]}"
    with _admin(server) as admin:
        admin.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(server, name)
    finally:
        with _admin(server) as admin:
            admin.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
