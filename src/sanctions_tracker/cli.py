"""The `sanctions-tracker` command: serve, migrate, seed, import, export and manage keys."""

import argparse
import json
import logging
import logging.config
import os
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from sanctions_tracker import migrations
from sanctions_tracker.auth import service as keys
from sanctions_tracker.auth.schemas import MAX_EXPIRY_DAYS
from sanctions_tracker.bundles import service as bundles
from sanctions_tracker.config import get_settings
from sanctions_tracker.db import get_engine, get_sessionmaker, writing_session
from sanctions_tracker.models.trust import Role
from sanctions_tracker.problems import Conflict, NotFound, ValidationFailed
from sanctions_tracker.seed import load_seed, seed_if_empty

logger = logging.getLogger("sanctions_tracker")


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sanctions_tracker.observability import logs, multiprocess

    settings = get_settings()
    log_config = logs.logging_config(settings.log_format, settings.log_level)
    # The lines before uvicorn's (migrations, seed) in the same format as the rest.
    logs.configure_if_unconfigured(settings.log_format, settings.log_level)
    if settings.migrate_on_start and not args.no_migrate:
        migrations.upgrade(get_engine())
    if settings.seed_on_start and not args.no_seed:
        with get_sessionmaker().begin() as session:
            result = seed_if_empty(session)
        if result is not None:
            logger.info("empty store seeded: %s", result.created)
    _hint_if_no_keys()
    get_engine().dispose()
    # Before uvicorn starts the workers: they must find it when they first import the metrics.
    metrics_directory = multiprocess.prepare(args.workers)
    try:
        uvicorn.run(
            "sanctions_tracker.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=settings.log_level,
            log_config=log_config,
            access_log=False,  # the app writes one line per request itself
            proxy_headers=True,
            # uvicorn's 5 s would kill a worker still importing the app on a busy machine, and
            # its replacement too, over and over.
            timeout_worker_healthcheck=60,
        )
    finally:
        multiprocess.remove(metrics_directory)
    return 0


FIRST_KEY_HINT = (
    "no API keys yet: reads are open, writes need a key; make one with "
    "`sanctions-tracker keys create --role admin --name me`"
)


def _hint_if_no_keys() -> None:
    try:
        with get_sessionmaker().begin() as session:
            usable = keys.count_usable(session)
    except SQLAlchemyError:
        return  # not migrated (`serve --no-migrate`): the app's /readyz says so
    if usable == 0:
        logger.warning(FIRST_KEY_HINT)


def _db_upgrade(args: argparse.Namespace) -> int:
    migrations.upgrade(get_engine(), args.revision)
    print(f"database at {migrations.current_revision(get_engine())}")
    return 0


def _db_downgrade(args: argparse.Namespace) -> int:
    migrations.downgrade(get_engine(), args.revision)
    print(f"database at {migrations.current_revision(get_engine())}")
    return 0


def _seed(args: argparse.Namespace) -> int:
    with get_sessionmaker().begin() as session:
        result = load_seed(session)
    _print_counts(result.model_dump())
    return 0


def _import(args: argparse.Namespace) -> int:
    try:
        payload = json.loads(Path(args.file).read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as problem:
        print(f"cannot read {args.file}: {problem}", file=sys.stderr)
        return 2
    try:
        # Takes SQLite's write lock up front: a server writing meanwhile makes it wait, not fail.
        with writing_session(get_sessionmaker()) as session, session.begin():
            result = bundles.import_bundle(session, payload, dry_run=args.dry_run, consume=True)
    except ValidationFailed as failure:
        print(failure.detail, file=sys.stderr)
        for error in failure.errors or []:
            print(f"  {error.pointer or '/'}: {error.message}", file=sys.stderr)
        return 1
    _print_counts(result.model_dump())
    return 0


def _export(args: argparse.Namespace) -> int:
    with get_sessionmaker().begin() as session:
        bundle = bundles.export_bundle(session)
    text = json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"
    if args.file in (None, "-"):
        sys.stdout.write(text)
    else:
        Path(args.file).write_text(text, "utf-8")
        print(f"exported to {args.file}", file=sys.stderr)
    return 0


def _generate(args: argparse.Namespace) -> int:
    from sanctions_tracker import generator
    from sanctions_tracker.generator import writer

    plan = generator.Plan(engagements=args.engagements, rounds=args.rounds, seed=args.seed)
    started = time.perf_counter()
    if args.out is not None:
        if args.out == "-":
            counts = writer.write_bundle(generator.records(plan), sys.stdout)
        else:
            with open(args.out, "w", encoding="utf-8") as out:
                counts = writer.write_bundle(generator.records(plan), out)
        verb = "generated"
    else:
        migrations.upgrade(get_engine())
        try:
            counts = writer.write_into(
                generator.records(plan), get_sessionmaker(), progress=writer.stderr_progress
            )
        except ValidationFailed as failure:  # a bug of the generator: its records must pass
            print(failure.detail, file=sys.stderr)
            for error in (failure.errors or [])[:20]:
                print(f"  {error.pointer or '/'}: {error.message}", file=sys.stderr)
            return 1
        verb = "imported"
    elapsed = time.perf_counter() - started
    total = sum(counts.values())
    listed = ", ".join(f"{name} {count}" for name, count in counts.items())
    rate = total / max(elapsed, 1e-9)
    print(f"{verb} {total} records ({listed}) in {elapsed:.1f} s, {rate:,.0f}/s", file=sys.stderr)
    return 0


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of 0 or more")
    return number


def _extract(args: argparse.Namespace) -> int:
    from sanctions_tracker.extraction import service as extraction
    from sanctions_tracker.extraction.schemas import ExtractRequest

    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
        request = ExtractRequest(
            text=text,
            published_on=args.published_on,
            publisher=args.publisher,
            title=args.title,
            url=args.url,
        )
    except (OSError, UnicodeDecodeError, ValueError) as problem:
        print(f"cannot read {args.file}: {problem}", file=sys.stderr)
        return 2
    if not _schema_is_current():
        return 1
    with get_sessionmaker().begin() as session:
        result = extraction.extract_draft(session, request)
    sys.stdout.write(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
    sys.stdout.write("\n")
    return 0


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _schema_is_current() -> bool:
    # Alembic announces its context at INFO on every look; the keys commands print plainly.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    current, head = migrations.current_revision(get_engine()), migrations.head_revision()
    if current != head:
        print(
            f"the database is at revision {current}, not {head}: "
            "run `sanctions-tracker db upgrade` first",
            file=sys.stderr,
        )
    return current == head


def _keys_create(args: argparse.Namespace) -> int:
    if not _schema_is_current():
        return 1
    try:
        with writing_session(get_sessionmaker()) as session, session.begin():
            key, secret = keys.create_key(
                session,
                name=args.name,
                role=Role(args.role),
                expires_at=keys.expiry_in(args.expires_in),
            )
    except Conflict as conflict:
        print(conflict.detail, file=sys.stderr)
        return 1
    expires = _when(key.expires_at, "never")
    print(f"created {key.role} key {key.name!r} (prefix {key.prefix}, expires {expires})")
    print("the key is shown only this once; only its hash is stored:")
    print(secret)
    return 0


def _keys_list(args: argparse.Namespace) -> int:
    if not _schema_is_current():
        return 1
    with get_sessionmaker().begin() as session:
        rows = [
            [
                key.name,
                key.role,
                key.prefix,
                keys.status(key),
                _when(key.created_at),
                _when(key.last_used_at),
                _when(key.expires_at),
                _when(key.revoked_at),
            ]
            for key in keys.list_keys(session)
        ]
    if not rows:
        print("no API keys; make one with `sanctions-tracker keys create --role ROLE --name NAME`")
        return 0
    header = ["name", "role", "prefix", "status", "created", "last used", "expires", "revoked"]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0


def _keys_revoke(args: argparse.Namespace) -> int:
    if not _schema_is_current():
        return 1
    try:
        with writing_session(get_sessionmaker()) as session, session.begin():
            key = keys.revoke_key(session, args.name)
            revoked_at = key.revoked_at
    except NotFound as missing:
        print(missing.detail, file=sys.stderr)
        return 1
    print(f"revoked key {args.name!r} at {_when(revoked_at)}")
    return 0


def _when(moment: datetime | None, absent: str = "-") -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else absent


def _key_name(value: str) -> str:
    if not keys.NAME_PATTERN.fullmatch(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a valid key name: {keys.NAME_RULE}")
    return value


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_EXPIRY_DAYS:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a whole number of days from 1 to {MAX_EXPIRY_DAYS}"
        )
    return days


def _print_counts(result: dict[str, Any]) -> None:
    prefix = "dry run: " if result.get("dry_run") else ""
    for outcome in ("created", "updated", "unchanged"):
        counts = ", ".join(f"{name} {count}" for name, count in result[outcome].items() if count)
        print(f"{prefix}{outcome}: {counts or 'nothing'}")


def _worker(args: argparse.Namespace) -> int:
    """Send webhook deliveries until SIGINT or SIGTERM (the attempt under way is finished)."""
    import signal

    from sanctions_tracker.observability import logs
    from sanctions_tracker.webhooks.worker import Worker, units

    settings = get_settings()
    logging.config.dictConfig(logs.logging_config(settings.log_format, settings.log_level))
    worker = Worker(units(get_sessionmaker()), settings)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: worker.request_stop())
    logger.info("webhook worker started")
    worker.run()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sanctions-tracker",
        description="Sanctions Diplomacy Tracker. The database is SANCTIONS_TRACKER_DATABASE_URL "
        "(default: a SQLite file in ./data).",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, seed an empty store, and serve the API")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", "1")),
        help="worker processes (default: WEB_CONCURRENCY or 1)",
    )
    serve.add_argument("--no-migrate", action="store_true", help="do not migrate before serving")
    serve.add_argument("--no-seed", action="store_true", help="do not seed an empty store")
    serve.set_defaults(handler=_serve)

    worker = commands.add_parser(
        "worker", help="send webhook deliveries (beside servers run with the in-app sender off)"
    )
    worker.set_defaults(handler=_worker)

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db", required=True)
    upgrade = db.add_parser("upgrade", help="apply the Alembic migrations")
    upgrade.add_argument("--revision", default="head")
    upgrade.set_defaults(handler=_db_upgrade)
    downgrade = db.add_parser("downgrade", help="undo migrations (default: all of them)")
    downgrade.add_argument("--revision", default="base")
    downgrade.set_defaults(handler=_db_downgrade)

    seed = commands.add_parser("seed", help="load the packaged seed bundle (idempotent)")
    seed.set_defaults(handler=_seed)

    importer = commands.add_parser("import", help="import a bundle file, all or nothing")
    importer.add_argument("file", help="a sanctions-tracker-bundle/1 JSON file")
    importer.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    importer.set_defaults(handler=_import)

    exporter = commands.add_parser("export", help="export the whole store as a bundle")
    exporter.add_argument("file", nargs="?", help="output file (default: standard output)")
    exporter.set_defaults(handler=_export)

    extractor = commands.add_parser(
        "extract", help="draft engagements and sanctions rounds from an article (stores nothing)"
    )
    extractor.add_argument("file", help="a UTF-8 text file (- for standard input)")
    extractor.add_argument(
        "--published-on", type=_date, required=True, metavar="DATE", help="YYYY-MM-DD"
    )
    extractor.add_argument("--publisher")
    extractor.add_argument("--title")
    extractor.add_argument("--url")
    extractor.set_defaults(handler=_extract)

    generate = commands.add_parser(
        "generate",
        help="make a reproducible realistic data set: a bundle file, or straight into the store",
    )
    generate.add_argument("--engagements", type=_count, required=True, metavar="N")
    generate.add_argument("--rounds", type=_count, required=True, metavar="M")
    generate.add_argument("--seed", type=int, required=True, metavar="S")
    target = generate.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", metavar="FILE", help="write a bundle file (- for standard output)")
    target.add_argument(
        "--into",
        action="store_true",
        help="import into the store (SANCTIONS_TRACKER_DATABASE_URL), migrating it first",
    )
    generate.set_defaults(handler=_generate)

    key_commands = commands.add_parser(
        "keys", help="API keys: create, list, revoke"
    ).add_subparsers(dest="keys", required=True)
    create = key_commands.add_parser(
        "create", help="make a key and print it (alone, on the last line); it is shown only once"
    )
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--name", required=True, type=_key_name, help=keys.NAME_RULE)
    create.add_argument(
        "--expires-in", type=_days, metavar="DAYS", help="the key stops working after DAYS days"
    )
    create.set_defaults(handler=_keys_create)
    lister = key_commands.add_parser("list", help="list the keys (never their secrets)")
    lister.set_defaults(handler=_keys_list)
    revoke = key_commands.add_parser("revoke", help="revoke a key, from its next request on")
    revoke.add_argument("name", type=_key_name)
    revoke.set_defaults(handler=_keys_revoke)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.handler not in (_serve, _worker):  # long-running: logs as the settings say
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    handler: Any = args.handler
    return int(handler(args))


if __name__ == "__main__":
    sys.exit(main())
