"""`make bench`: build (or reuse) the data set in SQLite and PostgreSQL, serve each as in
production, drive it from a separate load-generating process, measure the raw queries in
process and Datasette over the same SQLite data, and print one table with the issue's targets.

    python -m benchmarks.run --size 100000 [--rounds M] [--seed S] [--only 1,2] [--db sqlite]

The table is also written to benchmarks/results/latest.md (and the raw numbers to latest.json)."""

import argparse
import http.client
import json
import os
import platform
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from benchmarks import datasette, floor, paths, processes, report, scenarios, stores
from benchmarks.scenarios import DEEP_PAGE, LOADED, SCENARIOS, Params, Plan
from sanctions_tracker.db import build_engine

CONCURRENCY = 16
IMPORT_SIZE = 100_000


def summary(found: dict[str, Any]) -> str:
    return (
        f"{found['rps']:,.0f} req/s, p50 {found['p50_ms']:.1f} ms, p99 {found['p99_ms']:.1f} ms, "
        f"errors {found['errors']} {found['error_samples']}, client CPU {found['client_cpu']:.0%}"
    )


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--size", type=int, default=100_000, help="engagements in the data set")
    parser.add_argument("--rounds", type=int, help="sanctions rounds (default: size / 50)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--only", help="comma-separated scenarios, e.g. 1,2,9 (default: all ten)", default=""
    )
    parser.add_argument(
        "--db",
        default="sqlite,postgresql",
        help="sqlite, postgresql (or postgres) or both, comma-separated",
    )
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="server worker processes"
    )
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiply every request count (0.1 for a quick look)",
    )
    parser.add_argument("--import-size", type=int, default=IMPORT_SIZE)
    parser.add_argument("--no-datasette", action="store_true")
    parser.add_argument(
        "--datasette-threads", type=int, default=datasette.SQL_THREADS, help="num_sql_threads"
    )
    parser.add_argument("--rebuild", action="store_true", help="build the stores again")
    parser.add_argument("--output", type=Path, default=paths.RESULTS / "latest.md")
    args = parser.parse_args(argv)
    args.rounds = args.rounds if args.rounds is not None else max(1, args.size // 50)
    names = {
        "sqlite": "sqlite",
        "postgresql": "postgresql",
        "postgres": "postgresql",
        "pg": "postgresql",
    }
    asked = [name.strip() for name in args.db.split(",") if name.strip()]
    if not asked or any(name not in names for name in asked):
        parser.error(f"--db {args.db!r}: use sqlite, postgresql or both")
    args.databases = list(dict.fromkeys(names[name] for name in asked))
    chosen = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = [number for number in chosen if number not in SCENARIOS or number == "3p1"]
    if unknown:
        parser.error(f"unknown scenarios {unknown}: 1 to 10")
    if "3" in chosen:
        chosen.append("3p1")
    args.scenarios = [n for n in SCENARIOS if n in chosen] if chosen else list(SCENARIOS)
    return args


# The machine and the software, for the table's header.


def _git(*arguments: str) -> str:
    done = subprocess.run(
        ["git", *arguments], cwd=paths.ROOT, capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def machine() -> dict[str, Any]:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = 0.0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = int(line.split()[1]) / 1024**2
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    if _git("status", "--porcelain", "--untracked-files=no") or _git(
        "ls-files", "--others", "--exclude-standard", "src"
    ):
        commit += " with uncommitted changes"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": memory,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "commit": commit,
    }


def counts(url: str) -> dict[str, int]:
    from sanctions_tracker.models import (
        Actor,
        Engagement,
        Organization,
        SanctionsRound,
        Sector,
        Source,
    )

    engine = build_engine(url)
    try:
        with Session(engine) as session:
            return {
                model.__tablename__: int(
                    session.scalar(select(func.count()).select_from(model)) or 0
                )
                for model in (Engagement, SanctionsRound, Actor, Organization, Sector, Source)
            }
    finally:
        engine.dispose()


# Driving a server.


def load(
    server: processes.Server, paths_: Sequence[str], warmup: Sequence[str], concurrency: int
) -> dict[str, Any]:
    """Run the load generator, in its own process, over these requests."""
    spec = {
        "host": server.host,
        "port": server.port,
        "requests": list(paths_),
        "warmup": list(warmup),
        "concurrency": concurrency,
    }
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.load"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed: {done.stderr.strip()[-500:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def walk(server: processes.Server, filters: Params) -> tuple[Params, str | None, int]:
    """Follow `next_cursor` from page 1 of the list to page 200 (or its last page); the cursor
    that fetches the deepest page reached, and that page's number."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=120)
    try:
        cursor: str | None = None
        page = 1
        while page < DEEP_PAGE:
            params: Params = {"filter": filters, "cursor": cursor}
            connection.request("GET", scenarios.api_path("3", params))
            response = connection.getresponse()
            body = json.loads(response.read())
            if response.status != 200:
                raise RuntimeError(f"walking {filters}: HTTP {response.status} {body}")
            if not body.get("next_cursor"):
                break
            cursor, page = body["next_cursor"], page + 1
        return filters, cursor, page
    finally:
        connection.close()


def export_csv(server: processes.Server) -> dict[str, Any]:
    """Scenario 9: every engagement as CSV, read as it streams; rows per second."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=3600)
    try:
        started = time.perf_counter()
        connection.request("GET", "/v1/engagements?format=csv")
        response = connection.getresponse()
        lines = size = 0
        try:
            while chunk := response.read(1 << 20):
                lines += chunk.count(b"\r\n")
                size += len(chunk)
        except http.client.HTTPException as problem:
            return {"error": f"the stream broke after {size:,} bytes ({type(problem).__name__})"}
        seconds = time.perf_counter() - started
    finally:
        connection.close()
    rows = max(0, lines - 1)  # the header row
    if response.status != 200:
        return {"error": f"HTTP {response.status}"}
    return {
        "status": f"HTTP {response.status}, {size / 1024**2:,.0f} MiB",
        "http_status": response.status,
        "records": rows,
        "seconds": seconds,
        "per_s": rows / seconds if seconds else 0.0,
        "peak_mib": processes.peak_memory_mib(server.pid),
    }


def import_bundle(server: processes.Server, bundle: Path, key: str) -> dict[str, Any]:
    """Scenario 10: POST the bundle to /v1/import; records and engagements per second."""
    size = bundle.stat().st_size
    connection = http.client.HTTPConnection(server.host, server.port, timeout=3600)
    try:
        with bundle.open("rb") as body:
            started = time.perf_counter()
            connection.request(
                "POST",
                "/v1/import",
                body=body,
                headers={
                    "Authorization": f"Bearer {key}",
                    "Content-Type": "application/json",
                    "Content-Length": str(size),
                },
            )
            try:
                response = connection.getresponse()
                answer = response.read()
            except (http.client.HTTPException, OSError) as problem:
                return {"error": f"no answer ({type(problem).__name__}: {problem})"}
            seconds = time.perf_counter() - started
    finally:
        connection.close()
    if response.status != 200:
        return {"error": f"HTTP {response.status}: {answer[:300]!r}"}
    created = json.loads(answer).get("created", {})
    records = sum(created.values())
    engagements = created.get("engagements", 0)
    return {
        "status": f"HTTP 200, {size / 1024**2:,.0f} MiB body",
        "records": records,
        "engagements": engagements,
        "seconds": seconds,
        "per_s": records / seconds,
        "engagements_per_s": engagements / seconds,
        "peak_mib": processes.peak_memory_mib(server.pid),
    }


def import_into(url: str, bundle: Path, workers: int, kind: str) -> dict[str, Any]:
    with processes.tracker(url, workers, f"import-{kind}", no_seed=True) as server:
        return import_bundle(server, bundle, editor_key(url))


def editor_key(database_url: str) -> str:
    done = subprocess.run(
        [processes.tracker_command(), "keys", "create", "--role", "editor", "--name", "bench"],
        env=processes.tracker_env(database_url),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def bench_database(
    kind: str, store: stores.Store, plan: Plan, args: argparse.Namespace, results: dict[str, Any]
) -> None:
    label = report.DATABASES[kind]
    measured: dict[str, Any] = results["api"].setdefault(kind, {})
    loaded = [number for number in LOADED if number in args.scenarios]
    if loaded:
        with processes.tracker(store.url, args.workers, f"serve-{kind}") as server:
            log(f"{label}: serving on port {server.port} with {args.workers} workers")
            ceiling = load(server, ["/healthz"] * 2000, ["/healthz"] * 200, args.concurrency)
            results["ceiling"][kind] = ceiling
            rate, cpu = ceiling["rps"], ceiling["client_cpu"]
            log(f"{label}: GET /healthz {rate:,.0f} req/s (client CPU {cpu:.0%})")
            if "3" in loaded:
                walked = [walk(server, filters) for filters in plan.deep_filters]
                results["deep_pages"][kind] = [page for _, _, page in walked]
                scenarios.with_cursors(plan, walked)
                log(
                    f"{label}: walked to pages {results['deep_pages'][kind]} of {plan.deep_filters}"
                )
            for number in loaded:
                requests = [scenarios.api_path(number, p) for p in plan.requests[number]]
                warmup = [scenarios.api_path(number, p) for p in plan.warmups[number]]
                measured[number] = load(server, requests, warmup, args.concurrency)
                log(f"{label} {number}: {summary(measured[number])}")
            # The web layer's own cost shows without queueing: the same requests one at a time,
            # as many as the floor times.
            for number in loaded:
                requests = [scenarios.api_path(number, p) for p in plan.requests[number]]
                single = load(server, requests[: floor.LIMITS[number]], [], 1)
                measured[number]["single"] = single
                log(f"{label} {number} at 1 connection: {summary(single)}")
        log(f"{label}: raw queries in process")
        raw = floor.measure(store.url, {number: plan.requests[number] for number in loaded})
        for number, found in raw.items():
            measured[number]["floor"] = found
            log(f"{label} {number}: raw {found}")
    if "9" in args.scenarios:
        with processes.tracker(store.url, args.workers, f"export-{kind}") as server:
            log(f"{label}: CSV export")
            results["export"][kind] = export_csv(server)
            log(f"{label} 9: {results['export'][kind]}")
            if "error" in results["export"][kind]:
                log(f"see {paths.shown(paths.LOGS / f'export-{kind}.log')}")
    if "10" in args.scenarios:
        data = stores.DataSet(args.import_size, max(1, args.import_size // 50), args.seed)
        bundle = stores.bundle_file(data)
        with stores.empty_database(kind) as url:
            log(f"{label}: importing {paths.shown(bundle)} into an empty database")
            results["import"][kind] = import_into(url, bundle, args.workers, kind)
            log(f"{label} 10: {results['import'][kind]}")


def bench_datasette(
    sqlite_store: stores.Store, plan: Plan, args: argparse.Namespace, results: dict[str, Any]
) -> None:
    wanted = [n for n in LOADED if SCENARIOS[n].datasette and n in args.scenarios]
    if not wanted:
        return
    version = datasette.ensure_installed()
    assert sqlite_store.path is not None
    copy = datasette.prepare(sqlite_store.path)
    ids = datasette.ids_by_key(copy, [p["key"] for p in plan.requests["1"] + plan.warmups["1"]])
    results["meta"]["datasette"] = version
    results["meta"]["datasette_settings"] = datasette.settings_note(args.datasette_threads)
    with datasette.serving(copy, args.datasette_threads) as server:
        log(f"Datasette {version}: serving {paths.shown(copy)} on port {server.port}")
        for number in wanted:
            requests = [scenarios.datasette_path(number, p, ids) for p in plan.requests[number]]
            warmup = [scenarios.datasette_path(number, p, ids) for p in plan.warmups[number]]
            found = load(server, requests, warmup, args.concurrency)
            found["example"] = requests[0]
            found["single"] = load(server, requests[: floor.LIMITS[number]], [], 1)
            results["datasette"][number] = found
            log(f"Datasette {number}: {summary(found)}")


def _stop(signum: int, _frame: object) -> None:
    # Unwinds like an exception, so the servers are stopped and temporary databases dropped.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop)
    paths.DATA.mkdir(parents=True, exist_ok=True)
    data = stores.DataSet(args.size, args.rounds, args.seed)
    if not stores.has_generate():
        log("`sanctions-tracker generate` is missing: using the tests' generated bundle instead")
    results: dict[str, Any] = {
        "meta": machine(),
        "api": {},
        "ceiling": {},
        "deep_pages": {},
        "datasette": {},
        "export": {},
        "import": {},
        "skipped": {},
    }
    meta = results["meta"]
    meta.update(
        size=args.size,
        rounds_asked=args.rounds,
        seed=args.seed,
        workers=args.workers,
        concurrency=args.concurrency,
        postgresql="-",
        generator=f"generator {stores.generator_version()}, schema {stores.schema_head()}",
        command="python -m benchmarks.run " + shlex.join(sys.argv[1:] if argv is None else argv),
    )
    built: dict[str, stores.Store] = {}
    for kind in args.databases:
        if kind == "postgresql":
            why = stores.postgres_reachable(stores.postgres_server_url())
            if why is not None:
                results["skipped"]["PostgreSQL"] = (
                    f"{stores.postgres_server_url()} is unreachable ({why})"
                )
                log(f"PostgreSQL skipped: {why}")
                continue
            meta["postgresql"] = stores.postgres_version(stores.postgres_server_url())
        log(f"{report.DATABASES[kind]}: preparing {args.size:,} engagements")
        store = (
            stores.sqlite_store(data, args.rebuild)
            if kind == "sqlite"
            else stores.postgres_store(data, args.rebuild)
        )
        if store.reused:
            name = store.url.rsplit("/", 1)[-1]
            log(f"{report.DATABASES[kind]}: reused the store built earlier ({name})")
        else:
            log(f"{report.DATABASES[kind]}: built in {store.build_seconds:,.0f} s")
        built[kind] = store
    if not built:
        log("no database to benchmark")
        return 1
    first = next(iter(built.values()))
    stored = counts(first.url)
    meta.update(
        engagements=stored["engagements"],
        rounds=stored["sanctions_rounds"],
        records=sum(stored.values()),
    )
    engine = build_engine(first.url)
    try:
        with Session(engine) as session:
            plan = scenarios.pick(session, args.seed, args.scale)
    finally:
        engine.dispose()
    for kind, store in built.items():
        bench_database(kind, store, plan, args, results)
    if "sqlite" in built and not args.no_datasette:
        try:
            bench_datasette(built["sqlite"], plan, args, results)
        except (subprocess.CalledProcessError, RuntimeError) as problem:
            results["skipped"]["Datasette"] = str(problem)
    elif "sqlite" not in built:
        results["skipped"]["Datasette"] = "it serves the SQLite store, which this run left out"
    table = report.render(results)
    print(table)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(table)
    args.output.with_suffix(".json").write_text(json.dumps(results, indent=2, default=str))
    log(
        f"written to {paths.shown(args.output)} and {paths.shown(args.output.with_suffix('.json'))}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
