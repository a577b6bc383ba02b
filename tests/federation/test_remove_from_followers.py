# ruff: noqa: F811  (pytest fixtures imported from remote_actor are parameters here)
"""Removing a remote follower: its server is told with a signed Reject of its Follow (as
Mastodon does), so the follow ends on both sides; a local follower is just removed."""

from __future__ import annotations

from sqlalchemy import select

from fedi.extensions import db
from fedi.federation import resolve
from fedi.models import Follow
from fedi.services import follows
from tests.federation.remote_actor import (  # noqa: F401  (fixtures)
    private_fetches,
    remote_keys,
    remote_server,
    rita,
)
from tests.helpers import bearer, token_for


def test_removing_a_remote_follower_sends_reject_of_its_follow(client, alice, rita):
    follow = rita.activity("Follow", alice.uri)
    assert rita.post(client, "/users/alice/inbox", follow).status_code == 202
    remote = resolve.find_account_by_uri(rita.uri)
    rita.server.posts.clear()

    r = client.post(f"/api/v1/accounts/{remote.id}/remove_from_followers",
                    headers=bearer(token_for(alice)))  # fmt: skip

    assert r.status_code == 200 and r.get_json()["followed_by"] is False
    assert db.session.scalars(select(Follow)).all() == []
    ((path, headers, reject),) = rita.server.posts
    assert path == "/users/rita/inbox"
    assert f'keyId="{alice.public_key_id}"' in headers["Signature"]
    assert reject["type"] == "Reject" and reject["actor"] == alice.uri
    assert reject["object"] == {"id": follow["id"], "type": "Follow", "actor": rita.uri,
                                "object": alice.uri}  # fmt: skip


def test_removing_a_local_follower_sends_nothing(client, alice, bob, rita):
    follows.follow(account=bob, target=alice)
    r = client.post(f"/api/v1/accounts/{bob.id}/remove_from_followers",
                    headers=bearer(token_for(alice)))  # fmt: skip
    assert r.status_code == 200 and r.get_json()["followed_by"] is False
    assert rita.server.posts == []


def test_removing_someone_who_does_not_follow_sends_nothing(client, alice, rita):
    remote = resolve.resolve_account(rita.uri)
    r = client.post(f"/api/v1/accounts/{remote.id}/remove_from_followers",
                    headers=bearer(token_for(alice)))  # fmt: skip
    assert r.status_code == 200
    assert rita.server.posts == []
