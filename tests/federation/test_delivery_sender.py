"""The delivery sender: many POSTs at once from one event loop, each cut off at its deadline,
slow domains deferred, outcomes recorded in bulk (by the task, or by the recorder thread)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from itertools import pairwise

import pytest
from flask import Flask
from sqlalchemy import select

from fedi import queue
from fedi.extensions import db
from fedi.federation import client, delivery, sender
from fedi.models import Delivery, DeliveryAttempt, DeliveryState, utcnow
from fedi.services import statuses
from tests.federation import test_delivery as given
from tests.federation.test_delivery import follow, remote, rows

keys, servers, real_queue = given.keys, given.servers, given.real_queue  # fixtures


class Stalling:
    """A server that reads each request, then answers one byte a second (`drip`) or never."""

    def __init__(self, drip: bool) -> None:
        self.drip, self.requests, self.sent = drip, 0, 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.domain = f"127.0.0.1:{self.port}"
        self.closing = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closing.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            self.requests += 1
            answer = b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"
            for byte in answer if self.drip else b"":
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
                self.sent += 1
                if self.closing.wait(1.0):
                    return
            self.closing.wait(60)

    def close(self) -> None:
        self.closing.set()
        self.sock.close()


@pytest.fixture
def stalling(app: Flask) -> Iterator[list[Stalling]]:
    made: list[Stalling] = []
    yield made
    for server in made:
        server.close()


def test_dripping_inbox_is_cut_off_at_the_deadline_and_delays_no_one(
    alice, servers, stalling, monkeypatch
):
    monkeypatch.setattr(client, "POST_DEADLINE", 2.0)
    dripping = Stalling(drip=True)
    stalling.append(dripping)
    follow(remote(dripping, "drip", "drip.example", shared=False), alice)
    healthy = servers[0]
    follow(remote(healthy, "hare", "fast.example"), alice)

    started = time.monotonic()
    statuses.post_status(account=alice, text="Hello")  # immediate mode: waits for both

    assert 1.9 < time.monotonic() - started < 5
    assert healthy.posts[0]["answered"] - started < 1.5  # not behind the dripping one
    assert dripping.requests == 1 and 1 <= dripping.sent <= 3  # it dripped, then was cut
    by_domain = {r.domain: r for r in rows()}
    cut = by_domain[dripping.domain]
    assert cut.state == DeliveryState.PENDING and cut.attempts == 1  # retried later
    assert cut.last_status_code is None and "Deadline of 2 s exceeded" in cut.last_error
    (logged,) = db.session.scalars(
        select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == cut.id)
    ).all()
    assert 1900 <= logged.duration_ms < 3000
    assert by_domain[healthy.domain].state == DeliveryState.DELIVERED


def test_slow_domain_gets_no_more_posts_until_its_posts_end(app, servers, stalling, monkeypatch):
    monkeypatch.setattr(sender, "SLOW_AFTER", 0.3)
    silent = Stalling(drip=False)
    stalling.append(silent)
    out = sender.get(app.config["FEDI"])

    def post(key: int) -> sender.Post:
        url = f"{silent.base}/inbox"
        return sender.Post(key, silent.domain, url, {"Host": silent.domain}, b"{}", 1.5)

    first = [out.submit(post(n)) for n in range(sender.SLOW_LIMIT)]
    time.sleep(0.6)  # both are slow now
    deferred = out.submit(post(99)).result(timeout=1)
    assert deferred.deferred and deferred.key == 99
    assert silent.requests == sender.SLOW_LIMIT  # it never reached the server
    outcomes = [f.result(timeout=5) for f in first]
    assert all("Deadline" in o.result.error and o.duration_ms < 2500 for o in outcomes)
    again = out.submit(post(100)).result(timeout=5)  # the slow POSTs ended: tried again
    assert not again.deferred and silent.requests == sender.SLOW_LIMIT + 1


def test_a_chain_posts_one_after_another_and_stops_where_the_inbox_fails(app, servers):
    inbox = servers[0]
    inbox.delay = 0.1
    out = sender.get(app.config["FEDI"])
    url = f"{inbox.base}/inbox"
    posts = [
        sender.Post(n, inbox.domain, url, {"Host": inbox.domain}, b'{"n": %d}' % n)
        for n in range(3)
    ]

    def through(outcome: sender.Outcome) -> bool:
        return outcome.result is not None and outcome.result.status_code == 202

    seen: list[int] = []
    futures = out.submit_chain(posts, lambda o: seen.append(o.key), through, 60)
    outcomes = [f.result(timeout=10) for f in futures]
    assert [o.result.status_code for o in outcomes] == [202] * 3
    assert [p["body"]["n"] for p in inbox.posts] == [0, 1, 2] and seen == [0, 1, 2]
    assert all(a["answered"] <= b["arrived"] for a, b in pairwise(inbox.posts))

    inbox.status = 502
    outcomes = [f.result(timeout=10) for f in out.submit_chain(posts, None, through, 60)]
    assert outcomes[0].result.status_code == 502
    assert [o.deferred for o in outcomes] == [False, True, True]  # never sent
    assert len(inbox.posts) == 4

    inbox.status = 202
    outcomes = [f.result(timeout=10) for f in out.submit_chain(posts, None, through, 0)]
    assert all(o.deferred for o in outcomes) and len(inbox.posts) == 4  # out of time


def test_deferred_delivery_is_not_a_try(alice, servers, monkeypatch):
    follow(remote(servers[0], "ann", "one.example"), alice)
    with monkeypatch.context() as patch:
        patch.setitem(queue.registry, "deliver_batch", lambda ids: None)  # not tried yet
        statuses.post_status(account=alice, text="Hello")
    (row,) = rows()
    row.attempts = 1  # as claimed for the try that the sender deferred
    db.session.commit()

    delivery.record_outcomes([sender.Outcome(row.id, None)])

    (row,) = rows()
    assert row.state == DeliveryState.PENDING and row.attempts == 0
    assert row.backlog  # the inbox's newer rows wait behind it
    wait = (row.next_attempt_at - utcnow()).total_seconds()
    assert delivery.DEFER_WAIT - 5 < wait <= delivery.DEFER_WAIT
    assert db.session.scalars(select(DeliveryAttempt)).all() == []


def test_worker_hands_posts_over_and_the_recorder_records_them(alice, servers, real_queue):
    for n, server in enumerate(servers):
        follow(remote(server, f"f{n}", f"s{n}.example"), alice)
    statuses.post_status(account=alice, text="Hello")
    queue.start_in_process_consumer(workers=2)

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        done = [r for r in rows() if r.state == DeliveryState.DELIVERED]
        if len(done) == len(servers):
            break
        time.sleep(0.1)
    assert len(done) == len(servers) and all(s.posts for s in servers)
    codes = db.session.scalars(select(DeliveryAttempt.status_code)).all()
    assert codes == [202] * len(servers)
    assert all(r.attempts == 1 and r.delivered_at is not None for r in rows())
    assert (
        db.session.scalar(select(Delivery.id).where(Delivery.next_attempt_at.is_not(None))) is None
    )
