"""Blocks, mutes and domain blocks: the account actions and the lists."""

from __future__ import annotations

from sqlalchemy import func, select

from fedi.extensions import db
from fedi.models import Follow, Notification
from fedi.services import blocks, follows, statuses
from tests.helpers import bearer, make_local, make_remote, token_for


def test_block_severs_follows_and_hides_both_ways(client, alice, bob):
    follows.follow(account=bob, target=alice)
    follows.follow(account=alice, target=bob)
    statuses.post_status(account=alice, text="public, but not for bob any more")
    headers = bearer(token_for(alice))

    r = client.post(f"/api/v1/accounts/{bob.id}/block", headers=headers)

    assert r.status_code == 200
    rel = r.get_json()
    assert rel["blocking"] is True and rel["following"] is False and rel["followed_by"] is False
    assert db.session.scalar(select(func.count(Follow.id))) == 0
    theirs = client.get(
        f"/api/v1/accounts/relationships?id[]={alice.id}", headers=bearer(token_for(bob))
    ).get_json()[0]
    assert theirs["blocked_by"] is True
    bob_view = client.get(f"/api/v1/accounts/{alice.id}/statuses", headers=bearer(token_for(bob)))
    assert bob_view.get_json() == []
    r = client.post(f"/api/v1/accounts/{bob.id}/follow", headers=bearer(token_for(bob)))
    assert r.status_code == 403

    r = client.post(f"/api/v1/accounts/{bob.id}/unblock", headers=headers)
    assert r.get_json()["blocking"] is False


def test_blocks_list_pages_by_block_id(client, alice):
    targets = [make_local(f"t{i}") for i in range(3)]
    for target in targets:
        blocks.block(account=alice, target=target)
    headers = bearer(token_for(alice))

    r = client.get("/api/v1/blocks?limit=2", headers=headers)

    assert [a["acct"] for a in r.get_json()] == ["t2", "t1"]
    next_url = r.headers["Link"].split(">")[0].lstrip("<").replace("https://wren.test", "")
    assert "max_id=" in next_url
    assert [a["acct"] for a in client.get(next_url, headers=headers).get_json()] == ["t0"]
    assert (
        client.get("/api/v1/blocks", headers=bearer(token_for(alice, "read:mutes"))).status_code
        == 403
    )
    assert (
        client.get("/api/v1/blocks", headers=bearer(token_for(alice, "follow"))).status_code == 200
    )


def test_mute_with_duration_and_notifications(client, alice, bob):
    headers = bearer(token_for(alice))

    r = client.post(
        f"/api/v1/accounts/{bob.id}/mute", data={"notifications": "false", "duration": "3600"},
        headers=headers,
    )  # fmt: skip

    assert r.status_code == 200
    assert r.get_json()["muting"] is True and r.get_json()["muting_notifications"] is False
    muted = client.get("/api/v1/mutes", headers=headers).get_json()
    assert [a["acct"] for a in muted] == ["bob"]
    assert muted[0]["mute_expires_at"].endswith("Z")
    r = client.post(f"/api/v1/accounts/{bob.id}/mute", json={"duration": -5}, headers=headers)
    assert r.status_code == 422
    r = client.post(f"/api/v1/accounts/{bob.id}/mute", headers=headers)
    assert r.get_json()["muting_notifications"] is True
    assert client.get("/api/v1/mutes", headers=headers).get_json()[0]["mute_expires_at"] is None

    r = client.post(f"/api/v1/accounts/{bob.id}/unmute", headers=headers)
    assert r.get_json()["muting"] is False
    assert client.get("/api/v1/mutes", headers=headers).get_json() == []


def test_expired_mutes_are_not_listed(client, alice, bob):
    mute = blocks.mute(account=alice, target=bob, duration=60)
    mute.expires_at = mute.expires_at.replace(year=2000)
    db.session.commit()
    assert client.get("/api/v1/mutes", headers=bearer(token_for(alice))).get_json() == []


def test_mute_and_block_need_their_scopes(client, alice, bob):
    read = bearer(token_for(alice, "read"))
    assert client.post(f"/api/v1/accounts/{bob.id}/mute", headers=read).status_code == 403
    assert client.post(f"/api/v1/accounts/{bob.id}/block", headers=read).status_code == 403
    only_blocks = bearer(token_for(alice, "write:blocks"))
    assert client.post(f"/api/v1/accounts/{bob.id}/mute", headers=only_blocks).status_code == 403
    assert client.post(f"/api/v1/accounts/{bob.id}/block", headers=only_blocks).status_code == 200
    assert client.post("/api/v1/accounts/99/block", headers=only_blocks).status_code == 404


def test_domain_blocks(client, alice, remote_dave):
    follows.follow(account=remote_dave, target=alice)
    headers = bearer(token_for(alice))

    r = client.post("/api/v1/domain_blocks", data={"domain": "Remote.Example"}, headers=headers)

    assert r.status_code == 200 and r.get_json() == {}
    assert db.session.scalar(select(func.count(Follow.id))) == 0  # their followers are gone
    client.post("/api/v1/domain_blocks", json={"domain": "other.example"}, headers=headers)
    r = client.get("/api/v1/domain_blocks", headers=headers)
    assert r.get_json() == ["other.example", "remote.example"]
    assert client.get("/api/v1/domain_blocks?limit=1", headers=headers).get_json() == [
        "other.example"
    ]
    rel = client.get(
        f"/api/v1/accounts/relationships?id[]={remote_dave.id}", headers=headers
    ).get_json()[0]
    assert rel["domain_blocking"] is True
    r = client.post(f"/api/v1/accounts/{remote_dave.id}/follow", headers=headers)
    assert r.status_code == 403

    r = client.delete("/api/v1/domain_blocks?domain=remote.example", headers=headers)
    assert r.status_code == 200 and r.get_json() == {}
    assert client.get("/api/v1/domain_blocks", headers=headers).get_json() == ["other.example"]


def test_domain_block_needs_a_domain_and_a_scope(client, alice):
    headers = bearer(token_for(alice))
    r = client.post("/api/v1/domain_blocks", headers=headers)
    assert r.status_code == 422
    r = client.post(
        "/api/v1/domain_blocks",
        data={"domain": "x.example"},
        headers=bearer(token_for(alice, "read")),
    )
    assert r.status_code == 403
    assert client.get("/api/v1/domain_blocks").status_code == 401


def test_domain_block_clears_notifications_from_that_domain(client, alice):
    eve = make_remote("eve", "noisy.example")
    follows.follow(account=eve, target=make_local("quiet"))
    follows.follow(account=alice, target=eve)  # a request to a remote account
    follows.authorize_request(target=eve, requester=alice)
    follows.follow(account=eve, target=alice)
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.account_id == alice.id)
        )
        == 1
    )

    client.post(
        "/api/v1/domain_blocks", data={"domain": "noisy.example"}, headers=bearer(token_for(alice))
    )

    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.account_id == alice.id)
        )
        == 0
    )
    assert (
        db.session.scalar(
            select(func.count(Follow.id)).where(
                (Follow.account_id == alice.id) | (Follow.target_account_id == alice.id)
            )
        )
        == 0
    )
