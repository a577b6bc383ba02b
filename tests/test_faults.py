"""Faults injected into real processes, and what survives them.

Each test runs Wren as production does, web (gunicorn) and `fedi worker` processes over
PostgreSQL and Redis, on services of its own (tests/faults.py: a fresh database on the shared
PostgreSQL server, a private redis-server, a private PostgreSQL cluster), breaks something for
real, and checks precisely what the database and the other side saw:

a. a peer down for ten simulated days receives everything, in order, when it comes back, and
   its domain is paused and resumed as designed;
b. Redis flushed in the middle of deliveries loses none of them;
c. a worker killed (SIGKILL) in the middle of processing an inbound activity leaves nothing
   half-written, and the activity is processed again;
d. PostgreSQL restarted under load is survived by the web and worker processes;
e. a flood on the inboxes is answered 503 / 429 with Retry-After instead of growing the queue.

They need PostgreSQL (DATABASE_URL) and redis-server, and run once in CI, in the PostgreSQL pass
(marker `faults`).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from flask import Flask
from sqlalchemy import text

from tests import faults
from tests.faults import Wren, eventually
from tests.helpers import make_local, token_for

pytestmark = [pytest.mark.slow, pytest.mark.faults]


@pytest.fixture(scope="module")
def template(app: Flask, tmp_path_factory) -> Iterator[tuple[str, str]]:
    with faults.template_database(app, tmp_path_factory.mktemp("template")) as made:
        yield made


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[faults.PrivateRedis]:
    with faults.private_redis(tmp_path) as server:
        yield server


# --- d. PostgreSQL restarted under load -------------------------------------------------------


class Load:
    """Clients in threads: the author posts (retrying a 503 with the same Idempotency-Key, as
    Mastodon's apps do), the reader reads her home timeline; every answer is recorded."""

    def __init__(self, base: str, author_token: str, reader_token: str) -> None:
        self.base = base
        self.author = {"Authorization": f"Bearer {author_token}"}
        self.reader = {"Authorization": f"Bearer {reader_token}"}
        self.answers: list[tuple[float, str, int, str | None]] = []  # (at, kind, code, Retry-After)
        self.posted: dict[str, str] = {}  # Idempotency-Key -> status id
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._posting, daemon=True),
            *(threading.Thread(target=self._reading, daemon=True) for _ in range(2)),
        ]

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _record(self, kind: str, response: httpx.Response) -> None:
        self.answers.append(
            (time.monotonic(), kind, response.status_code, response.headers.get("Retry-After"))
        )

    def _posting(self) -> None:
        n = 0
        while not self.stopping.is_set():
            n += 1
            key = uuid.uuid4().hex
            while True:  # until it is posted: a client retries a 503
                response = httpx.post(
                    f"{self.base}/api/v1/statuses", timeout=15,
                    headers={**self.author, "Idempotency-Key": key},
                    json={"status": f"Under load, number {n}"},
                )  # fmt: skip
                self._record("post", response)
                if response.status_code == 200:
                    self.posted[key] = response.json()["id"]
                    break
                time.sleep(0.05)
            time.sleep(0.02)

    def _reading(self) -> None:
        while not self.stopping.is_set():
            response = httpx.get(f"{self.base}/api/v1/timelines/home", headers=self.reader,
                                 timeout=15)  # fmt: skip
            self._record("read", response)
            time.sleep(0.02)

    def between(self, start: float, end: float) -> list[tuple[float, str, int, str | None]]:
        return [a for a in self.answers if start <= a[0] < end]


def test_postgres_restarted_under_load_is_survived_by_web_and_worker(
    app: Flask, tmp_path: Path, redis: faults.PrivateRedis
) -> None:
    from fedi.services import follows

    with faults.private_cluster() as pg:
        faults.migrate(app, pg.url, tmp_path)
        wren = Wren(tmp_path, pg.url, redis.url)
        with faults.in_process_app(app, tmp_path / "setup", pg.url, redis.url):
            author, reader = make_local("author"), make_local("reader")
            follows.follow(account=reader, target=author)
            tokens = token_for(author), token_for(reader)
            reader_id = reader.id
        with wren.web() as web, wren.worker() as worker:
            procs, pids = (web, worker), (web.pid, worker.pid)
            with wren.engine.connect() as conn:
                started_at = conn.scalar(text("SELECT pg_postmaster_start_time()"))
            with Load(wren.base, *tokens) as load:
                eventually("answers before the restart", lambda: len(load.answers) > 20,
                           procs=procs)  # fmt: skip

                # When PostgreSQL is restarted (fast: open sessions are cut) under load
                restarting = time.monotonic()
                pg.restart()
                restarted = time.monotonic()

                def succeeding() -> bool:
                    return any(a[2] == 200 for a in load.between(restarted, time.monotonic()))

                eventually("requests to succeed again", succeeding, timeout=10, procs=procs)
                time.sleep(2)  # a little more load once it is back
            back = next(a[0] for a in load.between(restarted, time.monotonic()) if a[2] == 200)

            # Then the same processes served throughout: nothing but 200, or 503 with
            # Retry-After while the database was away, and only 200 once it was back
            assert all(proc.poll() is None for proc in procs)
            assert (web.pid, worker.pid) == pids
            with wren.engine.connect() as conn:
                assert conn.scalar(text("SELECT pg_postmaster_start_time()")) > started_at
            codes = {(kind, code, retry) for _, kind, code, retry in load.answers}
            assert codes <= {("post", 200, None), ("read", 200, None),
                             ("post", 503, "5"), ("read", 503, "5")}, codes  # fmt: skip
            assert all(a[2] == 200 for a in load.between(0, restarting))
            assert back - restarted < 3.0, f"back {back - restarted:.1f} s after the restart"
            settled = load.between(back + 1.0, time.monotonic())
            assert settled and all(a[2] == 200 for a in settled)

            # ...and the work enqueued around the restart was done: each post was stored once
            # (the retries of a 503 included) and fanned out by the worker to the reader's feed
            posted = {int(status_id) for status_id in load.posted.values()}
            assert len(posted) == len(load.posted) > 5

            def fanned_out() -> bool:
                with wren.engine.connect() as conn:
                    feed = set(conn.scalars(
                        text("SELECT status_id FROM feed_entries WHERE account_id = :reader"),
                        {"reader": reader_id},
                    ))  # fmt: skip
                return posted <= feed

            eventually("every post in the reader's home feed", fanned_out, timeout=40,
                       procs=procs)  # fmt: skip
            with wren.engine.connect() as conn:
                assert conn.scalar(text("SELECT count(*) FROM statuses WHERE local")) == len(posted)
        wren.close()
