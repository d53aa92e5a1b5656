"""The seed data: the Reuters story of 1 April 2022 and the sanctions rounds of its period."""

import json
from importlib.resources import files
from typing import Any

from sqlalchemy.orm import Session

from sanctions_tracker.bundles import service as bundles
from sanctions_tracker.bundles.schemas import ImportResult

SEED_FILE = "seed-bundle.json"


def seed_bundle() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((files(__package__) / SEED_FILE).read_text("utf-8"))
    return data


def load_seed(session: Session) -> ImportResult:
    """Through the same import path as any bundle, so loading it twice changes nothing."""
    return bundles.import_bundle(session, seed_bundle())


def seed_if_empty(session: Session) -> ImportResult | None:
    if not bundles.is_empty(session):
        return None
    return load_seed(session)
