"""Outbound delivery, end to end: local actions through the services (and the client API)
become signed POSTs to real inbox servers on 127.0.0.1, with the retry, failure-tracking and
cancellation rules of the delivery ledger."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from typing import Any

import pytest
from flask import Flask
from huey.storage import MemoryStorage
from sqlalchemy import select

from fedi import queue
from fedi.extensions import db
from fedi.federation import delivery, domain_health, signatures
from fedi.ids import new_id
from fedi.models import (
    Account,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    DomainHealth,
    Follow,
    OutboxActivity,
    Status,
    Visibility,
    utcnow,
)
from fedi.services import interactions, statuses
from fedi.tasks import delivery as delivery_tasks
from tests.helpers import bearer, token_for


class Inbox:
    """A remote server: answers POSTs with `status` (after `delay` s), records each one with its
    arrival and answer times and whether its signature verified against `keys`."""

    def __init__(self, keys: dict[str, str]) -> None:
        self.status, self.headers, self.delay = 202, {}, 0.0
        self.posts: list[dict[str, Any]] = []
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                arrived = time.monotonic()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(inbox.delay)
                inbox.posts.append({
                    "path": self.path, "body": json.loads(body), "arrived": arrived,
                    "answered": time.monotonic(), "key_id": inbox.verify(self, body, keys),
                })  # fmt: skip
                self.send_response(inbox.status)
                for name, value in inbox.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.domain = self.base.removeprefix("http://")
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @staticmethod
    def verify(handler: BaseHTTPRequestHandler, body: bytes, keys: dict[str, str]) -> str | None:
        try:
            return signatures.verify_request(
                method="POST", path=handler.path, headers=dict(handler.headers), body=body,
                get_public_key=lambda key_id, refresh: keys.get(key_id),
            )  # fmt: skip
        except signatures.SignatureError:
            return None

    def at(self, path: str) -> list[dict[str, Any]]:
        return [p for p in self.posts if p["path"] == path]

    def types(self) -> list[str]:
        return [p["body"]["type"] for p in self.posts]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def keys(alice: Account) -> dict[str, str]:
    return {alice.public_key_id: alice.public_key}


@pytest.fixture
def servers(app: Flask, keys: dict[str, str]) -> Iterator[list[Inbox]]:
    settings = app.config["FEDI"]
    saved = list(settings.ALLOWED_PRIVATE_ADDRESSES)
    settings.ALLOWED_PRIVATE_ADDRESSES = ["127.0.0.0/8"]
    made = [Inbox(keys) for _ in range(3)]
    try:
        yield made
    finally:
        settings.ALLOWED_PRIVATE_ADDRESSES = saved
        for server in made:
            server.close()


def remote(server: Inbox, username: str, domain: str, *, shared: bool = True) -> Account:
    """A remote account named `@username@domain` whose inboxes live on `server`."""
    account = Account(
        username=username, domain=domain, uri=f"https://{domain}/users/{username}",
        inbox_url=f"{server.base}/users/{username}/inbox",
        shared_inbox_url=f"{server.base}/inbox" if shared else None,
        followers_url=f"https://{domain}/users/{username}/followers", fetched_at=utcnow(),
    )  # fmt: skip
    db.session.add(account)
    db.session.commit()
    return account


def follow(follower: Account, target: Account) -> None:
    db.session.add(Follow(account_id=follower.id, target_account_id=target.id))
    db.session.commit()


def remote_status(author: Account) -> Status:
    status = Status(
        id=new_id(), uri=f"{author.uri}/statuses/1", account_id=author.id, content="<p>hi</p>",
        visibility=Visibility.PUBLIC, local=False,
    )  # fmt: skip
    db.session.add(status)
    db.session.commit()
    return status


def rows(activity_type: str | None = None) -> list[Delivery]:
    query = select(Delivery).join(OutboxActivity).order_by(Delivery.id)
    if activity_type:
        query = query.where(OutboxActivity.type == activity_type)
    db.session.expire_all()
    return list(db.session.scalars(query))


def make_due(row: Delivery) -> None:
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


# -- recipients ------------------------------------------------------------------------------


def test_public_post_goes_once_to_each_shared_inbox(client, alice, keys, servers):
    one, other, _ = servers
    for name in ("ann", "art"):  # two followers behind one shared inbox
        follow(remote(one, name, "one.example"), alice)
    follow(remote(other, "bo", "other.example", shared=False), alice)

    response = client.post(
        "/api/v1/statuses", json={"status": "Hello fediverse"},
        headers=bearer(token_for(alice)),
    )  # fmt: skip

    assert response.status_code == 200
    assert [p["path"] for p in one.posts] == ["/inbox"]
    assert [p["path"] for p in other.posts] == ["/users/bo/inbox"]
    for post in (*one.posts, *other.posts):
        assert post["key_id"] == alice.public_key_id  # signature verified with alice's key
        assert post["body"]["type"] == "Create"
        assert post["body"]["object"]["id"].endswith(f"/statuses/{response.json['id']}")
    assert {r.domain for r in rows()} == {one.domain, other.domain}
    assert all(r.state == DeliveryState.DELIVERED and r.attempts == 1 for r in rows())
    assert db.session.scalar(select(DeliveryAttempt.status_code).limit(1)) == 202


def test_private_and_direct_posts_use_actor_inboxes(alice, servers):
    one, other, _ = servers
    fan = remote(one, "fan", "one.example")
    follow(fan, alice)
    remote(other, "carl", "other.example")  # not a follower

    statuses.post_status(account=alice, text="@carl@other.example psst", visibility_="private")
    # the follower's server gets it at the shared inbox (an addressed follower lives behind
    # it); the mentioned non-follower at his own inbox, never at his server's shared inbox
    assert [p["path"] for p in one.posts] == ["/inbox"]
    assert [p["path"] for p in other.posts] == ["/users/carl/inbox"]

    statuses.post_status(account=alice, text="@fan@one.example just you", visibility_="direct")
    assert [p["path"] for p in one.posts] == ["/inbox", "/users/fan/inbox"]
    assert len(other.posts) == 1  # a direct message reaches the mentioned only
    assert one.posts[-1]["body"]["to"] == [fan.uri]


def test_purely_local_actions_deliver_nothing(alice, bob):
    status = statuses.post_status(account=alice, text="Hello")
    interactions.favourite(status=status, by=bob)
    interactions.reblog(status=status, by=bob)
    assert rows() == []


# -- retries ---------------------------------------------------------------------------------


def test_server_error_is_retried_with_growing_backoff(alice, servers):
    one = servers[0]
    one.status = 500
    follow(remote(one, "ann", "one.example"), alice)

    before = utcnow()
    statuses.post_status(account=alice, text="Hello")

    (row,) = rows()
    assert row.state == DeliveryState.PENDING and row.attempts == 1
    first_wait = (row.next_attempt_at - before).total_seconds()
    assert 0.8 * delivery.BASE_DELAY <= first_wait <= 1.2 * delivery.BASE_DELAY + 5
    make_due(row)
    delivery_tasks.requeue_deliveries.call_local()
    (row,) = rows()
    assert row.attempts == 2 and len(one.posts) == 2
    assert (row.next_attempt_at - utcnow()).total_seconds() > first_wait
    logged = db.session.scalars(select(DeliveryAttempt.status_code)).all()
    assert logged == [500, 500] and row.last_status_code == 500
    # the whole schedule spans about three days before giving up
    total = sum(
        min(delivery.BASE_DELAY * delivery.BACKOFF_FACTOR**n, delivery.MAX_DELAY)
        for n in range(delivery.MAX_ATTEMPTS - 1)
    )
    assert 2.5 * 86400 < total < 4 * 86400


def test_retry_base_setting_and_a_delayed_task_for_the_retry(app, alice, servers):
    settings = app.config["FEDI"]
    saved, settings.DELIVERY_RETRY_BASE = settings.DELIVERY_RETRY_BASE, 2.0
    try:
        servers[0].status = 500
        follow(remote(servers[0], "ann", "one.example"), alice)
        before = utcnow()
        statuses.post_status(account=alice, text="Hello")
    finally:
        settings.DELIVERY_RETRY_BASE = saved
    (row,) = rows()
    assert 1.6 <= (row.next_attempt_at - before).total_seconds() <= 2.4 + 5
    # the retry has its own delayed task, due when the row is (not at the next periodic run)
    (task,) = [t for t in queue.huey.scheduled() if t.args == ([row.id],)]
    due = row.next_attempt_at.replace(tzinfo=None)  # both UTC; one of them naive
    late = (task.eta.replace(tzinfo=None) - due).total_seconds()
    assert 0 <= late <= delivery.RETRY_GROUP + 1  # never before the row is due


def test_gives_up_after_the_last_attempt(alice, servers):
    one = servers[0]
    one.status = 500  # the server answers, and fails on this activity
    follow(remote(one, "ann", "one.example"), alice)
    statuses.post_status(account=alice, text="Hello")
    (row,) = rows()
    row.attempts = delivery.MAX_ATTEMPTS - 1
    make_due(row)
    delivery.attempt(row.id)
    (row,) = rows()
    assert row.state == DeliveryState.FAILED and row.next_attempt_at is None
    assert row.backlog is False


@pytest.mark.parametrize("code", [502, 503, 504, 522, None])
def test_an_unreachable_inbox_is_tried_until_the_row_is_max_wait_old(alice, servers, code):
    one = servers[0]
    if code is None:  # nothing listens there any more
        one.close()
    else:
        one.status = code
    follow(remote(one, "ann", "one.example"), alice)
    statuses.post_status(account=alice, text="Hello")
    (row,) = rows()
    assert row.backlog is True and row.last_status_code == code
    row.attempts = delivery.MAX_ATTEMPTS + 5  # past the tries a server error gets
    row.created_at = utcnow() - delivery.MAX_WAIT + timedelta(hours=1)
    make_due(row)
    delivery.attempt(row.id)
    (row,) = rows()
    assert row.state == DeliveryState.PENDING and row.next_attempt_at > utcnow()

    row.created_at = utcnow() - delivery.MAX_WAIT - timedelta(seconds=1)
    make_due(row)
    delivery.attempt(row.id)
    (row,) = rows()
    assert row.state == DeliveryState.FAILED and row.backlog is False


@pytest.mark.parametrize("code", [429, 503])
def test_retry_after_is_honoured(alice, servers, code):
    one = servers[0]
    one.status, one.headers = code, {"Retry-After": "600"}
    follow(remote(one, "ann", "one.example"), alice)
    statuses.post_status(account=alice, text="Hello")
    (row,) = rows()
    wait = (row.next_attempt_at - utcnow()).total_seconds()
    assert row.state == DeliveryState.PENDING and 590 <= wait <= 600
    assert row.last_status_code == code


@pytest.mark.parametrize("code", [400, 410])
def test_client_errors_fail_for_good(alice, servers, code):
    one = servers[0]
    one.status = code
    follow(remote(one, "ann", "one.example"), alice)
    statuses.post_status(account=alice, text="Hello")
    (row,) = rows()
    assert row.state == DeliveryState.FAILED and row.next_attempt_at is None
    assert delivery.due_ids() == []
    delivery.attempt(row.id)  # a stray task for it does nothing
    assert len(one.posts) == 1
    assert db.session.get(DomainHealth, one.domain) is None  # the server answered: not down


def test_domain_unavailable_after_seven_failure_days_then_recovers(alice, servers, monkeypatch):
    one = servers[0]
    one.status = 500
    follow(remote(one, "ann", "one.example"), alice)
    statuses.post_status(account=alice, text="First")
    (row,) = rows()
    start = utcnow().replace(hour=12, minute=0)
    clock = {"now": start}
    monkeypatch.setattr(delivery, "utcnow", lambda: clock["now"])

    for day in range(1, domain_health.FAILURE_DAYS):  # a second failure the same day counts once
        clock["now"] = start + timedelta(days=day)
        for _ in range(2 if day == 1 else 1):
            row.next_attempt_at = clock["now"] - timedelta(seconds=1)
            db.session.commit()
            delivery.attempt(row.id)
    health = db.session.get(DomainHealth, one.domain)
    assert health.failure_days == domain_health.FAILURE_DAYS and health.unavailable

    # held back: a new post waits without a request, until one probe per interval
    posts = len(one.posts)
    clock["now"] += timedelta(minutes=10)
    statuses.post_status(account=alice, text="Second")
    second = rows()[-1]
    assert len(one.posts) == posts and second.attempts == 0
    assert second.next_attempt_at == clock["now"] + domain_health.PROBE_INTERVAL

    # the server is back: the probe succeeds, the record is cleared, held rows are due at once
    one.status = 202
    clock["now"] += domain_health.PROBE_INTERVAL
    delivery.attempt(second.id)
    db.session.expire_all()
    assert db.session.get(DomainHealth, one.domain) is None
    assert db.session.get(Delivery, second.id).state == DeliveryState.DELIVERED
    assert db.session.get(Delivery, row.id).next_attempt_at <= clock["now"]


def test_rows_held_for_an_unavailable_domain_wait_for_its_probe_or_fail_when_too_old(
    alice, servers
):
    one = servers[0]
    follow(remote(one, "ann", "one.example"), alice)
    follow(remote(one, "bea", "one.example", shared=False), alice)
    now = utcnow()
    db.session.add(DomainHealth(domain=one.domain, failure_days=7, unavailable=True,
                                first_failure_at=now, last_failure_at=now))  # fmt: skip
    db.session.commit()
    statuses.post_status(account=alice, text="While down")  # its probe was taken just now
    fresh, old = rows()
    old.created_at = now - domain_health.MAX_WAIT - timedelta(days=1)
    for row in (fresh, old):
        row.next_attempt_at = now
    db.session.commit()

    delivery.attempt_many([fresh.id, old.id], wait=True)

    db.session.expire_all()
    assert one.posts == []
    assert db.session.get(Delivery, fresh.id).state == DeliveryState.PENDING
    assert db.session.get(Delivery, fresh.id).next_attempt_at > now
    gone = db.session.get(Delivery, old.id)
    assert gone.state == DeliveryState.FAILED and gone.last_error == "domain unavailable"


# -- in order per inbox ------------------------------------------------------------------------


def _texts(server: Inbox, path: str) -> list[str]:
    return [p["body"]["object"]["content"] for p in server.at(path)]


def test_an_unreachable_inbox_gets_its_backlog_in_order_one_post_after_another(alice, servers):
    down, healthy, _ = servers
    down.status = 502
    follow(remote(down, "ann", "down.example"), alice)
    follow(remote(healthy, "bo", "up.example"), alice)

    for n in range(4):
        statuses.post_status(account=alice, text=f"Post {n}")

    # the first post's try failed; the later ones wait behind it, untried, in its backlog
    waiting = [r for r in rows() if r.domain == down.domain]
    assert [r.state for r in waiting] == [DeliveryState.PENDING] + [DeliveryState.QUEUED] * 3
    assert all(r.backlog for r in waiting) and [r.attempts for r in waiting] == [1, 0, 0, 0]
    assert len(down.posts) == 1
    assert _texts(healthy, "/inbox") == [f"<p>Post {n}</p>" for n in range(4)]  # not held up

    # the inbox answers again: the next try of the oldest row lets the others go, in order
    down.status, down.delay = 202, 0.05
    make_due(waiting[0])
    delivery_tasks.requeue_deliveries.call_local()

    assert _texts(down, "/inbox") == ["<p>Post 0</p>"] + [f"<p>Post {n}</p>" for n in range(4)]
    arrivals = down.posts[1:]
    assert all(a["answered"] <= b["arrived"] for a, b in pairwise(arrivals))
    assert all(r.state == DeliveryState.DELIVERED and not r.backlog for r in rows())


def test_a_server_error_on_one_activity_does_not_hold_the_inbox_back(alice, servers):
    one = servers[0]
    one.status = 500
    follow(remote(one, "ann", "one.example"), alice)
    statuses.post_status(account=alice, text="Poison")
    one.status = 202
    statuses.post_status(account=alice, text="Fine")
    first, second = rows()
    assert first.state == DeliveryState.PENDING and first.backlog is False
    assert second.state == DeliveryState.DELIVERED
    assert _texts(one, "/inbox") == ["<p>Poison</p>", "<p>Fine</p>"]


def test_cancelling_the_oldest_row_of_a_backlog_lets_the_next_ones_go(alice, servers):
    one = servers[0]
    one.status = 503
    follow(remote(one, "ann", "one.example"), alice)
    doomed = statuses.post_status(account=alice, text="Oops")
    statuses.post_status(account=alice, text="Next")
    assert [r.state for r in rows()] == [DeliveryState.PENDING, DeliveryState.QUEUED]

    one.status = 202
    statuses.delete_status(status=doomed, by=alice)  # cancels the waiting Create

    create, following = rows("Create")
    assert create.state == DeliveryState.CANCELLED and not create.backlog
    assert following.state == DeliveryState.DELIVERED
    (deleted,) = rows("Delete")
    assert deleted.state == DeliveryState.DELIVERED
    assert one.types() == ["Create", "Create", "Delete"]


def test_the_periodic_task_moves_a_backlog_that_nothing_moves(alice, servers, monkeypatch):
    one = servers[0]
    follow(remote(one, "ann", "one.example"), alice)
    with monkeypatch.context() as patch:
        patch.setitem(queue.registry, "deliver_batch", lambda ids: None)  # the queue loses them
        for n in range(3):
            statuses.post_status(account=alice, text=f"Post {n}")
    # as a backlog whose pending row is gone (say the worker that held it was lost for good)
    db.session.execute(Delivery.__table__.update().values(state=DeliveryState.QUEUED, backlog=True))
    db.session.commit()

    delivery_tasks.requeue_deliveries.call_local()

    assert _texts(one, "/inbox") == [f"<p>Post {n}</p>" for n in range(3)]
    assert all(r.state == DeliveryState.DELIVERED for r in rows())


def test_queued_rows_older_than_max_wait_are_given_up(alice, servers):
    one = servers[0]
    one.status = 502
    follow(remote(one, "ann", "one.example"), alice)
    statuses.post_status(account=alice, text="First")
    statuses.post_status(account=alice, text="Second")
    head, queued = rows()
    queued.created_at = utcnow() - delivery.MAX_WAIT - timedelta(minutes=1)
    db.session.commit()

    delivery_tasks.requeue_deliveries.call_local()

    head, queued = rows()
    assert queued.state == DeliveryState.FAILED and not queued.backlog
    assert queued.last_error == "inbox unreachable too long"
    assert head.state == DeliveryState.PENDING and head.backlog


# -- the periodic task -----------------------------------------------------------------------


@pytest.fixture
def real_queue() -> Iterator[None]:
    """Huey with a real (in-memory) queue instead of immediate mode."""
    queue.huey.immediate = False
    queue.huey.storage = MemoryStorage(queue.huey.name)
    try:
        yield
    finally:
        queue.stop_in_process_consumer()
        queue.huey.immediate = True


def test_periodic_task_requeues_due_rows_after_the_queue_is_lost(alice, servers, monkeypatch):
    one = servers[0]
    follow(remote(one, "ann", "one.example"), alice)
    follow(remote(one, "al", "one.example", shared=False), alice)
    with monkeypatch.context() as patch:
        patch.setitem(queue.registry, "deliver_batch", lambda ids: None)  # the queue loses them
        statuses.post_status(account=alice, text="Hello")
    assert len(rows()) == 2 and one.posts == []

    assert delivery.requeue_due(limit=1) == 1  # bounded batches
    delivery_tasks.requeue_deliveries.call_local()
    assert sorted(p["path"] for p in one.posts) == ["/inbox", "/users/al/inbox"]
    assert all(r.state == DeliveryState.DELIVERED for r in rows())
    delivery_tasks.requeue_deliveries.call_local()
    assert len(one.posts) == 2  # nothing is sent twice


def test_slow_inbox_does_not_delay_a_healthy_one(alice, servers, real_queue):
    slow, healthy, _ = servers
    slow.delay = 3.0
    follow(remote(slow, "sloth", "slow.example"), alice)  # the first delivery row
    follow(remote(healthy, "hare", "fast.example"), alice)
    statuses.post_status(account=alice, text="Hello")
    started = time.monotonic()
    queue.start_in_process_consumer(workers=4)

    deadline = time.monotonic() + 20
    while len(slow.posts) + len(healthy.posts) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert healthy.posts and slow.posts
    assert healthy.posts[0]["answered"] < slow.posts[0]["answered"]
    assert healthy.posts[0]["answered"] - started < 2.5  # not behind the slow one's 3 s


# -- cancelling and undoing ------------------------------------------------------------------


def test_deleting_a_status_cancels_its_pending_create_but_delivers_the_delete(alice, servers):
    one = servers[0]
    one.status = 500
    follow(remote(one, "ann", "one.example"), alice)
    status = statuses.post_status(account=alice, text="Oops")
    (create,) = rows("Create")
    assert create.state == DeliveryState.PENDING

    one.status = 202
    statuses.delete_status(status=status, by=alice)

    assert rows("Create")[0].state == DeliveryState.CANCELLED
    (deleted,) = rows("Delete")
    assert deleted.state == DeliveryState.DELIVERED
    assert one.types() == ["Create", "Delete"]
    assert one.posts[-1]["body"]["object"]["id"] == status.uri


def test_favourite_sends_like_and_unfavourite_sends_undo_like(client, alice, servers):
    one = servers[0]
    author = remote(one, "ann", "one.example")
    status = remote_status(author)
    headers = bearer(token_for(alice))

    assert (
        client.post(f"/api/v1/statuses/{status.id}/favourite", headers=headers).status_code == 200
    )
    assert (
        client.post(f"/api/v1/statuses/{status.id}/unfavourite", headers=headers).status_code == 200
    )

    assert [p["path"] for p in one.posts] == ["/users/ann/inbox"] * 2
    like, undo = (p["body"] for p in one.posts)
    assert (like["type"], like["actor"], like["object"]) == ("Like", alice.uri, status.uri)
    assert undo["type"] == "Undo" and undo["object"]["id"] == like["id"]
    assert all(p["key_id"] == alice.public_key_id for p in one.posts)


def test_boost_and_unboost(alice, servers):
    one = servers[0]
    author = remote(one, "ann", "one.example")
    follow(remote(one, "fan", "one.example", shared=False), alice)
    status = remote_status(author)
    interactions.reblog(status=status, by=alice)
    interactions.unreblog(status=status, by=alice)
    announces = [p for p in one.posts if p["body"]["type"] == "Announce"]
    assert sorted(p["path"] for p in announces) == ["/users/ann/inbox", "/users/fan/inbox"]
    undo = one.posts[-1]["body"]
    assert undo["type"] == "Undo" and undo["object"]["type"] == "Announce"


def test_follow_of_a_remote_account_sends_follow_then_undo(client, alice, servers):
    one = servers[0]
    target = remote(one, "ann", "one.example")
    headers = bearer(token_for(alice))

    response = client.post(f"/api/v1/accounts/{target.id}/follow", headers=headers)
    assert response.status_code == 200 and response.json["requested"] is True
    client.post(f"/api/v1/accounts/{target.id}/unfollow", headers=headers)

    follow_, undo = (p["body"] for p in one.posts)
    assert one.posts[0]["path"] == "/users/ann/inbox"
    assert (follow_["type"], follow_["actor"], follow_["object"]) == (
        "Follow",
        alice.uri,
        target.uri,
    )
    assert undo["type"] == "Undo" and undo["object"]["id"] == follow_["id"]


def test_block_sends_block_and_undoes_the_follow_then_unblock(alice, servers):
    from fedi.services import blocks, follows

    one = servers[0]
    target = remote(one, "ann", "one.example")
    follows.follow(account=alice, target=target)
    blocks.block(account=alice, target=target)
    blocks.unblock(account=alice, target=target)
    assert one.types() == ["Follow", "Block", "Undo", "Undo"]
    undo_follow, undo_block = one.posts[2]["body"], one.posts[3]["body"]
    assert undo_follow["object"]["type"] == "Follow"
    assert undo_block["object"]["type"] == "Block"


def test_profile_update_reaches_every_remote_follower(alice, servers):
    from fedi.services import profiles

    one, other, _ = servers
    follow(remote(one, "ann", "one.example"), alice)
    follow(remote(other, "bo", "other.example"), alice)
    profiles.update_profile(account=alice, update=profiles.ProfileUpdate(display_name="Alice B"))
    for server in (one, other):
        (post,) = server.posts
        assert post["body"]["type"] == "Update" and post["body"]["object"]["name"] == "Alice B"


def test_authorize_and_reject_remote_follow_requests(alice, servers):
    from fedi.models import FollowRequest
    from fedi.services import follows

    one = servers[0]
    ann, bo = remote(one, "ann", "one.example"), remote(one, "bo", "one.example")
    for requester in (ann, bo):
        db.session.add(
            FollowRequest(
                id=new_id(), account_id=requester.id, target_account_id=alice.id,
                uri=f"{requester.uri}#follows/1",
            )
        )  # fmt: skip
    db.session.commit()
    follows.authorize_request(target=alice, requester=ann)
    follows.reject_request(target=alice, requester=bo)

    assert [p["path"] for p in one.posts] == ["/users/ann/inbox", "/users/bo/inbox"]
    accept, reject = (p["body"] for p in one.posts)
    assert accept["type"] == "Accept" and accept["object"]["id"] == f"{ann.uri}#follows/1"
    assert reject["type"] == "Reject" and reject["object"]["id"] == f"{bo.uri}#follows/1"
    assert accept["actor"] == reject["actor"] == alice.uri


def test_undo_cancels_a_pending_retry_of_the_original(alice, servers):
    one = servers[0]
    one.status = 500
    status = remote_status(remote(one, "ann", "one.example"))
    interactions.favourite(status=status, by=alice)
    assert rows("Like")[0].state == DeliveryState.PENDING

    one.status = 202
    interactions.unfavourite(status=status, by=alice)

    assert rows("Like")[0].state == DeliveryState.CANCELLED
    assert rows("Undo")[0].state == DeliveryState.DELIVERED
    assert one.types() == ["Like", "Undo"]


def test_deliver_activity_is_idempotent_on_the_activity_id(alice, servers):
    one = servers[0]
    inbox = f"{one.base}/inbox"
    activity = {"id": f"{alice.uri}#updates/1", "type": "Update", "actor": alice.uri}
    for _ in range(2):
        delivery.deliver_activity(actor=alice, activity=activity, inboxes=[inbox, inbox])
    assert len(one.posts) == 1 and len(rows()) == 1

    changed = {**activity, "object": {"type": "Person", "id": alice.uri}}
    delivery.deliver_activity(actor=alice, activity=changed, inboxes=[inbox])
    assert len(one.posts) == 2 and one.posts[-1]["body"] == changed
    assert db.session.scalar(select(OutboxActivity.created_at)) is not None
