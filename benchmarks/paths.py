"""Where the benchmark keeps its files, relative to the repository (`make bench` runs there)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
DATA = BENCH / ".data"  # built stores, bundles, logs: git-ignored
LOGS = DATA / "logs"
RESULTS = BENCH / "results"
DATASETTE_VENV = BENCH / ".venv-datasette"
DATASETTE_REQUIREMENTS = BENCH / "requirements-datasette.txt"


def shown(path: Path) -> str:
    """`path` relative to the repository, for messages."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)
