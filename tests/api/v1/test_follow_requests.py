"""Follow requests of a locked account: list, authorize, reject."""

from __future__ import annotations

import pytest

from fedi.extensions import db
from fedi.services import follows, statuses
from tests.helpers import bearer, make_local, token_for


@pytest.fixture
def locked(alice):
    alice.locked = True
    db.session.commit()
    return alice


def test_list_pending_requests_newest_first(client, locked, bob, carol):
    follows.follow(account=bob, target=locked)
    follows.follow(account=carol, target=locked)

    r = client.get("/api/v1/follow_requests", headers=bearer(token_for(locked)))

    assert r.status_code == 200
    assert [a["acct"] for a in r.get_json()] == ["carol", "bob"]
    assert 'rel="next"' in r.headers["Link"]
    page = client.get("/api/v1/follow_requests?limit=1", headers=bearer(token_for(locked)))
    assert [a["acct"] for a in page.get_json()] == ["carol"]
    me = client.get("/api/v1/accounts/verify_credentials", headers=bearer(token_for(locked)))
    assert me.get_json()["source"]["follow_requests_count"] == 2


def test_authorize_makes_a_follower_who_sees_private_posts(client, locked, bob):
    private = statuses.post_status(account=locked, text="friends only", visibility_="private")
    follows.follow(account=bob, target=locked)
    headers = bearer(token_for(locked))

    r = client.post(f"/api/v1/follow_requests/{bob.id}/authorize", headers=headers)

    assert r.status_code == 200
    assert r.get_json()["id"] == str(bob.id) and r.get_json()["followed_by"] is True
    assert r.get_json()["requested_by"] is False
    assert client.get("/api/v1/follow_requests", headers=headers).get_json() == []
    body = client.get(
        f"/api/v1/accounts/{locked.id}/statuses", headers=bearer(token_for(bob))
    ).get_json()
    assert [s["id"] for s in body] == [str(private.id)]


def test_reject_drops_the_request(client, locked, bob):
    follows.follow(account=bob, target=locked)
    headers = bearer(token_for(locked))

    r = client.post(f"/api/v1/follow_requests/{bob.id}/reject", headers=headers)

    assert r.status_code == 200 and r.get_json()["requested_by"] is False
    assert r.get_json()["followed_by"] is False
    theirs = client.get(
        f"/api/v1/accounts/relationships?id[]={locked.id}", headers=bearer(token_for(bob))
    ).get_json()[0]
    assert theirs["requested"] is False and theirs["following"] is False


def test_no_request_no_token_or_wrong_scope(client, locked, bob):
    headers = bearer(token_for(locked))
    r = client.post(f"/api/v1/follow_requests/{bob.id}/authorize", headers=headers)
    assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}
    assert client.post("/api/v1/follow_requests/1/reject", headers=headers).status_code == 404
    assert client.get("/api/v1/follow_requests").status_code == 401
    follows.follow(account=bob, target=locked)
    read_only = bearer(token_for(locked, "read"))
    assert (
        client.post(f"/api/v1/follow_requests/{bob.id}/authorize", headers=read_only).status_code
        == 403
    )
    assert (
        client.get(
            "/api/v1/follow_requests", headers=bearer(token_for(locked, "write"))
        ).status_code
        == 403
    )
    # Someone else cannot answer alice's requests.
    other = bearer(token_for(make_local("eve")))
    assert (
        client.post(f"/api/v1/follow_requests/{bob.id}/authorize", headers=other).status_code == 404
    )
