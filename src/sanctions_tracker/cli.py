"""The `sanctions-tracker` command: serve, migrate, seed, import and export."""

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sanctions_tracker import migrations
from sanctions_tracker.bundles import service as bundles
from sanctions_tracker.config import get_settings
from sanctions_tracker.db import get_engine, get_sessionmaker
from sanctions_tracker.problems import ValidationFailed
from sanctions_tracker.seed import load_seed, seed_if_empty

logger = logging.getLogger("sanctions_tracker")


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    if settings.migrate_on_start and not args.no_migrate:
        migrations.upgrade(get_engine())
    if settings.seed_on_start and not args.no_seed:
        with get_sessionmaker().begin() as session:
            result = seed_if_empty(session)
        if result is not None:
            logger.info("empty store seeded: %s", result.created)
    get_engine().dispose()
    uvicorn.run(
        "sanctions_tracker.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level,
        proxy_headers=True,
    )
    return 0


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
        with get_sessionmaker().begin() as session:
            result = bundles.import_bundle(session, payload, dry_run=args.dry_run)
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


def _print_counts(result: dict[str, Any]) -> None:
    prefix = "dry run: " if result.get("dry_run") else ""
    for outcome in ("created", "updated", "unchanged"):
        counts = ", ".join(f"{name} {count}" for name, count in result[outcome].items() if count)
        print(f"{prefix}{outcome}: {counts or 'nothing'}")


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    handler: Any = args.handler
    return int(handler(args))


if __name__ == "__main__":
    sys.exit(main())
