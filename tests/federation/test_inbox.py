# ruff: noqa: F811  (pytest fixtures imported from remote_actor are parameters here)
"""The inbox endpoints: limits, parsing, signatures, signer == actor, storage and idempotency."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from fedi.extensions import db
from fedi.models import Account, Follow, InboxItem, InboxState, Status, utcnow
from tests.federation.remote_actor import (  # noqa: F401  (fixtures)
    fixture,
    mallory,
    private_fetches,
    remote_keys,
    remote_server,
    rita,
    stale_date,
)
from tests.helpers import count_queries


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _follow(rita, alice) -> dict:
    return fixture("mastodon_follow.json", REMOTE=rita.server.base, ACTOR=rita.uri,
                   LOCAL_ACTOR=alice.uri)  # fmt: skip


def test_signed_follow_is_stored_and_answered_202(client, alice, rita):
    resp = rita.post(client, "/users/alice/inbox", _follow(rita, alice))
    assert resp.status_code == 202
    item = db.session.scalar(select(InboxItem))
    assert item.activity_type == "Follow" and item.actor_uri == rita.uri
    assert item.recipient_account_id == alice.id
    assert item.state == InboxState.PROCESSED
    remote = db.session.scalar(select(Account).where(Account.uri == rita.uri))
    assert remote.public_key_id == rita.key_id and "BEGIN PUBLIC KEY" in remote.public_key
    assert remote.domain == rita.server.base.removeprefix("http://")


def test_shared_inbox_accepts_too(client, alice, rita):
    assert rita.post(client, "/inbox", _follow(rita, alice)).status_code == 202
    assert _count(Follow) == 1


def test_missing_signature_is_401(client, alice, rita):
    body = json.dumps(_follow(rita, alice))
    resp = client.post("/users/alice/inbox", data=body,
                       headers={"Content-Type": "application/activity+json"})  # fmt: skip
    assert resp.status_code == 401
    assert _count(InboxItem) == 0


def test_bad_signature_is_401(client, alice, rita, mallory):
    # Signed with mallory's private key but claiming rita's key id.
    resp = rita.post(client, "/users/alice/inbox", _follow(rita, alice),
                     private_pem=mallory.private_pem)  # fmt: skip
    assert resp.status_code == 401
    assert _count(InboxItem) == 0


def test_tampered_body_is_401(client, alice, rita):
    body = json.dumps(_follow(rita, alice)).encode()
    headers = rita.signed_headers("/users/alice/inbox", body)
    tampered = body.replace(b"Follow", b"Block")
    resp = client.post("/users/alice/inbox", data=tampered, headers=headers)
    assert resp.status_code == 401


def test_signer_who_is_not_the_actor_is_401(client, alice, rita, mallory):
    activity = _follow(rita, alice)  # actor: rita; signed by mallory with mallory's own key
    resp = mallory.post(client, "/users/alice/inbox", activity)
    assert resp.status_code == 401
    assert _count(InboxItem) == 0 and _count(Follow) == 0


def test_stale_date_is_401(client, alice, rita):
    resp = rita.post(client, "/users/alice/inbox", _follow(rita, alice), date=stale_date())
    assert resp.status_code == 401


def test_duplicate_activity_is_processed_once(client, alice, bob, rita):
    activity = rita.activity("Follow", bob.uri)
    assert rita.post(client, "/inbox", activity).status_code == 202
    assert rita.post(client, "/inbox", activity).status_code == 202
    assert _count(InboxItem) == 1
    assert _count(Follow) == 1
    assert len(rita.server.posted("Accept")) == 1


def test_oversized_body_is_413(client, alice, rita):
    activity = _follow(rita, alice)
    activity["padding"] = "x" * (1024 * 1024)
    resp = rita.post(client, "/users/alice/inbox", activity)
    assert resp.status_code == 413


def test_not_json_is_400(client, alice):
    resp = client.post("/users/alice/inbox", data=b"{nope",
                       headers={"Content-Type": "application/activity+json"})  # fmt: skip
    assert resp.status_code == 400
    resp = client.post("/users/alice/inbox", data=b"[1, 2]")
    assert resp.status_code == 400


def test_deeply_nested_activity_is_400_and_not_stored(client, alice, rita):
    """A correctly signed activity whose object nests past json_limits.MAX_DEPTH (255 levels
    could not even be written back out of a JSON column) is refused before anything is stored."""
    activity = _follow(rita, alice)
    nested: dict = {"type": "Note"}
    for _ in range(255):
        nested = {"type": "Note", "inReplyTo": nested}
    activity["object"] = nested
    resp = rita.post(client, "/users/alice/inbox", activity)
    assert resp.status_code == 400
    assert _count(InboxItem) == 0 and _count(Follow) == 0


def test_unknown_inbox_owner_is_404(client, rita):
    resp = rita.post(client, "/users/nobody/inbox", rita.activity("Follow", "x"))
    assert resp.status_code == 404


def test_suspended_actor_is_accepted_and_dropped(client, alice, rita):
    assert rita.post(client, "/inbox", rita.activity("Like", "x")).status_code == 202
    remote = db.session.scalar(select(Account).where(Account.uri == rita.uri))
    remote.suspended_at = utcnow()
    db.session.commit()
    resp = rita.post(client, "/users/alice/inbox", _follow(rita, alice))
    assert resp.status_code == 202
    assert _count(Follow) == 0
    assert _count(InboxItem) == 1  # only the first one was stored


def test_delete_of_an_unknown_actor_is_accepted_without_a_fetch(client, rita):
    gets = len(rita.server.gets)
    resp = client.post(
        "/inbox",
        data=json.dumps(rita.activity("Delete", rita.uri)),
        headers={"Content-Type": "application/activity+json"},
    )
    assert resp.status_code == 202
    assert len(rita.server.gets) == gets and _count(InboxItem) == 0


def test_unknown_type_is_recorded_and_ignored(client, alice, rita):
    resp = rita.post(client, "/inbox", rita.activity("EmojiReact", alice.uri, content="🐦"))
    assert resp.status_code == 202
    item = db.session.scalar(select(InboxItem))
    assert item.activity_type == "EmojiReact" and item.state == InboxState.IGNORED
    assert _count(Status) == 0


def test_key_served_apart_from_the_actor(
    client, alice, remote_server, remote_keys, private_fetches
):
    """GoToSocial-style key ids (`/users/x/main-key`) serve a stub naming the actor."""
    from tests.federation.remote_actor import RemoteActor

    gina = RemoteActor(remote_server, "gina", remote_keys[1])
    gina.key_id = f"{gina.uri}/main-key"
    gina.doc["publicKey"]["id"] = gina.key_id
    remote_server.docs["/users/gina/main-key"] = {
        "id": gina.uri, "type": "Person", "publicKey": gina.doc["publicKey"],
    }  # fmt: skip
    assert gina.post(client, "/inbox", gina.activity("Follow", alice.uri)).status_code == 202
    account = db.session.scalar(select(Account).where(Account.uri == gina.uri))
    assert account.public_key_id == gina.key_id and account.inbox_url.endswith("/gina/inbox")
    assert _count(Follow) == 1


def test_rotated_key_is_refetched_once(client, alice, rita, remote_keys):
    assert rita.post(client, "/inbox", rita.activity("Like", "x")).status_code == 202
    new_private, new_public = remote_keys[1]
    rita.private_pem = new_private
    rita.doc["publicKey"]["publicKeyPem"] = new_public
    assert rita.post(client, "/users/alice/inbox", _follow(rita, alice)).status_code == 202
    remote = db.session.scalar(select(Account).where(Account.uri == rita.uri))
    assert remote.public_key == new_public


def test_pending_items_are_requeued(client, alice, rita):
    """A lost queue loses nothing: a stored item still pending is processed by the sweep."""
    from datetime import timedelta

    from fedi.federation import inbox

    item = InboxItem(
        activity_uri=f"{rita.uri}/lost/1", activity_type="Follow", actor_uri=rita.uri,
        payload=rita.activity("Follow", alice.uri), created_at=utcnow() - timedelta(hours=1),
    )  # fmt: skip
    item.payload["id"] = item.activity_uri
    db.session.add(item)
    db.session.commit()
    from fedi.federation import resolve

    resolve.resolve_account(rita.uri)
    assert inbox.requeue_pending() == 1
    db.session.expire_all()
    assert db.session.get(InboxItem, item.id).state == InboxState.PROCESSED
    assert _count(Follow) == 1


def test_a_known_signer_is_looked_up_once_then_served_from_the_cache(client, alice, rita):
    assert rita.post(client, "/inbox", rita.activity("Like", "x")).status_code == 202
    with count_queries() as seen:
        assert rita.post(client, "/inbox", rita.activity("Like", "y")).status_code == 202
    assert not [s for s in seen if "WHERE accounts.public_key_id" in s]  # no key query
    assert _count(InboxItem) == 2


# -- back-pressure ---------------------------------------------------------------------------


@pytest.fixture
def unprocessed(app, monkeypatch):
    """Items stay pending (no worker), and the count of those waiting is never cached."""
    from fedi import queue
    from fedi.federation import inbox

    monkeypatch.setitem(queue.registry, "process_inbox_item", lambda item_id: None)
    monkeypatch.setattr(inbox, "PENDING_TTL", 0.0)
    return app.config["FEDI"]


def test_a_full_queue_is_answered_503_with_retry_after_and_stores_nothing(
    client, alice, rita, unprocessed, monkeypatch
):
    monkeypatch.setattr(unprocessed, "INBOX_QUEUE_LIMIT", 2)
    for n in range(2):
        assert rita.post(client, "/inbox", rita.activity("Like", f"x{n}")).status_code == 202
    gets = len(rita.server.gets)

    for path in ("/inbox", "/users/alice/inbox"):
        resp = rita.post(client, path, rita.activity("Like", "one too many"))
        assert resp.status_code == 503 and resp.headers["Retry-After"] == "30"

    assert _count(InboxItem) == 2
    assert len(rita.server.gets) == gets  # refused before any signature work

    db.session.execute(InboxItem.__table__.update().values(state=InboxState.PROCESSED))
    db.session.commit()  # the worker caught up
    assert rita.post(client, "/inbox", rita.activity("Like", "later")).status_code == 202
    assert _count(InboxItem) == 3


def test_a_host_over_its_budget_gets_429_until_the_window_ends(
    client, alice, rita, mallory, unprocessed, monkeypatch
):
    from tests.federation.remote_actor import RemoteActor, RemoteServer, new_key

    monkeypatch.setattr(unprocessed, "INBOX_HOST_LIMIT", 2)
    monkeypatch.setattr(unprocessed, "INBOX_HOST_PERIOD", 600)
    # a forged activity (signed with mallory's key as rita's) does not use up rita's budget
    forged = rita.activity("Like", "f")
    assert rita.post(client, "/inbox", forged, private_pem=mallory.private_pem).status_code == 401
    for n in range(2):
        assert rita.post(client, "/inbox", rita.activity("Like", f"x{n}")).status_code == 202

    resp = rita.post(client, "/users/alice/inbox", _follow(rita, alice))
    assert resp.status_code == 429 and 1 <= int(resp.headers["Retry-After"]) <= 600
    # the budget is the host's: another actor there waits too, another host does not
    assert mallory.post(client, "/inbox", mallory.activity("Like", "m")).status_code == 429
    elsewhere = RemoteServer()
    try:
        olga = RemoteActor(elsewhere, "olga", new_key())
        assert olga.post(client, "/inbox", olga.activity("Like", "o")).status_code == 202
    finally:
        elsewhere.stop()
    assert _count(InboxItem) == 3 and _count(Follow) == 0


def test_an_object_whose_type_is_no_string_is_ignored_cleanly(client, alice, rita):
    """`type` as an object or a number (not a string, nor a list of them) raised TypeError
    (unhashable) in the Update handler, and the item stayed pending, retried for nothing."""
    follow = rita.post(client, "/users/alice/inbox", _follow(rita, alice))
    assert follow.status_code == 202
    note = rita.note("<p>first</p>", cc=[alice.uri])
    assert rita.post(client, "/inbox", rita.activity("Create", note)).status_code == 202
    edited = {**note, "type": ["Note", "Other"], "content": "<p>edited</p>"}
    edited["updated"] = "2026-11-21T10:00:00Z"

    for odd in ({"name": "Note"}, 5, [["Note"]], [{"a": 1}]):
        update = rita.activity("Update", {**note, "type": odd, "content": "<p>odd</p>"})
        assert rita.post(client, "/inbox", update).status_code == 202
    assert rita.post(client, "/inbox", rita.activity("Update", edited)).status_code == 202

    states = [(i.activity_type, i.state) for i in db.session.scalars(select(InboxItem))]
    assert InboxState.PENDING not in {s for _, s in states}, states
    status = db.session.scalar(select(Status).where(Status.uri == note["id"]))
    assert status.content == "<p>edited</p>"
