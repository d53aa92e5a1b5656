"""Precision and recall of the extractor on texts with the records they should give.

Each case is a pair in one folder: `NAME.txt` (the text) and `NAME.json` (`published_on`,
optionally `publisher`, and the expected `engagements` and `sanctions_rounds`). The store is
the packaged seed, so the seed's people are matched and others are proposed under the slug of
their name. Four scores, each as precision (what was found that is right) and recall (what is
right that was found), counted over all cases:

- engagements: kind, start date, date precision and the set of participants all right;
- dates: each engagement's (start date, precision), whatever its kind;
- participants: each (actor, role) of each engagement;
- sanctions rounds: imposing and targeted countries, announcement date and status, and where
  the case lists them, the round's sectors and measures (as sets);
- actor countries: for the people a case lists under `actors` (key -> ISO code), the country
  the draft gives them (a person the draft does not propose at all counts as not found).

`python -m sanctions_tracker.extraction.evaluate tests/extraction/cases` prints the table."""

import json
import sys
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sanctions_tracker.extraction.context import Context, from_bundle
from sanctions_tracker.extraction.extractor import extract
from sanctions_tracker.seed import seed_bundle

MEASURES = ("engagements", "dates", "participants", "sanctions rounds", "actor countries")
ROUND_DETAILS = ("sectors", "measures")


@dataclass
class Score:
    found: int = 0
    expected: int = 0
    right: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0

    def add(self, found: Iterable[Hashable], expected: Iterable[Hashable]) -> None:
        got, want = Counter(found), Counter(expected)
        self.found += sum(got.values())
        self.expected += sum(want.values())
        self.right += sum((got & want).values())


def _engagement(record: dict[str, Any]) -> tuple[Any, ...]:
    people = frozenset(_actor(p) for p in record["participants"])
    return record["kind"], record["start_date"], record["date_precision"], people


def _actor(participant: Any) -> str:
    return participant["actor"] if isinstance(participant, dict) else str(participant)


def _pairs(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    pairs = []
    for record in records:
        for participant in record["participants"]:
            pairs.append((participant["actor"], participant["role"]))
    return pairs


def _round(record: dict[str, Any], details: tuple[str, ...]) -> tuple[Any, ...]:
    return (
        frozenset(record["imposed_by"]),
        frozenset(record["targets"]),
        record["announced_on"],
        record["status"],
        *(frozenset(record.get(name) or ()) for name in details),
    )


def score_case(text: str, expected: dict[str, Any], context: Context) -> dict[str, Score]:
    draft = extract(
        text,
        date.fromisoformat(expected["published_on"]),
        context,
        publisher=expected.get("publisher"),
    )
    got_e = draft.bundle["engagements"]
    want_e = expected.get("engagements", [])
    scores = {name: Score() for name in MEASURES}
    scores["engagements"].add(map(_engagement, got_e), map(_engagement, want_e))
    scores["dates"].add(
        ((r["start_date"], r["date_precision"]) for r in got_e),
        ((r["start_date"], r["date_precision"]) for r in want_e),
    )
    scores["participants"].add(_pairs(got_e), _pairs(want_e))
    want_r = expected.get("sanctions_rounds", [])
    # Sectors and measures count only in cases that state them for their rounds.
    details = tuple(name for name in ROUND_DETAILS if any(name in r for r in want_r))
    scores["sanctions rounds"].add(
        (_round(r, details) for r in draft.bundle["sanctions_rounds"]),
        (_round(r, details) for r in want_r),
    )
    countries = {actor["key"]: actor.get("country") for actor in draft.bundle["actors"]}
    want_a = expected.get("actors", {})
    scores["actor countries"].add(
        ((key, countries[key]) for key in want_a if key in countries), want_a.items()
    )
    return scores


def evaluate(folder: Path, context: Context | None = None) -> dict[str, Score]:
    context = context or from_bundle(seed_bundle())
    totals = {name: Score() for name in MEASURES}
    for expected_file in sorted(folder.glob("*.json")):
        text = expected_file.with_suffix(".txt").read_text("utf-8")
        expected = json.loads(expected_file.read_text("utf-8"))
        for name, score in score_case(text, expected, context).items():
            totals[name].found += score.found
            totals[name].expected += score.expected
            totals[name].right += score.right
    return totals


def table(scores: dict[str, Score]) -> str:
    lines = [f"{'measure':<18}{'precision':>10}{'recall':>8}{'found':>7}{'expected':>10}"]
    for name, score in scores.items():
        lines.append(
            f"{name:<18}{score.precision:>10.2f}{score.recall:>8.2f}"
            f"{score.found:>7}{score.expected:>10}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0] if args else "tests/extraction/cases")
    cases = len(list(folder.glob("*.json")))
    print(f"{cases} texts in {folder}")
    print(table(evaluate(folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
