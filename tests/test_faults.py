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

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from flask import Flask
from sqlalchemy import text

from fedi.federation import signatures
from tests import faults
from tests.faults import Wren, eventually
from tests.federation.remote_actor import RemoteActor, RemoteServer, new_key
from tests.federation.test_multi_instance import Instance, follow, start
from tests.helpers import make_local, token_for
from tests.processes import free_port
from tests.test_processes import first_run_credentials, sqlite_rows

pytestmark = [pytest.mark.slow, pytest.mark.faults]


@pytest.fixture(scope="module")
def template(app: Flask, tmp_path_factory) -> Iterator[tuple[str, str]]:
    with faults.template_database(app, tmp_path_factory.mktemp("template")) as made:
        yield made


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[faults.PrivateRedis]:
    with faults.private_redis(tmp_path) as server:
        yield server


# --- shared ---------------------------------------------------------------------------------------


@pytest.fixture
def database(template: tuple[str, str]) -> Iterator[str]:
    with faults.fresh_database(template) as url:
        yield url


@pytest.fixture
def remote_hosts() -> Iterator[list[RemoteServer]]:
    """Two remote servers on loopback (two hosts), serving their actors and keys."""
    made = [RemoteServer(), RemoteServer()]
    yield made
    for server in made:
        server.stop()


def signed_post(wren: Wren, actor: RemoteActor, path: str, activity: dict) -> httpx.Response:
    """POST an activity to the web process, signed with the actor's key."""
    body = json.dumps(activity).encode()
    headers = signatures.sign_headers(
        method="POST", url=f"{wren.base}{path}", body=body, key_id=actor.key_id,
        private_key_pem=actor.private_pem, headers={"Content-Type": "application/activity+json"},
    )  # fmt: skip
    return httpx.post(f"{wren.base}{path}", content=body, headers=headers, timeout=15)


def count(wren: Wren, sql: str, **params: object) -> int:
    with wren.engine.connect() as conn:
        return conn.scalar(text(sql), params) or 0


# --- a. a peer down for ten days ---------------------------------------------------------------


def first_admin_token(peer: Instance) -> str:
    """The embedded instance's first-run admin (its credentials are printed once), signed in."""
    login, password = first_run_credentials(faults.output(peer.logs)[0])
    client = httpx.post(f"{peer.base}/api/v1/apps", timeout=10, json={
        "client_name": "faults", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
        "scopes": "read write follow",
    }).json()  # fmt: skip
    token = httpx.post(f"{peer.base}/oauth/token", timeout=10, data={
        "grant_type": "password", "username": login, "password": password,
        "client_id": client["client_id"], "client_secret": client["client_secret"],
        "scope": "read write follow",
    })  # fmt: skip
    assert token.status_code == 200, token.text
    return token.json()["access_token"]


def test_a_peer_down_for_ten_days_gets_everything_in_order_and_its_domain_is_paused_then_resumed(
    app: Flask, tmp_path: Path, database: str, redis: faults.PrivateRedis
) -> None:
    wren = Wren(tmp_path / "a", database, redis.url)
    with wren.in_process(app):
        alice = token_for(make_local("alice"))
    author = {"Authorization": f"Bearer {alice}"}

    def api(method: str, path: str, **kw) -> dict:
        response = httpx.request(method, f"{wren.base}{path}", headers=author, timeout=20, **kw)
        assert response.status_code == 200, (method, path, response.text)
        return response.json()

    def row(sql: str, **params: object):
        with wren.engine.connect() as conn:
            return conn.execute(text(sql), params).one_or_none()

    with ExitStack() as stack:
        web = stack.enter_context(wren.web())
        worker = stack.enter_context(wren.worker())
        procs = (web, worker)
        # Given a peer (a real Wren, embedded) whose admin follows alice
        peer = Instance("b", free_port(), tmp_path / "b" / "instance", tmp_path / "b" / "logs")
        start(peer, stack)
        peer.tokens["admin"] = first_admin_token(peer)
        alice_there = follow(peer, wren, "admin", "alice")
        eventually("the peer's admin following alice",
                   lambda: peer.relationship("admin", alice_there)["following"],
                   procs=procs)  # fmt: skip
        domain = peer.domain

        # When the peer goes down, and alice posts
        peer.proc.terminate()
        peer.proc.wait(timeout=20)
        first = api("POST", "/api/v1/statuses", json={"status": "Day 0: are you there?"})
        head_sql = ("SELECT d.id, d.state, d.attempts, d.last_attempt_at FROM deliveries d "
                    "JOIN outbox_activities o ON o.id = d.activity_id "
                    "WHERE o.status_id = :status AND o.type = 'Create'")  # fmt: skip
        head = eventually("the first try to fail",
                          lambda: (r := row(head_sql, status=int(first["id"]))) and r.attempts
                          and r.last_attempt_at and r, procs=procs)  # fmt: skip
        assert head.state == "pending"
        dates = {head.last_attempt_at.date()}  # the days on which the domain failed
        health_sql = "SELECT failure_days, unavailable FROM domain_health WHERE domain = :d"
        attempts_sql = "SELECT count(*) FROM delivery_attempts a JOIN deliveries d " \
                       "ON d.id = a.delivery_id WHERE d.domain = :d"  # fmt: skip

        def step(k: int) -> None:
            """k * 15 simulated hours later, the periodic requeue tries the head again."""
            wren.set_clock(k * 15 * 3600)
            tries = count(wren, attempts_sql, d=domain)
            wren.enqueue("requeue_deliveries")
            eventually(f"the try at hour {k * 15}",
                       lambda: count(wren, attempts_sql, d=domain) == tries + 1,
                       procs=procs)  # fmt: skip
            latest = row("SELECT state, attempts, last_attempt_at FROM deliveries WHERE id = :id",
                         id=head.id)  # fmt: skip
            assert latest.attempts == k + 1  # one POST to the domain per step: the head
            if latest.state == "pending":
                dates.add(latest.last_attempt_at.date())
                health = row(health_sql, d=domain)
                # seven days of failures pause it (once paused, the probes count no more days)
                assert tuple(health) == (min(len(dates), 7), len(dates) >= 7), (k, dates)

        def queued_behind(status_id: str, kind: str) -> None:
            sql = ("SELECT d.state, d.attempts FROM deliveries d JOIN outbox_activities o "
                   "ON o.id = d.activity_id WHERE o.status_id = :s AND o.type = :t")  # fmt: skip
            eventually(f"the {kind} of {status_id} to wait behind the head",
                       lambda: row(sql, s=int(status_id), t=kind) == ("queued", 0),
                       procs=procs)  # fmt: skip

        step(1)
        second = api("POST", "/api/v1/statuses", json={"status": "Day 1: hello?"})
        queued_behind(second["id"], "Create")
        for k in (2, 3):
            step(k)
        api("PUT", f"/api/v1/statuses/{first['id']}", json={"status": "Day 2: edited"})
        queued_behind(first["id"], "Update")
        for k in range(4, 13):
            step(k)
        # Then its domain is paused (unavailable after seven days of failures, one probe an
        # hour): a direct message to the admin's own inbox there waits, untried
        assert tuple(row(health_sql, d=domain))[1] is True and len(dates) >= 7
        third = api("POST", "/api/v1/statuses", json={"status": "Day 7: still nothing"})
        queued_behind(third["id"], "Create")
        direct = api(
            "POST",
            "/api/v1/statuses",
            json={"status": f"@admin@{domain} psst", "visibility": "direct"},
        )
        dm_sql = (
            "SELECT d.state, d.attempts, d.backlog FROM deliveries d JOIN "
            "outbox_activities o ON o.id = d.activity_id WHERE o.status_id = :s"
        )
        eventually("the direct message held for the paused domain",
                   lambda: row(dm_sql, s=int(direct["id"])) == ("pending", 0, True),
                   procs=procs)  # fmt: skip
        for k in (13, 14, 15):
            step(k)
        assert row(dm_sql, s=int(direct["id"])) == ("pending", 0, True)  # still untried
        assert row("SELECT attempts, state FROM deliveries WHERE id = :id", id=head.id) == (
            16,
            "pending",
        )  # past MAX_ATTEMPTS: an unreachable inbox is tried for 14 days

        # When the peer comes back, ten days later
        start(peer, stack)
        step(16)  # the hourly probe gets through

        # Then the domain is resumed, and everything arrives, each inbox in order
        assert row(health_sql, d=domain) is None

        def all_delivered() -> bool:
            wren.enqueue("requeue_deliveries")  # the held direct message is due again
            pending = count(wren, "SELECT count(*) FROM deliveries WHERE state <> 'delivered'")
            return pending == 0

        eventually("every delivery delivered", all_delivered, procs=procs, interval=1.0)
        database_b = peer.instance_dir / "wren.db"
        uri = f"{wren.base}/users/alice/statuses"
        got = sqlite_rows(
            database_b,
            "SELECT activity_type, json_extract(payload, '$.object.id') FROM inbox_items "
            "WHERE activity_type IN ('Create', 'Update') AND recipient_account_id IS NULL "
            "ORDER BY id",
        )
        assert got == [
            ("Create", f"{uri}/{first['id']}"),
            ("Create", f"{uri}/{second['id']}"),
            ("Update", f"{uri}/{first['id']}"),
            ("Create", f"{uri}/{third['id']}"),
        ]
        dm = sqlite_rows(database_b, "SELECT json_extract(payload, '$.object.id') FROM "
                                     "inbox_items WHERE recipient_account_id IS NOT NULL "
                                     "AND activity_type = 'Create'")  # fmt: skip
        assert dm == [(f"{uri}/{direct['id']}",)]
        home = eventually("the posts in the admin's home on the peer",
                          lambda: (h := peer.home("admin")) and len(h) >= 3 and h)  # fmt: skip
        texts = {s["uri"]: s for s in home}
        edited = texts[f"{uri}/{first['id']}"]
        assert "Day 2: edited" in edited["content"] and edited["edited_at"]
        assert f"{uri}/{third['id']}" in texts
    wren.close()


# --- b. Redis flushed in the middle of deliveries ---------------------------------------------


def test_redis_flushed_in_the_middle_of_deliveries_loses_none_of_them(
    app: Flask, tmp_path: Path, database: str, redis: faults.PrivateRedis
) -> None:
    from fedi.federation import delivery

    activities, inboxes = 6, 8
    wren = Wren(tmp_path, database, redis.url)
    delivered = "SELECT count(*) FROM deliveries WHERE state = 'delivered'"
    with faults.peer() as remote:
        refused: list[str] = []

        def answer(path: str, body: dict) -> tuple[int, dict[str, str]]:
            if path == "/users/u0/inbox" and not refused:  # once: "come back in 5 s"
                refused.append(body["id"])
                return 503, {"Retry-After": "5"}
            return 202, {}

        remote.answer = answer
        urls = [f"{remote.base}/users/u{n}/inbox" for n in range(inboxes)]
        with wren.in_process(app):  # the ledger's rows and one task per activity, in Redis
            alice = make_local("alice")
            sent = [f"{alice.uri}/activities/{k}" for k in range(activities)]
            for uri in sent:
                note = {
                    "id": f"{uri}/note",
                    "type": "Note",
                    "attributedTo": alice.uri,
                    "content": uri,
                    "to": ["https://www.w3.org/ns/activitystreams#Public"],
                }
                activity = {"@context": "https://www.w3.org/ns/activitystreams", "id": uri,
                            "type": "Create", "actor": alice.uri, "object": note}  # fmt: skip
                delivery.deliver_activity(actor=alice, activity=activity, inboxes=urls)
        assert wren.queued() == ["deliver_batch"] * activities

        # Given two workers, each in the middle of its first batch (held at its claim)...
        with wren.engine.connect() as holder:
            holder.execute(text("LOCK TABLE deliveries IN EXCLUSIVE MODE"))
            with wren.worker(threads=1) as one, wren.worker(threads=1) as two:
                workers = (one, two)
                eventually(
                    "both workers to be claiming a batch",
                    lambda: len(faults.lock_waiters(wren.engine, "UPDATE deliveries%")) == 2,
                    procs=workers,
                )  # fmt: skip

                # When Redis is flushed: the other batches' tasks are gone
                redis.flushall()
                assert wren.queued() == []
                holder.rollback()

                # Then the two batches are delivered, but for one inbox that asked for a retry
                # in 5 s, whose retry task (scheduled in Redis) is flushed too
                eventually("the two batches delivered",
                           lambda: count(wren, delivered) == 2 * inboxes - 1,
                           procs=workers)  # fmt: skip
                eventually("the retry's task in Redis",
                           lambda: "deliver_batch" in wren.queued(), procs=workers)  # fmt: skip
                redis.flushall()
                untried = count(wren, "SELECT count(*) FROM deliveries WHERE attempts = 0 "
                                      "AND state IN ('pending', 'queued')")  # fmt: skip
                assert untried == (activities - 2) * inboxes
                assert len(remote.received(202)) == 2 * inboxes - 1 and len(refused) == 1

                # ...and the database's periodic requeue (its tick, now, with the workers'
                # clock past the Retry-After) sends every one of them, once
                wren.set_clock(30)
                wren.enqueue("requeue_deliveries")
                eventually("every delivery delivered",
                           lambda: count(wren, delivered) == activities * inboxes,
                           procs=workers)  # fmt: skip

        received = remote.received(202)
        assert sorted(received) == sorted(
            (f"/users/u{n}/inbox", uri) for n in range(inboxes) for uri in sent
        )  # every (inbox, activity) exactly once
        assert remote.received(503) == [("/users/u0/inbox", refused[0])]
        assert count(wren, "SELECT count(*) FROM delivery_attempts") == activities * inboxes + 1
        for n in range(inboxes):  # what the requeue sent came in the order it was created
            got = [uri for path, uri in received if path == f"/users/u{n}/inbox"]
            assert got[2:] == sent[2:], n
    wren.close()


# --- c. a worker killed in the middle of a task -----------------------------------------------


def test_a_worker_killed_mid_task_leaves_nothing_half_written_and_the_task_runs_again(
    app: Flask, tmp_path: Path, database: str, redis: faults.PrivateRedis, remote_hosts
) -> None:
    wren = Wren(tmp_path, database, redis.url)
    with wren.in_process(app):
        lena = make_local("lena")
        lena_id, lena_uri = lena.id, lena.uri
    rita = RemoteActor(remote_hosts[0], "rita", new_key())
    note = rita.note(
        f"Hello <a href=\"{lena_uri}\">@lena</a> #first #faults", cc=[lena_uri],
        tag=[{"type": "Mention", "href": lena_uri, "name": "@lena"},
             {"type": "Hashtag", "name": "#first"}, {"type": "Hashtag", "name": "#faults"}],
    )  # fmt: skip
    create = rita.activity("Create", note, to=note["to"], cc=note["cc"])
    item = "SELECT state, attempts FROM inbox_items WHERE activity_uri = :uri"

    with wren.web() as web, wren.engine.connect() as holder:
        with wren.worker(threads=1) as doomed:
            # Given rita known here (her first activity stored her account)...
            like = rita.activity("Like", "x")
            assert signed_post(wren, rita, "/inbox", like).status_code == 202
            eventually("rita's first activity processed",
                       lambda: count(wren, "SELECT count(*) FROM inbox_items WHERE state <> "
                                           "'pending'") == 1, procs=(web, doomed))  # fmt: skip
            # ...and a lock on her account row, which storing her post updates (statuses_count)
            # after it has written the status, its conversation, mention and hashtags (NO KEY:
            # the foreign keys of those rows may still refer to the account)
            holder.execute(text("SELECT 1 FROM accounts WHERE uri = :uri FOR NO KEY UPDATE"),
                           {"uri": rita.uri})  # fmt: skip
            assert signed_post(wren, rita, "/users/lena/inbox", create).status_code == 202
            (pid,) = eventually(
                "the worker's transaction to wait on the account row",
                lambda: faults.lock_waiters(wren.engine, "UPDATE accounts%"),
                procs=(web, doomed),
            )  # fmt: skip
            written = faults.tables_written(wren.engine, pid)
            assert {"statuses", "conversations", "mentions", "status_tags"} <= written

            # When the worker is killed in the middle of the task
            doomed.kill()
            doomed.wait(timeout=10)
        holder.rollback()  # its backend gets the lock, finds its client gone, ends
        eventually("the killed worker's backend to end",
                   lambda: not faults.backend_alive(wren.engine, pid))  # fmt: skip

        # Then nothing of it was written, the item waits, and the queue lost the task
        assert count(wren, "SELECT count(*) FROM statuses") == 0
        for table in ("mentions", "status_tags", "conversations", "notifications"):
            assert count(wren, f"SELECT count(*) FROM {table}") == 0, table
        assert count(wren, "SELECT statuses_count FROM accounts WHERE uri = :uri",
                     uri=rita.uri) == 0  # fmt: skip
        with wren.engine.connect() as conn:
            assert conn.execute(text(item), {"uri": create["id"]}).one() == ("pending", 0)
        assert "process_inbox_item" not in wren.queued()  # lost with the worker

        # ...and the periodic requeue of inbox items (items pending ten minutes on) runs it
        # again, on a worker started later, once and whole
        wren.set_clock(11 * 60)
        with wren.worker(threads=1) as worker:
            wren.enqueue("requeue_inbox_items")
            eventually(
                "the item processed again",
                lambda: count(wren, "SELECT count(*) FROM inbox_items WHERE activity_uri = :uri "
                                    "AND state = 'processed'", uri=create["id"]) == 1,
                procs=(web, worker),
            )  # fmt: skip
            eventually(
                "lena's mention notification (the fan-out after the commit)",
                lambda: count(wren, "SELECT count(*) FROM notifications WHERE account_id = :id "
                                    "AND type = 'mention'", id=lena_id) == 1,
                procs=(web, worker),
            )  # fmt: skip
        with wren.engine.connect() as conn:
            assert conn.execute(text(item), {"uri": create["id"]}).one() == ("processed", 1)
            (status_id,) = conn.execute(
                text("SELECT id FROM statuses WHERE uri = :uri"), {"uri": note["id"]}
            ).one()
        assert count(wren, "SELECT count(*) FROM statuses") == 1
        assert count(wren, "SELECT count(*) FROM mentions WHERE status_id = :id "
                           "AND account_id = :lena", id=status_id, lena=lena_id) == 1  # fmt: skip
        assert count(wren, "SELECT count(*) FROM status_tags WHERE status_id = :id",
                     id=status_id) == 2  # fmt: skip
        assert count(wren, "SELECT statuses_count FROM accounts WHERE uri = :uri",
                     uri=rita.uri) == 1  # fmt: skip
    wren.close()


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
        with wren.in_process(app):
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
            assert back - restarted < 5.0, f"back {back - restarted:.1f} s after the restart"
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


# --- e. a flood on the inboxes ----------------------------------------------------------------


def test_a_flood_on_the_inboxes_is_refused_with_retry_after_and_nothing_is_stored(
    app: Flask, tmp_path: Path, database: str, redis: faults.PrivateRedis, remote_hosts
) -> None:
    limit, per_host = 5, 3
    wren = Wren(tmp_path, database, redis.url, INBOX_QUEUE_LIMIT=str(limit),
                INBOX_HOST_LIMIT=str(per_host), INBOX_HOST_PERIOD="600",
                RATE_LIMIT_ENABLED="true")  # fmt: skip
    with wren.in_process(app):
        make_local("alice")
    rita = RemoteActor(remote_hosts[0], "rita", new_key())
    olga = RemoteActor(remote_hosts[1], "olga", new_key())
    stored = "SELECT count(*) FROM inbox_items"
    waiting = "SELECT count(*) FROM inbox_items WHERE state = 'pending'"

    def like(actor: RemoteActor, path: str = "/inbox") -> httpx.Response:
        return signed_post(wren, actor, path, actor.activity("Like", f"{wren.base}/x"))

    with wren.web() as web:  # no worker yet: what is accepted waits
        # Given a host that used its budget, and a queue that filled up
        assert [like(rita).status_code for _ in range(per_host)] == [202] * per_host
        over = like(rita, "/users/alice/inbox")
        assert over.status_code == 429, over.text
        assert 1 <= int(over.headers["Retry-After"]) <= 600
        assert count(wren, stored) == per_host  # refused: nothing stored
        assert [like(olga).status_code for _ in range(limit - per_host)] == [202] * 2
        assert count(wren, waiting) == limit

        # When both hosts flood the inboxes
        time.sleep(past_the_cached_count())  # past the web process's cached count of waiting items
        answers: list[httpx.Response] = []

        def flood(actor: RemoteActor, path: str) -> None:
            for _ in range(10):
                answers.append(like(actor, path))

        paths = ("/inbox", "/users/alice/inbox")
        threads = [threading.Thread(target=flood, args=(actor, path))
                   for actor in (rita, olga) for path in paths]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        # Then every POST is refused 503 with Retry-After, and the queue did not grow
        assert len(answers) == 40
        assert {(r.status_code, r.headers.get("Retry-After")) for r in answers} == {(503, "30")}
        assert count(wren, stored) == limit and count(wren, waiting) == limit
        assert faults.lines(web, "Traceback") == []

        # ...until the workers catch up: then the inboxes take activities again
        with wren.worker() as worker:
            eventually("the worker to process the waiting items",
                       lambda: count(wren, waiting) == 0, procs=(web, worker))  # fmt: skip
            time.sleep(past_the_cached_count())
            assert like(olga).status_code == 202
            assert count(wren, stored) == limit + 1
    wren.close()


def past_the_cached_count() -> float:
    """Seconds after which a web process counts the waiting items again."""
    from fedi.federation import inbox

    return inbox.PENDING_TTL + 0.2
