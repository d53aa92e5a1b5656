"""The servers under test, each in its own process: `sanctions-tracker serve` and Datasette.

Each is started on a free random high port, waited for until it answers, and stopped (SIGTERM,
then SIGKILL after a grace period) when the block ends; its output goes to a log file under
`benchmarks/.data/logs/`."""

import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks import paths

PORTS = range(18000, 20000)


@dataclass(frozen=True)
class Server:
    pid: int
    port: int
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def free_port() -> int:
    """A random port in 18000-19999 that nothing listens on now."""
    for _ in range(200):
        port = random.choice(PORTS)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18000-19999")


def tracker_command() -> str:
    """The project's `sanctions-tracker`, beside the Python running the harness."""
    return str(Path(sys.executable).parent / "sanctions-tracker")


def get(server: Server, path: str, timeout: float = 30.0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _wait_until_ready(
    process: subprocess.Popen[bytes], server: Server, path: str, log: Path
) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}; see {log}")
        try:
            status, _ = get(server, path, timeout=5)
        except OSError:
            status = 0
        if status == 200:
            return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer 200 on {path} within 180 s; see {log}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    # The server is the leader of a session of its own (start_new_session), so its workers
    # get the signal with it; nothing else is in that group.
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@contextmanager
def serving(
    command: Sequence[str], env: dict[str, str], ready_path: str, log_name: str, port: int
) -> Iterator[Server]:
    log = paths.LOGS / f"{log_name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(
            list(command),
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        server = Server(process.pid, port)
        try:
            _wait_until_ready(process, server, ready_path, log)
            yield server
        finally:
            _stop(process)


def tracker_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a benchmarked server: the bench database, no rate limits (16
    connections from one address would hit them at once), a large import limit."""
    env = dict(os.environ)
    env.update(
        {
            "SANCTIONS_TRACKER_DATABASE_URL": database_url,
            "SANCTIONS_TRACKER_RATE_LIMIT_PER_MINUTE": "0",
            "SANCTIONS_TRACKER_ANONYMOUS_RATE_LIMIT_PER_MINUTE": "0",
            "SANCTIONS_TRACKER_MAX_IMPORT_BYTES": str(4 * 1024**3),
        }
    )
    env.update(settings)
    return env


@contextmanager
def tracker(
    database_url: str, workers: int, log_name: str, *, no_seed: bool = False
) -> Iterator[Server]:
    """`sanctions-tracker serve` as in production (migrates, seeds only an empty store)."""
    port = free_port()
    command = [tracker_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)] + (["--no-seed"] if no_seed else [])
    with serving(command, tracker_env(database_url), "/readyz", log_name, port) as server:
        yield server


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields start after the last ')'.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def process_tree(pid: int) -> list[int]:
    """`pid` and every process below it."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(_children(current))
    return tree


def memory_kib(pid: int) -> dict[str, int]:
    """VmHWM (peak resident) and VmRSS of one process, in KiB (0 when it is gone)."""
    found = {"VmHWM": 0, "VmRSS": 0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in found:
                found[name] = int(value.split()[0])
    except OSError:
        pass
    return found


def peak_memory_mib(pid: int) -> float:
    """The highest peak resident memory of any process of the server (a worker serves a
    request alone, so the largest worker's peak is the request's)."""
    return max(memory_kib(each)["VmHWM"] for each in process_tree(pid)) / 1024
