"""The load generator: a fixed list of GET requests sent over N keep-alive HTTP/1.1 connections.

It runs as its own process (`python -m benchmarks.load`, a JSON spec on standard input, a JSON
result on standard output) so that the client's work never shares an interpreter with the
harness. It uses the standard library only: asyncio protocols and a small incremental response
parser (Content-Length and chunked bodies), which costs far less per request than a full HTTP
client, so the server and not the client sets the pace. `ceiling` in the harness checks that
against the cheapest endpoint.

Latency is measured per request, from the moment its bytes are handed to the socket to the
moment its last byte is parsed. The warm-up requests are sent first, over the same connections,
and not counted.
"""

import asyncio
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TIMEOUT = 300.0


class ResponseParser:
    """Reads one HTTP/1.1 response at a time from the bytes fed to it; keeps only the head."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.reset()

    def reset(self) -> None:
        self.status = 0
        self.head: bytes | None = None
        self.keep_alive = True
        self.length: int | None = None  # bytes of body still to come (Content-Length)
        self.chunked = False
        self.chunk_left: int | None = None  # bytes of the current chunk, CRLF included
        self.in_trailer = False
        self.body_bytes = 0
        self.until_close = False
        self.complete = False

    def feed(self, data: bytes) -> bool:
        """Take more bytes; true once the response is complete. Bytes after it stay buffered
        for the next response (read after `reset`)."""
        self.buffer += data
        if self.complete:
            return False
        self.complete = self._advance()
        return self.complete

    def eof(self) -> bool:
        """The connection closed: true if that ends a response read until close."""
        return self.until_close and self.head is not None

    def _advance(self) -> bool:
        if self.head is None and not self._read_head():
            return False
        if self.length is not None:
            taken = min(self.length, len(self.buffer))
            del self.buffer[:taken]
            self.length -= taken
            self.body_bytes += taken
            return self.length == 0
        if self.chunked:
            return self._read_chunks()
        # Neither length nor chunked: the body runs until the server closes the connection.
        self.body_bytes += len(self.buffer)
        self.buffer.clear()
        return False

    def _read_head(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self.buffer[:end])
        del self.buffer[: end + 4]
        self.head = head
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise ValueError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
        self.status = int(parts[1])
        self.keep_alive = parts[0] != b"HTTP/1.0"
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                self.length = int(value)
            elif name == b"transfer-encoding" and value.endswith(b"chunked"):
                self.chunked = True
            elif name == b"connection":
                if value == b"close":
                    self.keep_alive = False
                elif value == b"keep-alive":
                    self.keep_alive = True
        if self.chunked:
            self.length = None
        elif self.length is None and (self.status in (204, 304) or 100 <= self.status < 200):
            self.length = 0
        elif self.length is None:
            self.until_close = True
            self.keep_alive = False
        return True

    def _read_chunks(self) -> bool:
        while True:
            if self.in_trailer:
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    return False
                del self.buffer[: end + 2]
                if end == 0:
                    return True  # the empty line after the last chunk (and any trailers)
                continue
            if self.chunk_left is None:
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    return False
                size = int(bytes(self.buffer[:end]).split(b";", 1)[0].strip(), 16)
                del self.buffer[: end + 2]
                if size == 0:
                    self.in_trailer = True
                    continue
                self.chunk_left = size + 2
                self.body_bytes += size
            taken = min(self.chunk_left, len(self.buffer))
            del self.buffer[:taken]
            self.chunk_left -= taken
            if self.chunk_left:
                return False
            self.chunk_left = None


@dataclass
class Outcome:
    status: int  # 0: no answer (the error says why)
    seconds: float
    body_bytes: int
    error: str | None = None


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = ResponseParser()
        self.waiter: asyncio.Future[float] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            done = self.parser.feed(data)
        except ValueError as problem:
            self._fail(problem)
            return
        if done and self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(time.perf_counter())

    def eof_received(self) -> bool | None:
        if self.parser.eof() and self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(time.perf_counter())
        self.closed = True
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(exc or ConnectionError("the server closed the connection"))

    def _fail(self, problem: BaseException) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(problem)

    async def exchange(self, raw: bytes, timeout: float) -> Outcome:
        assert self.transport is not None
        self.parser.reset()
        self.waiter = asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        self.transport.write(raw)
        finished = await asyncio.wait_for(self.waiter, timeout)
        if not self.parser.keep_alive:
            self.closed = True
            self.transport.close()
        return Outcome(self.parser.status, finished - started, self.parser.body_bytes)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


@dataclass
class Spec:
    host: str
    port: int
    requests: list[str]  # paths with their query strings
    warmup: list[str] = field(default_factory=list)
    concurrency: int = 16
    timeout: float = DEFAULT_TIMEOUT
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Spec":
        return cls(**data)


def encode_request(host: str, port: int, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Accept: */*"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _drive(spec: Spec, paths: Sequence[str]) -> tuple[list[Outcome], float, float]:
    loop = asyncio.get_running_loop()
    raws = [encode_request(spec.host, spec.port, path, spec.headers) for path in paths]
    outcomes: list[Outcome | None] = [None] * len(raws)
    pending: Iterator[int] = iter(range(len(raws)))

    async def worker() -> None:
        connection: _Connection | None = None
        try:
            for index in pending:
                try:
                    if connection is None or connection.closed:
                        if connection is not None:
                            connection.close()
                        _, connection = await loop.create_connection(
                            _Connection, spec.host, spec.port
                        )
                    outcomes[index] = await connection.exchange(raws[index], spec.timeout)
                except (OSError, ValueError, TimeoutError) as problem:
                    error = f"{type(problem).__name__}: {problem}"
                    outcomes[index] = Outcome(0, 0.0, 0, error)
                    if connection is not None:
                        connection.close()
                    connection = None
        finally:
            if connection is not None:
                connection.close()

    cpu, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(max(1, min(spec.concurrency, len(raws))))))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return [outcome for outcome in outcomes if outcome is not None], elapsed, cpu


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarize(outcomes: Sequence[Outcome], elapsed: float, cpu: float) -> dict[str, Any]:
    """Counts, requests per second and latency percentiles (ms) of a timed run."""
    answered = sorted(outcome.seconds for outcome in outcomes if outcome.status)
    statuses = Counter(str(outcome.status) for outcome in outcomes)
    failures = [outcome for outcome in outcomes if outcome.status != 200]
    samples = sorted({outcome.error or f"HTTP {outcome.status}" for outcome in failures})[:5]
    return {
        "requests": len(outcomes),
        "ok": statuses.get("200", 0),
        "errors": len(failures),
        "statuses": dict(sorted(statuses.items())),
        "error_samples": samples,
        "elapsed_s": elapsed,
        "rps": len(outcomes) / elapsed if elapsed > 0 else 0.0,
        "p50_ms": percentile(answered, 0.50) * 1000,
        "p90_ms": percentile(answered, 0.90) * 1000,
        "p99_ms": percentile(answered, 0.99) * 1000,
        "max_ms": (answered[-1] if answered else 0.0) * 1000,
        "mean_ms": (sum(answered) / len(answered) if answered else 0.0) * 1000,
        "body_bytes": sum(outcome.body_bytes for outcome in outcomes),
        "client_cpu": cpu / elapsed if elapsed > 0 else 0.0,
    }


async def _run(spec: Spec) -> dict[str, Any]:
    if spec.warmup:
        await _drive(spec, spec.warmup)
    outcomes, elapsed, cpu = await _drive(spec, spec.requests)
    result = summarize(outcomes, elapsed, cpu)
    result["concurrency"] = spec.concurrency
    result["warmup"] = len(spec.warmup)
    return result


def run(spec: Spec) -> dict[str, Any]:
    """Send the warm-up requests, then the timed ones; the timed run's summary."""
    return asyncio.run(_run(spec))


def main() -> int:
    spec = Spec.from_json(json.load(sys.stdin))
    json.dump(run(spec), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
