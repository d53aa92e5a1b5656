"""prometheus-client's multiprocess mode for `serve --workers N`, set up before any import of it.

Each worker writes its metrics to files in `PROMETHEUS_MULTIPROC_DIR` and `/metrics`, whichever
worker answers it, adds them up. The variable must be set before `prometheus_client` is first
imported in a worker, so `serve` calls `prepare` before uvicorn starts them; this module
imports nothing of prometheus-client itself."""

import os
import shutil
import tempfile
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def enabled() -> bool:
    return bool(os.environ.get(VARIABLE))


def prepare(workers: int) -> Path | None:
    """Empty the directory the operator named in `PROMETHEUS_MULTIPROC_DIR`, or, for several
    workers and none named, make one and name it there. Answers the directory made here, for
    `remove` once the server stops; None otherwise."""
    given = os.environ.get(VARIABLE)
    if given:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        # Files left by an earlier run would add its counts (and its dead workers' gauges) in.
        for leftover in directory.glob("*.db"):
            leftover.unlink()
        return None
    if workers <= 1:
        return None
    directory = Path(tempfile.mkdtemp(prefix="sanctions-tracker-metrics-"))
    os.environ[VARIABLE] = str(directory)
    return directory


def remove(directory: Path | None) -> None:
    """Remove the directory `prepare` made, with the variable that named it."""
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)
        if os.environ.get(VARIABLE) == str(directory):
            del os.environ[VARIABLE]
