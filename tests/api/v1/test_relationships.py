"""Relationships: follow/unfollow with options, notes, remove_from_followers, and
GET /api/v1/accounts/relationships computed with a fixed number of queries."""

from __future__ import annotations

from fedi.extensions import db
from fedi.models import utcnow
from fedi.services import blocks, endorsements, follows, relationships
from tests.helpers import bearer, count_queries, make_local, make_remote, token_for

NOTHING = {
    "following": False, "showing_reblogs": False, "notifying": False, "languages": None,
    "followed_by": False, "blocking": False, "blocked_by": False, "muting": False,
    "muting_notifications": False, "requested": False, "requested_by": False,
    "domain_blocking": False, "endorsed": False, "note": "",
}  # fmt: skip


def test_a_stranger_is_nothing_to_you(client, alice, bob):
    r = client.get(
        f"/api/v1/accounts/relationships?id[]={bob.id}", headers=bearer(token_for(alice))
    )
    assert r.status_code == 200
    assert r.get_json() == [{"id": str(bob.id), **NOTHING}]


def test_follow_with_options_then_change_them(client, alice, bob):
    headers = bearer(token_for(alice))

    r = client.post(
        f"/api/v1/accounts/{bob.id}/follow",
        json={"reblogs": False, "notify": True, "languages": ["en", "de"]},
        headers=headers,
    )

    assert r.status_code == 200
    assert r.get_json() == {
        **NOTHING, "id": str(bob.id), "following": True, "showing_reblogs": False,
        "notifying": True, "languages": ["en", "de"],
    }  # fmt: skip
    # Following again changes only what is given.
    r = client.post(f"/api/v1/accounts/{bob.id}/follow", data={"reblogs": "true"}, headers=headers)
    assert (r.get_json()["showing_reblogs"], r.get_json()["notifying"]) == (True, True)
    assert r.get_json()["languages"] == ["en", "de"]
    other_side = client.get(
        f"/api/v1/accounts/relationships?id={alice.id}", headers=bearer(token_for(bob))
    ).get_json()[0]
    assert other_side["followed_by"] is True and other_side["following"] is False

    r = client.post(f"/api/v1/accounts/{bob.id}/unfollow", headers=headers)
    assert r.get_json() == {**NOTHING, "id": str(bob.id)}


def test_follow_needs_a_follow_scope_and_is_refused_across_a_block(client, alice, bob):
    r = client.post(f"/api/v1/accounts/{bob.id}/follow", headers=bearer(token_for(alice, "read")))
    assert r.status_code == 403
    assert client.post(f"/api/v1/accounts/{bob.id}/follow").status_code == 401
    r = client.post(f"/api/v1/accounts/{bob.id}/follow", headers=bearer(token_for(alice, "follow")))
    assert r.status_code == 200
    blocks.block(account=bob, target=alice)
    r = client.post(f"/api/v1/accounts/{bob.id}/follow", headers=bearer(token_for(alice)))
    assert r.status_code == 403 and r.get_json() == {"error": "This action is not allowed"}
    r = client.post(f"/api/v1/accounts/{alice.id}/follow", headers=bearer(token_for(alice)))
    assert r.status_code == 403


def test_following_a_locked_account_is_a_request(client, alice, bob):
    bob.locked = True
    db.session.commit()
    r = client.post(f"/api/v1/accounts/{bob.id}/follow", headers=bearer(token_for(alice)))
    assert r.get_json()["requested"] is True and r.get_json()["following"] is False
    assert r.get_json()["showing_reblogs"] is True
    theirs = client.get(
        f"/api/v1/accounts/relationships?id[]={alice.id}", headers=bearer(token_for(bob))
    ).get_json()[0]
    assert theirs["requested_by"] is True


def test_remove_from_followers(client, alice, bob):
    follows.follow(account=bob, target=alice)
    r = client.post(
        f"/api/v1/accounts/{bob.id}/remove_from_followers", headers=bearer(token_for(alice))
    )
    assert r.status_code == 200 and r.get_json()["followed_by"] is False
    db.session.refresh(alice)
    assert alice.followers_count == 0


def test_private_notes(client, alice, bob):
    headers = bearer(token_for(alice))
    r = client.post(
        f"/api/v1/accounts/{bob.id}/note", data={"comment": "met at the zine fair"}, headers=headers
    )
    assert r.status_code == 200 and r.get_json()["note"] == "met at the zine fair"
    r = client.post(f"/api/v1/accounts/{bob.id}/note", json={"comment": "changed"}, headers=headers)
    assert r.get_json()["note"] == "changed"
    # Nobody else sees it.
    theirs = client.get(
        f"/api/v1/accounts/relationships?id[]={bob.id}",
        headers=bearer(token_for(make_local("eve"))),
    )
    assert theirs.get_json()[0]["note"] == ""
    r = client.post(
        f"/api/v1/accounts/{bob.id}/note", data={"comment": "x" * 2001}, headers=headers
    )
    assert r.status_code == 422
    assert (
        r.get_json()["error"]
        == "Validation failed: Comment is too long (maximum is 2000 characters)"
    )
    r = client.post(f"/api/v1/accounts/{bob.id}/note", data={"comment": ""}, headers=headers)
    assert r.get_json()["note"] == ""
    r = client.post(
        f"/api/v1/accounts/{bob.id}/note",
        data={"comment": "x"},
        headers=bearer(token_for(alice, "read")),
    )
    assert r.status_code == 403


def test_relationships_keep_the_order_asked_and_skip_unknown_ids(client, alice, bob, carol):
    carol.suspended_at = utcnow()
    db.session.commit()
    headers = bearer(token_for(alice))
    asked = [carol.id, bob.id, 12345, "abc", bob.id]
    url = "/api/v1/accounts/relationships?" + "&".join(f"id[]={i}" for i in asked)
    assert [r["id"] for r in client.get(url, headers=headers).get_json()] == [str(bob.id)]
    both = client.get(url + "&with_suspended=true", headers=headers).get_json()
    assert [r["id"] for r in both] == [str(carol.id), str(bob.id)]
    assert client.get("/api/v1/accounts/relationships", headers=headers).get_json() == []


def _everything_towards(viewer, others):
    """Give the viewer every kind of relationship with the accounts in `others`."""
    for i, other in enumerate(others):
        kind = i % 5
        if kind == 0:
            follows.follow(account=viewer, target=other)
            endorsements.endorse(account=viewer, target=other)
            follows.follow(account=other, target=viewer)
        elif kind == 1:
            blocks.block(account=other, target=viewer)
        elif kind == 2:
            blocks.mute(account=viewer, target=other, notifications=False)
            relationships.set_note(account=viewer, target=other, comment="hm")
        elif kind == 3:
            follows.follow(account=viewer, target=other)  # remote: a request
            blocks.block_domain(account=viewer, domain=other.domain)
        else:
            blocks.block(account=viewer, target=other)


def _queries_for(client, headers, ids) -> tuple[list, int]:
    url = "/api/v1/accounts/relationships?" + "&".join(f"id[]={i}" for i in ids)
    with count_queries() as seen:
        body = client.get(url, headers=headers).get_json()
    return body, len(seen)


def test_relationships_take_a_fixed_number_of_queries(client, alice):
    others = [
        make_remote(f"r{i}", f"d{i}.example") if i % 5 == 3 else make_local(f"u{i}")
        for i in range(15)
    ]
    _everything_towards(alice, others)
    headers = bearer(token_for(alice))
    ids = [o.id for o in others]
    _queries_for(client, headers, ids[:1])  # the token's first use is recorded once

    _, few = _queries_for(client, headers, ids[:5])
    body, many = _queries_for(client, headers, ids)

    assert many == few <= 10
    by_id = {r["id"]: r for r in body}
    first, blocked_by, muted, remote, blocked = (by_id[str(o.id)] for o in others[:5])
    assert first["following"] and first["followed_by"] and first["endorsed"]
    assert blocked_by["blocked_by"] and not blocked_by["blocking"]
    assert muted["muting"] and not muted["muting_notifications"] and muted["note"] == "hm"
    assert remote["domain_blocking"] and not remote["requested"]  # the domain block ended it
    assert blocked["blocking"] and not blocked["following"]
