"""The benchmark harness itself (`make bench`): its load generator counts and times what a tiny
server answers, its response parser reads every framing, and its table renders the targets."""

import asyncio
import threading
from collections.abc import Iterator

import pytest

from benchmarks import report, scenarios
from benchmarks.load import ResponseParser, Spec, percentile, run

CHUNKED = b"4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\n\r\n"


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A keep-alive server: /bytes/N answers N bytes, /chunked 7 bytes in chunks, /close
    closes the connection after its answer, anything else is a 404 of 9 bytes."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ")[1].decode()
            if path.startswith("/bytes/"):
                size = int(path.removeprefix("/bytes/"))
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size + b"x" * size)
            elif path == "/chunked":
                writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + CHUNKED)
            elif path == "/close":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                await writer.drain()
                break
            else:
                writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found")
            await writer.drain()
    except asyncio.IncompleteReadError:
        pass
    finally:
        writer.close()


@pytest.fixture
def tiny_server() -> Iterator[int]:
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(asyncio.start_server(_answer, "127.0.0.1", 0))
    port = server.sockets[0].getsockname()[1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()


def test_load_generator_counts_statuses_bytes_and_percentiles(tiny_server: int) -> None:
    requests = ["/bytes/10", "/chunked", "/missing", "/close", "/bytes/100000"] * 40
    result = run(
        Spec(
            host="127.0.0.1",
            port=tiny_server,
            requests=requests,
            warmup=["/bytes/1"] * 7,
            concurrency=4,
        )
    )
    assert result["requests"] == 200
    assert result["ok"] == 160
    assert result["errors"] == 40
    assert result["statuses"] == {"200": 160, "404": 40}
    assert result["error_samples"] == ["HTTP 404"]
    assert result["body_bytes"] == 40 * (10 + 7 + 9 + 2 + 100_000)
    assert result["warmup"] == 7
    assert result["concurrency"] == 4
    assert 0 < result["p50_ms"] <= result["p90_ms"] <= result["p99_ms"] <= result["max_ms"]
    assert result["rps"] == pytest.approx(200 / result["elapsed_s"])


def test_load_generator_reports_a_server_that_is_gone() -> None:
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(asyncio.start_server(_answer, "127.0.0.1", 0))
    port = server.sockets[0].getsockname()[1]
    server.close()
    loop.run_until_complete(server.wait_closed())
    loop.close()
    result = run(Spec(host="127.0.0.1", port=port, requests=["/bytes/1"] * 3, concurrency=2))
    assert result["requests"] == 3
    assert result["ok"] == 0
    assert result["errors"] == 3
    assert result["statuses"] == {"0": 3}
    assert result["error_samples"][0].startswith("ConnectionRefusedError")


def test_parser_reads_byte_by_byte_and_keeps_the_next_response() -> None:
    stream = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Trailer: yes\r\n\r\n"
        + CHUNKED[:-2]
        + b"Checksum: 1\r\n\r\n"
        + b"HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n"
    )
    parser = ResponseParser()
    completed = [index for index in range(len(stream)) if parser.feed(stream[index : index + 1])]
    first_end = stream.index(b"HTTP/1.1 304")
    assert completed == [first_end - 1]
    assert (parser.status, parser.body_bytes, parser.keep_alive) == (200, 7, True)
    parser.reset()
    assert parser.feed(b"") is True  # the 304 was already buffered: no body to wait for
    assert (parser.status, parser.body_bytes) == (304, 0)


def test_percentile_is_nearest_rank() -> None:
    values = [float(value) for value in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) == 0.0


def test_urls_ask_the_api_and_datasette_the_same_question() -> None:
    request = {"country": "US", "kind": "call", "from": "2022-01-01", "to": "2022-12-31"}
    assert scenarios.api_path("2", request) == (
        "/v1/engagements?country=US&kind=call&from=2022-01-01&to=2022-12-31&limit=50"
    )
    assert scenarios.datasette_path("2", request, {}) == (
        "/bench/engagements.json?kind=call"
        "&_where=id+in+%28select+engagement_id+from+engagement_countries+where+country+%3D+%27US%27%29"
        "&_where=start_on+%3C%3D+%272022-12-31%27+and+coalesce%28end_on%2C+start_on%29+%3E%3D+%272022-01-01%27"
        "&_sort_desc=start_on&_size=50"
    )
    assert scenarios.api_path("1", {"key": "k-1"}) == "/v1/engagements/k-1"
    assert (
        scenarios.datasette_path("1", {"key": "k-1"}, {"k-1": 42}) == "/bench/engagements/42.json"
    )
    assert scenarios.api_path("5", {"q": "price cap"}) == "/v1/search?q=price+cap&limit=20"
    assert scenarios.datasette_path("5", {"q": "price cap"}, {}) == (
        "/bench/search_documents.json?_search=price+cap&_size=20"
    )
    deep = {"filter": {"kind": "call"}, "cursor": "abc", "page": 200}
    assert scenarios.api_path("3", deep) == "/v1/engagements?kind=call&limit=50&cursor=abc"


def test_deep_lists_are_the_largest_with_two_hundred_pages() -> None:
    kinds = [("call", 20_000), ("visit", 9_000)]
    countries = [("US", 30_000), ("GB", 10_000), ("FR", 9_950)]
    assert scenarios.deep_filters(kinds, countries) == [
        {"country": "US"},
        {"kind": "call"},
        {"country": "GB"},
    ]
    assert scenarios.deep_filters([("call", 10)], [("US", 20)]) == [{"country": "US"}]


def _loaded(rps: float, p50: float, p99: float, single: float, raw: float) -> dict[str, object]:
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "errors": 0,
        "single": {"p50_ms": single},
        "floor": {"p50_ms": raw},
    }


def test_the_table_renders_rows_ratios_and_verdicts() -> None:
    results = {
        "meta": {
            "date": "2026-01-01 00:00 UTC",
            "cores": 2,
            "cpu": "Test CPU",
            "memory_gib": 24.0,
            "python": "3.11.7",
            "sqlite": "3.40.1",
            "postgresql": "15.2",
            "engagements": 1000,
            "rounds": 20,
            "size": 1000,
            "rounds_asked": 20,
            "seed": 1,
            "generator": "generator 1, schema 0004",
            "records": 1500,
            "workers": 2,
            "concurrency": 16,
            "commit": "abc1234",
            "command": "python -m benchmarks.run --size 1000",
            "datasette": "0.65.5",
            "datasette_settings": "num_sql_threads=3",
        },
        "api": {
            "sqlite": {
                "1": _loaded(1200, 10.0, 30.0, 3.0, 1.5),
                "2": _loaded(600, 20, 60, 9, 6),
                "3": _loaded(100, 900, 1500, 50, 45),
                "3p1": _loaded(110, 800, 1400, 40, 35),
            },
            "postgresql": {"1": _loaded(500, 25.0, 70.0, 4.0, 2.5)},
        },
        "datasette": {"1": {"rps": 200.0, "p50_ms": 60.0, "p99_ms": 90.0, "errors": 0}},
        "ceiling": {"sqlite": {"rps": 5000.0, "client_cpu": 0.4}},
        "export": {
            "sqlite": {
                "records": 1000,
                "seconds": 0.01,
                "per_s": 100_000.0,
                "peak_mib": 150.0,
                "status": "HTTP 200",
            }
        },
        "import": {"sqlite": {"error": "HTTP 413"}},
        "skipped": {"PostgreSQL import": "not run"},
    }
    table = report.render(results)
    lines = table.splitlines()
    assert (
        "| 1 | one engagement by key | SQLite | 1,200 | 10.0 | 30.0 | 3.0 | 1.5 | 1.5 | 0 |"
        in lines
    )
    assert "|  |  | PostgreSQL | 500 | 25.0 | 70.0 | 4.0 | 2.5 | 1.5 | 0 |" in lines
    assert "|  |  | Datasette | 200 | 60.0 | 90.0 | - | - | - | 0 |" in lines
    assert "| 1: req/s >= 5x Datasette's (SQLite) | 6.00x | PASS |" in lines
    assert "| 2: req/s >= 5x Datasette's (SQLite) | - | not measured |" in lines
    assert (
        "| 2: API p50 at 1 connection - raw p50 <= 2 ms (SQLite) | 3.0 ms | MISS by 1.0 ms (1.50x the limit) |"
        in lines
    )
    assert "| 1: p99 <= 50 ms (PostgreSQL) | 70.0 ms | MISS by 20.0 ms (1.40x the limit) |" in lines
    assert (
        "| 1: PostgreSQL req/s at most 2x below SQLite's | 2.40x | MISS by 0.40x (1.20x the limit) |"
        in lines
    )
    assert (
        "| 3: page 200 as fast as page 1, p50 at 1 connection, ratio <= 1.25 (SQLite) | 1.25x | PASS |"
        in lines
    )
    assert "| 9: CSV >= 100k rows/s (SQLite) | 100,000 rows/s | PASS |" in lines
    assert "| 9: server peak < 300 MiB (SQLite) | 150 MiB | PASS |" in lines
    assert "| 10 | import a bundle over HTTP | SQLite | - | - | - | - | HTTP 413 |" in lines
    assert "- **PostgreSQL import skipped**: not run" in lines
    assert lines[0] == "## Benchmark of 2026-01-01 00:00 UTC"
