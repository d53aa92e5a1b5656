"""The benchmark's one table, in Markdown: the scenarios, the Datasette comparison, the export and
import, then each target of the issue with PASS or MISS and by how much."""

from collections.abc import Callable
from typing import Any

from benchmarks.scenarios import DEEP_PAGE, LOADED, SCENARIOS

DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# Page 200 counts as "as fast as page 1" within this margin (run-to-run noise on a shared machine).
DEEP_PAGE_MARGIN = 1.25
TARGETS = {
    "datasette_fast": 5.0,  # scenarios 1 and 2: API req/s over Datasette's
    "datasette_slow": 3.0,  # scenarios 4 and 5
    "overhead_ms": 2.0,  # scenarios 1 and 2: API p50 minus the raw p50
    "pg_p99_ms": 50.0,  # scenarios 1-8 on PostgreSQL
    "pg_vs_sqlite": 2.0,  # PostgreSQL at most 2x slower than SQLite, per scenario
    "csv_rows_per_s": 100_000.0,
    "csv_peak_mib": 300.0,
    "import_per_s": 20_000.0,
}


def _number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100 or digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def header(meta: dict[str, Any]) -> list[str]:
    return [
        f"## Benchmark of {meta['date']}",
        "",
        f"- machine: {meta['cores']} cores ({meta['cpu']}), {meta['memory_gib']:.1f} GiB RAM; "
        f"Python {meta['python']}, SQLite {meta['sqlite']}, PostgreSQL {meta['postgresql']}",
        f"- data: {meta['engagements']:,} engagements, {meta['rounds']:,} sanctions rounds "
        f"(`--engagements {meta['size']} --rounds {meta['rounds_asked']} --seed {meta['seed']}`; "
        f"{meta['generator']}); {meta['records']:,} records in all",
        f"- server: `sanctions-tracker serve --workers {meta['workers']}`; load: "
        f"{meta['concurrency']} keep-alive connections from a separate process over loopback",
        f"- commit {meta['commit']}; command: `{meta['command']}`",
    ]


def single_p50(loaded: dict[str, Any] | None) -> float | None:
    """p50 of the requests sent one at a time (no queueing), when measured."""
    single = (loaded or {}).get("single")
    return single["p50_ms"] if single else None


def overhead(loaded: dict[str, Any] | None) -> float | None:
    """The web layer's cost per request: p50 at one connection minus the raw p50."""
    raw = (loaded or {}).get("floor", {}).get("p50_ms")
    alone = single_p50(loaded)
    return alone - raw if alone is not None and raw is not None else None


SCENARIO_COLUMNS = [
    ("#", "---"),
    ("scenario", "---"),
    ("server", "---"),
    ("req/s", "---:"),
    ("p50 ms", "---:"),
    ("p99 ms", "---:"),
    ("p50 ms, 1 conn.", "---:"),
    ("raw p50 ms", "---:"),
    ("overhead ms", "---:"),
    ("errors", "---:"),
]


def scenario_table(results: dict[str, Any]) -> list[str]:
    lines = [
        _row([name for name, _ in SCENARIO_COLUMNS]),
        _row([align for _, align in SCENARIO_COLUMNS]),
    ]
    api = results.get("api", {})
    for number in LOADED:
        first = True
        servers = [
            (label, api.get(database, {}).get(number)) for database, label in DATABASES.items()
        ]
        servers.append(("Datasette", results.get("datasette", {}).get(number)))
        for label, loaded in servers:
            if loaded is None:
                continue
            floor = loaded.get("floor", {})
            title = SCENARIOS[number].title if first else ""
            if number == "3" and first:
                pages = [page for found in results.get("deep_pages", {}).values() for page in found]
                if pages and max(pages) < DEEP_PAGE:
                    title += f" (only {max(pages)} pages at this size)"
            errors = str(loaded["errors"]) + (" (raw: error)" if "error" in floor else "")
            lines.append(
                _row(
                    [
                        number if first else "",
                        title,
                        label,
                        _number(loaded["rps"], 0),
                        _number(loaded["p50_ms"]),
                        _number(loaded["p99_ms"]),
                        _number(single_p50(loaded)),
                        _number(floor.get("p50_ms")),
                        _number(overhead(loaded)),
                        errors,
                    ]
                )
            )
            first = False
    return lines


def bulk_table(results: dict[str, Any]) -> list[str]:
    lines = [
        _row(
            ["#", "scenario", "server", "records", "seconds", "records/s", "peak RSS MiB", "status"]
        ),
        _row(["---", "---", "---", "---:", "---:", "---:", "---:", "---"]),
    ]
    for number, section in (("9", "export"), ("10", "import")):
        first = True
        for database, label in DATABASES.items():
            found = results.get(section, {}).get(database)
            if found is None:
                continue
            if "error" in found:
                cells = ["-", "-", "-", "-", found["error"]]
            else:
                cells = [
                    f"{found['records']:,}",
                    _number(found["seconds"], 2),
                    _number(found["per_s"], 0),
                    _number(found.get("peak_mib")),
                    found.get("status", ""),
                ]
            title = SCENARIOS[number].title if first else ""
            if number == "10" and first and "engagements" in found:
                title += f" ({found.get('engagements', 0):,} engagements)"
            lines.append(_row([number if first else "", title, label, *cells]))
            first = False
    return lines


def _check(value: float | None, goal: float, at_most: bool, unit: str) -> tuple[str, str]:
    """(measured, PASS or MISS with the shortfall)."""
    if value is None:
        return "-", "not measured"
    digits = 2 if unit == "x" else 1
    shown = f"{_number(value, digits)}{unit}"
    ok = value <= goal if at_most else value >= goal
    if ok:
        return shown, "PASS"
    if at_most:
        over = _number(value - goal, digits)
        return shown, f"MISS by {over}{unit} ({value / goal:.2f}x the limit)"
    short = (1 - value / goal) * 100 if goal else 0
    return shown, f"MISS by {_number(goal - value, digits)}{unit} ({short:.0f}% short)"


def targets(results: dict[str, Any]) -> list[str]:
    lines = [_row(["target", "measured", "result"]), _row(["---", "---:", "---"])]
    api = results.get("api", {})
    sqlite = api.get("sqlite", {})
    postgres = api.get("postgresql", {})
    datasette = results.get("datasette", {})

    def add(name: str, value: float | None, goal: float, at_most: bool, unit: str = "") -> None:
        measured, verdict = _check(value, goal, at_most, unit)
        lines.append(_row([name, measured, verdict]))

    for number, goal in (
        ("1", TARGETS["datasette_fast"]),
        ("2", TARGETS["datasette_fast"]),
        ("4", TARGETS["datasette_slow"]),
        ("5", TARGETS["datasette_slow"]),
    ):
        ours, theirs = sqlite.get(number), datasette.get(number)
        ratio = ours["rps"] / theirs["rps"] if ours and theirs and theirs["rps"] else None
        add(f"{number}: req/s >= {goal:.0f}x Datasette's (SQLite)", ratio, goal, False, "x")
    for number in ("1", "2"):
        for database, label in DATABASES.items():
            add(
                f"{number}: API p50 at 1 connection - raw p50 <= 2 ms ({label})",
                overhead(api.get(database, {}).get(number)),
                TARGETS["overhead_ms"],
                True,
                " ms",
            )
    for number in ["1", "2", "3", "4", "5", "6", "7", "8"]:
        loaded = postgres.get(number)
        add(
            f"{number}: p99 <= {TARGETS['pg_p99_ms']:.0f} ms (PostgreSQL)",
            loaded["p99_ms"] if loaded else None,
            TARGETS["pg_p99_ms"],
            True,
            " ms",
        )
    for number in LOADED:
        ours, base = postgres.get(number), sqlite.get(number)
        ratio = base["rps"] / ours["rps"] if ours and base and ours["rps"] else None
        add(
            f"{number}: PostgreSQL req/s at most {TARGETS['pg_vs_sqlite']:.0f}x below SQLite's",
            ratio,
            TARGETS["pg_vs_sqlite"],
            True,
            "x",
        )
    for section, number in (("export", "9"), ("import", "10")):
        base = results.get(section, {}).get("sqlite", {})
        ours = results.get(section, {}).get("postgresql", {})
        ratio = base["per_s"] / ours["per_s"] if ours.get("per_s") and base.get("per_s") else None
        add(f"{number}: PostgreSQL at most 2x slower than SQLite", ratio, 2.0, True, "x")
    for database, label in DATABASES.items():
        # One request at a time, where measured: at 16 connections queueing blurs the difference.
        deep = single_p50(api.get(database, {}).get("3"))
        first = single_p50(api.get(database, {}).get("3p1"))
        ratio = deep / first if deep is not None and first else None
        add(
            f"3: page {DEEP_PAGE} as fast as page 1, p50 at 1 connection, ratio "
            f"<= {DEEP_PAGE_MARGIN} ({label})",
            ratio,
            DEEP_PAGE_MARGIN,
            True,
            "x",
        )
    for database, label in DATABASES.items():
        export = results.get("export", {}).get(database, {})
        add(
            f"9: CSV >= 100k rows/s ({label})",
            export.get("per_s"),
            TARGETS["csv_rows_per_s"],
            False,
            " rows/s",
        )
        add(
            f"9: server peak < 300 MiB ({label})",
            export.get("peak_mib"),
            TARGETS["csv_peak_mib"],
            True,
            " MiB",
        )
    for database, label in DATABASES.items():
        imported = results.get("import", {}).get(database, {})
        add(
            f"10: import >= 20k engagements/s ({label})",
            imported.get("engagements_per_s"),
            TARGETS["import_per_s"],
            False,
            "/s",
        )
    return lines


def footer(results: dict[str, Any]) -> list[str]:
    meta = results["meta"]
    notes = [
        "",
        "Notes:",
        "- Load generator ceiling (`GET /healthz`, same client, same connections): "
        + ", ".join(
            f"{DATABASES[db]} server {_number(value['rps'], 0)} req/s "
            f"(client CPU {value['client_cpu'] * 100:.0f}% of a core)"
            for db, value in results.get("ceiling", {}).items()
        )
        + ". Client CPU during the scenarios is in `benchmarks/results/latest.json`.",
        "- The benchmarked servers run with rate limits off "
        "(`SANCTIONS_TRACKER_RATE_LIMIT_PER_MINUTE=0`, `..._ANONYMOUS_RATE_LIMIT_PER_MINUTE=0`) "
        "and `SANCTIONS_TRACKER_MAX_IMPORT_BYTES` raised to 4 GiB for scenario 10; everything "
        "else is the default configuration (access log at `info`, as Datasette's).",
        "- p50 at 1 conn.: the first requests of the list again, one at a time (no queueing); "
        "raw p50: the same requests as service calls in process, one at a time, no HTTP; "
        "overhead = the first minus the second, what HTTP, validation, JSON and the "
        "middleware add to a request (within the noise of the machine: a small negative value "
        "means none measurable).",
        "- Scenario 9 runs on a freshly started server (so the peak RSS is the export's); "
        "scenario 10 posts the bundle to a fresh, empty database of the same kind.",
        f"- Datasette {meta.get('datasette', '-')}: {meta.get('datasette_settings', '-')}; "
        "a copy of the same SQLite file, immutable (`-i`), single process (Datasette has no "
        "worker option).",
    ]
    for name, reason in results.get("skipped", {}).items():
        notes.append(f"- **{name} skipped**: {reason}")
    return notes


def render(results: dict[str, Any]) -> str:
    lines = [*header(results["meta"]), "", *scenario_table(results), "", *bulk_table(results)]
    lines += ["", "Targets of issue 5 (at 16 connections):", "", *targets(results)]
    lines += footer(results)
    return "\n".join(lines) + "\n"


Renderer = Callable[[dict[str, Any]], str]
