"""Safe concurrent edits against a real server over a committed database of each kind: of 50
PATCHes carrying the same ETag exactly one wins and the rest get 412; read-modify-write loops
that retry on 412 lose no increment; SQLite writers under contention get 2xx or 503, never 500.
"""

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from sanctions_tracker.models import Actor, SanctionsRound
from sanctions_tracker.models.trust import Change, Role
from sanctions_tracker.problems import PROBLEM_MEDIA_TYPE
from tests.servers import committed_store, key_headers, serving, serving_app

ROUND = {
    "key": "eu-2022-04-08-fifth-package",
    "title": "EU fifth package: coal import ban, port and road transport bans",
    "imposed_by": ["EU"],
    "targets": ["RU"],
    "announced_on": "2022-04-08",
    "designations": 0,
}
PATH = f"/v1/sanctions-rounds/{ROUND['key']}"

SAME_ETAG_PATCHES = 50
WORKERS = 6
INCREMENTS = 10  # per worker


def run_together(count: int, send: Callable[[httpx.Client, int], Any]) -> list[Any]:
    """`send(client, i)` for i in 0..count-1, each in its own thread with its own connection,
    released at the same moment."""
    start = threading.Barrier(count)

    def one(i: int) -> Any:
        with httpx.Client(timeout=60) as http:
            start.wait()
            return send(http, i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def test_of_fifty_patches_with_the_same_etag_exactly_one_wins(backend: str, tmp_path: Path) -> None:
    # SQLite lets one write through at a time; a generous wait keeps a slow (loaded) machine
    # from turning the last of the fifty into 503s, which is the wait's own test's subject.
    with committed_store(backend, str(tmp_path), busy_timeout=60) as sessions:
        editor = key_headers(sessions)
        admin = key_headers(sessions, Role.admin)
        with serving(serving_app(sessions)) as url, httpx.Client(base_url=url, timeout=60) as http:
            assert http.post("/v1/sanctions-rounds", json=ROUND, headers=editor).status_code == 201
            read = http.get(PATH)
            assert read.status_code == 200
            etag = read.headers["etag"]

            def patch(client: httpx.Client, i: int) -> httpx.Response:
                return client.patch(
                    f"{url}{PATH}",
                    json={"designations": i + 1},
                    headers=editor | {"If-Match": etag},
                )

            answers = run_together(SAME_ETAG_PATCHES, patch)

            assert Counter(answer.status_code for answer in answers) == {
                200: 1,
                412: SAME_ETAG_PATCHES - 1,
            }, [answer.text for answer in answers if answer.status_code not in (200, 412)]
            [winner] = [i for i, answer in enumerate(answers) if answer.status_code == 200]
            for answer in answers:
                if answer.status_code == 412:
                    assert answer.headers["content-type"] == PROBLEM_MEDIA_TYPE
                    assert answer.json()["type"] == "/problems/precondition-failed"
            final = http.get(PATH)
            assert final.json()["designations"] == winner + 1
            assert final.json()["version"] == read.json()["version"] + 1
            assert final.headers["etag"] == answers[winner].headers["etag"] != etag
            history = http.get(f"{PATH}/history", headers=admin).json()
            assert [entry["action"] for entry in history["items"]] == ["create", "update"]
            assert history["items"][1]["record"]["designations"] == winner + 1


def test_read_modify_write_loops_that_retry_on_412_lose_no_increment(
    backend: str, tmp_path: Path
) -> None:
    with committed_store(backend, str(tmp_path), busy_timeout=60) as sessions:
        editor = key_headers(sessions)
        admin = key_headers(sessions, Role.admin)
        with serving(serving_app(sessions)) as url, httpx.Client(base_url=url, timeout=60) as http:
            assert http.post("/v1/sanctions-rounds", json=ROUND, headers=editor).status_code == 201

            def increment(client: httpx.Client, _: int) -> Counter[int]:
                statuses: Counter[int] = Counter()
                done = 0
                while done < INCREMENTS:
                    read = client.get(f"{url}{PATH}")
                    assert read.status_code == 200, read.text
                    changed = client.patch(
                        f"{url}{PATH}",
                        json={"designations": read.json()["designations"] + 1},
                        headers=editor | {"If-Match": read.headers["etag"]},
                    )
                    statuses[changed.status_code] += 1
                    assert changed.status_code in (200, 412), changed.text
                    done += changed.status_code == 200
                return statuses

            statuses = sum(run_together(WORKERS, increment), Counter())

            total = WORKERS * INCREMENTS
            assert statuses[200] == total
            final = http.get(PATH).json()
            assert final["designations"] == total
            assert final["version"] == 1 + total
            history = http.get(f"{PATH}/history", params={"limit": 500}, headers=admin).json()
            assert history["total"] == 1 + total
            updates = [entry for entry in history["items"] if entry["action"] == "update"]
            assert [entry["record"]["designations"] for entry in updates] == list(
                range(1, total + 1)
            )
            assert [entry["version"] for entry in history["items"]] == list(range(1, total + 2))
        with sessions() as session:
            changes = session.scalars(
                select(Change.action).where(
                    Change.record_type == "sanctions_rounds", Change.record_key == ROUND["key"]
                )
            ).all()
            assert Counter(changes) == {"create": 1, "update": total}
            stored = session.scalars(select(SanctionsRound.designations)).one()
            assert stored == total


SQLITE_WRITERS = 10
WRITES_EACH = 6
BUSY_TIMEOUT = 0.2  # seconds a write waits for SQLite's write lock before its 503
HELD_AT_MOST = 30.0  # seconds another connection may keep the write lock while writers start


def test_sqlite_writers_under_contention_get_2xx_or_503_never_500(tmp_path: Path) -> None:
    """Ten threads create, change and delete records at once while, at first, another
    connection holds the write lock until each thread's first write has been answered: the writes that cannot
    get the lock are told to come back (503 with Retry-After), the others succeed, none fails
    with a 500, and exactly the records whose creation succeeded are stored."""
    with committed_store("sqlite", str(tmp_path), busy_timeout=BUSY_TIMEOUT) as sessions:
        editor = key_headers(sessions)
        database = sessions.kw["bind"].url.database
        with serving(serving_app(sessions)) as url:
            first_answers = threading.Semaphore(0)

            def write(client: httpx.Client, worker: int) -> list[httpx.Response]:
                answers = []
                for n in range(WRITES_EACH):
                    key = f"writer-{worker}-{n}"
                    body = {"key": key, "name": f"Writer {worker}.{n}", "country": "GB"}
                    created = client.post(f"{url}/v1/actors", json=body, headers=editor)
                    answers.append(created)
                    if n == 0:
                        first_answers.release()
                    if created.status_code != 201:
                        continue
                    actor = f"{url}/v1/actors/{key}"
                    answers.append(client.patch(actor, json={"country": "FR"}, headers=editor))
                    if n % 2:
                        answers.append(client.delete(actor, headers=editor))
                return answers

            # Another process's writer, as far as the server can tell.
            blocker = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
            blocker.execute("BEGIN IMMEDIATE")

            def hold() -> None:
                """Keep the lock until every writer's first write was answered (or a while)."""
                deadline = time.monotonic() + HELD_AT_MOST
                for _ in range(SQLITE_WRITERS):
                    first_answers.acquire(timeout=max(0.0, deadline - time.monotonic()))
                blocker.rollback()

            holder = threading.Thread(target=hold)
            holder.start()
            try:
                batches = run_together(SQLITE_WRITERS, write)
            finally:
                holder.join()
                blocker.close()
        with sessions() as session:
            stored = set(session.scalars(select(Actor.key)))

    answers = [answer for batch in batches for answer in batch]
    statuses = Counter(answer.status_code for answer in answers)
    assert set(statuses) <= {200, 201, 204, 503}, statuses
    assert statuses[503] >= SQLITE_WRITERS  # every first write met the held lock
    assert statuses[201] > 0
    for answer in answers:
        if answer.status_code == 503:
            assert answer.headers["content-type"] == PROBLEM_MEDIA_TYPE
            assert answer.json()["type"] == "/problems/service-unavailable"
            assert int(answer.headers["retry-after"]) >= 1
    created = {a.json()["key"] for a in answers if a.status_code == 201}
    deleted = {a.request.url.path.rpartition("/")[2] for a in answers if a.status_code == 204}
    assert stored == created - deleted
