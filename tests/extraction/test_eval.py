"""The extractor's precision and recall on the eval texts stay at or above the floors that the
README's Extraction table states (read from the README, so the two cannot drift apart)."""

import re
from pathlib import Path

import pytest

from sanctions_tracker.extraction.evaluate import MEASURES, Score, evaluate

ROOT = Path(__file__).parents[2]
CASES = Path(__file__).parent / "cases"


def stated_floors() -> dict[str, float]:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Extraction", 1)[1].split("\n## ", 1)[0]
    floors = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] in MEASURES:
            floors[cells[0]] = float(cells[4])
    return floors


@pytest.fixture(scope="module")
def scores() -> dict[str, Score]:
    return evaluate(CASES)


def test_the_readme_states_a_floor_for_every_measure() -> None:
    assert set(stated_floors()) == set(MEASURES)


def test_there_are_at_least_thirty_texts_each_with_its_expectations() -> None:
    texts = sorted(path.stem for path in CASES.glob("*.txt"))
    assert len(texts) >= 30
    assert texts == sorted(path.stem for path in CASES.glob("*.json"))


@pytest.mark.parametrize("measure", MEASURES)
def test_scores_are_at_or_above_the_stated_floor(scores: dict[str, Score], measure: str) -> None:
    floor = stated_floors()[measure]
    score = scores[measure]
    assert score.expected > 0
    assert score.precision >= floor, f"{measure} precision {score.precision:.2f} < {floor}"
    assert score.recall >= floor, f"{measure} recall {score.recall:.2f} < {floor}"


def test_the_scoring_counts_what_it_should() -> None:
    score = Score()
    score.add(["a", "a", "b"], ["a", "c"])
    assert (score.found, score.expected, score.right) == (3, 2, 1)
    assert (round(score.precision, 2), score.recall) == (0.33, 0.5)
    assert re.fullmatch(r"\d\.\d\d", f"{score.precision:.2f}")
