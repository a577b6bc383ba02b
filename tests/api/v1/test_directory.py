"""GET /api/v1/directory: discoverable accounts, active or new first, local or all, by offset."""

from __future__ import annotations

from datetime import timedelta

from fedi.extensions import db
from fedi.federation import instance_actor
from fedi.models import utcnow
from fedi.services import blocks
from tests.helpers import bearer, make_local, make_remote, token_for


def names(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [a["acct"] for a in response.get_json()]


def _active(account, minutes_ago: int):
    account.last_status_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    return account


def test_active_and_new_orders_and_who_is_listed(client):
    # The instance actor has no login: never listed, even made discoverable and active.
    actor = _active(instance_actor.get_instance_actor(), 0)
    actor.discoverable = True
    old = _active(make_local("old"), 60)
    _active(make_local("recent"), 1)
    quiet = make_local("quiet")  # never posted: only in the `new` order
    hidden = _active(make_local("hidden"), 2)
    hidden.discoverable = False
    unconfirmed = _active(make_local("unconfirmed", confirmed=False), 2)
    suspended = _active(make_local("suspended"), 3)
    suspended.suspended_at = utcnow()
    silenced = _active(make_local("silenced"), 4)
    silenced.silenced_at = utcnow()
    db.session.commit()
    remote = _active(make_remote("far"), 30)
    assert hidden and remote and unconfirmed

    assert names(client.get("/api/v1/directory")) == ["recent", "far@remote.example", "old"]
    assert names(client.get("/api/v1/directory?order=active")) == [
        "recent", "far@remote.example", "old",
    ]  # fmt: skip
    assert names(client.get("/api/v1/directory?order=new")) == [
        "far@remote.example", "quiet", "recent", "old",
    ]  # fmt: skip
    assert names(client.get("/api/v1/directory?local=true")) == ["recent", "old"]
    assert names(client.get("/api/v1/directory?order=new&local=1")) == ["quiet", "recent", "old"]
    assert quiet and old


def test_offset_and_limit(client):
    for n in range(5):
        _active(make_local(f"user{n}"), n)
    assert names(client.get("/api/v1/directory?limit=2")) == ["user0", "user1"]
    assert names(client.get("/api/v1/directory?limit=2&offset=2")) == ["user2", "user3"]
    assert names(client.get("/api/v1/directory?limit=2&offset=4")) == ["user4"]
    assert names(client.get("/api/v1/directory?limit=2&offset=6")) == []
    assert len(names(client.get("/api/v1/directory?limit=500"))) == 5
    assert client.get("/api/v1/directory?offset=x").status_code == 422


def test_a_viewer_does_not_see_whom_they_block(client, alice, bob):
    _active(alice, 1)
    _active(bob, 2)
    carol = _active(make_local("carol"), 3)
    blocks.block(account=alice, target=carol)
    headers = bearer(token_for(alice, "read:accounts"))
    assert names(client.get("/api/v1/directory", headers=headers)) == ["alice", "bob"]
    assert names(client.get("/api/v1/directory")) == ["alice", "bob", "carol"]


def test_the_entity_is_an_account(client, alice):
    _active(alice, 1)
    [entity] = client.get("/api/v1/directory").get_json()
    assert entity["id"] == str(alice.id) and entity["username"] == "alice"
    assert entity["discoverable"] is True and "last_status_at" in entity
