"""Mastodon's admin API for domain blocks and domain allows, with real tokens: the entities,
the 422 of an existing block, the effects of a block on the domain's accounts and deliveries,
undoing it, the audit log, and who may call (anonymous 401; a user's token, a token without
the scope and a moderator 403)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from fedi.extensions import db
from fedi.models import (
    Account,
    AuditLogEntry,
    Delivery,
    DeliveryState,
    DomainBlock,
    Follow,
    OutboxActivity,
    Role,
)
from tests.helpers import bearer, make_local, make_remote, token_for

BLOCKS = "/api/v1/admin/domain_blocks"
ALLOWS = "/api/v1/admin/domain_allows"


@pytest.fixture
def admin() -> Account:
    return make_local("boss", role=Role.ADMIN)


@pytest.fixture
def auth(admin) -> dict[str, str]:
    return bearer(token_for(admin, "admin:read admin:write"))


def test_create_list_show_update_delete(client, auth, admin):
    r = client.post(
        BLOCKS,
        data={"domain": "Bad.Example.", "severity": "suspend", "reject_media": "true",
              "public_comment": "Spam", "private_comment": "see ticket 7", "obfuscate": "true"},
        headers=auth,
    )  # fmt: skip
    assert r.status_code == 200, r.get_json()
    block = r.get_json()
    assert set(block) == {
        "id", "domain", "digest", "created_at", "severity", "reject_media", "reject_reports",
        "private_comment", "public_comment", "obfuscate",
    }  # fmt: skip
    assert block["domain"] == "bad.example" and block["severity"] == "suspend"
    assert block["digest"] == hashlib.sha256(b"bad.example").hexdigest()
    assert block["reject_media"] is True and block["reject_reports"] is False
    assert block["public_comment"] == "Spam" and block["private_comment"] == "see ticket 7"

    listed = client.get(BLOCKS, headers=auth)
    assert listed.status_code == 200 and [b["id"] for b in listed.get_json()] == [block["id"]]
    assert client.get(f"{BLOCKS}/{block['id']}", headers=auth).get_json() == block

    changed = client.put(
        f"{BLOCKS}/{block['id']}", json={"severity": "silence", "reject_reports": True},
        headers=auth,
    ).get_json()  # fmt: skip
    assert changed["severity"] == "silence" and changed["reject_reports"] is True
    assert changed["public_comment"] == "Spam"  # unchanged when not given

    assert client.delete(f"{BLOCKS}/{block['id']}", headers=auth).get_json() == {}
    assert client.get(f"{BLOCKS}/{block['id']}", headers=auth).status_code == 404
    actions = db.session.execute(
        select(AuditLogEntry.action, AuditLogEntry.target_label, AuditLogEntry.account_id)
        .where(AuditLogEntry.target_type == "DomainBlock")
        .order_by(AuditLogEntry.id)
    ).all()
    assert actions == [
        ("create", "bad.example", admin.id), ("update", "bad.example", admin.id),
        ("destroy", "bad.example", admin.id),
    ]  # fmt: skip


def test_an_existing_block_is_mastodons_422(client, auth):
    first = client.post(BLOCKS, data={"domain": "bad.example", "severity": "suspend"}, headers=auth)
    again = client.post(BLOCKS, data={"domain": "BAD.example"}, headers=auth)
    assert again.status_code == 422
    body = again.get_json()
    assert body["error"] == "You have already imposed stricter limits on bad.example."
    assert body["existing_domain_block"]["id"] == first.get_json()["id"]
    # A subdomain of a suspended domain is covered already; a stricter block of a subdomain of
    # a limited domain is not.
    assert client.post(BLOCKS, data={"domain": "a.bad.example"}, headers=auth).status_code == 422
    client.post(BLOCKS, data={"domain": "meh.example", "severity": "silence"}, headers=auth)
    sub = client.post(BLOCKS, data={"domain": "a.meh.example", "severity": "suspend"}, headers=auth)
    assert sub.status_code == 200


@pytest.mark.parametrize(
    "data",
    [{"domain": ""}, {"domain": "http://x.example/path"}, {"domain": "a b"},
     {"domain": "ok.example", "severity": "nuke"}],
)  # fmt: skip
def test_bad_input_is_422(client, auth, data):
    r = client.post(BLOCKS, data=data, headers=auth)
    assert r.status_code == 422 and r.get_json()["error"].startswith("Validation failed")


def test_unknown_ids_are_404(client, auth):
    for method, path in [("get", f"{BLOCKS}/1"), ("put", f"{BLOCKS}/1"), ("delete", f"{BLOCKS}/1"),
                         ("get", f"{BLOCKS}/nope"), ("get", f"{ALLOWS}/1"),
                         ("delete", f"{ALLOWS}/1")]:  # fmt: skip
        r = getattr(client, method)(path, headers=auth)
        assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}


def test_suspension_cuts_the_domain_off_and_undoing_it_lifts_only_what_it_set(client, auth):
    alice = make_local("alice")
    spam = make_remote("spam", "bad.example")
    sub = make_remote("sub", "a.bad.example:8443")
    own = make_remote("own", "bad.example")
    other = make_remote("fine", "good.example")
    earlier = own.suspended_at = spam.created_at  # suspended on its own, before the block
    db.session.commit()
    db.session.add_all(
        [Follow(account_id=alice.id, target_account_id=spam.id),
         Follow(account_id=alice.id, target_account_id=sub.id),
         Follow(account_id=spam.id, target_account_id=alice.id),
         Follow(account_id=alice.id, target_account_id=other.id)]
    )  # fmt: skip
    activity = OutboxActivity(uri="https://x/1", type="Create", account_id=alice.id, payload={})
    db.session.add(activity)
    db.session.flush()
    db.session.add_all(
        [Delivery(activity_id=activity.id, inbox_url=f"https://{d}/inbox", domain=d)
         for d in ("bad.example", "a.bad.example:8443", "good.example")]
    )  # fmt: skip
    db.session.commit()

    r = client.post(BLOCKS, data={"domain": "bad.example", "severity": "suspend"}, headers=auth)
    assert r.status_code == 200
    db.session.expire_all()
    for account in (spam, sub):
        assert account.suspended_at is not None
    assert own.suspended_at == earlier and other.suspended_at is None
    remaining = db.session.execute(select(Follow.account_id, Follow.target_account_id)).all()
    assert remaining == [(alice.id, other.id)]
    states = dict(db.session.execute(select(Delivery.domain, Delivery.state)).all())
    assert states == {
        "bad.example": DeliveryState.CANCELLED, "a.bad.example:8443": DeliveryState.CANCELLED,
        "good.example": DeliveryState.PENDING,
    }  # fmt: skip

    client.delete(f"{BLOCKS}/{r.get_json()['id']}", headers=auth)
    db.session.expire_all()
    assert spam.suspended_at is None and sub.suspended_at is None
    assert own.suspended_at == earlier  # not the block's to lift


def test_silence_limits_accounts_and_new_ones(client, auth):
    meh = make_remote("meh", "meh.example")
    r = client.post(BLOCKS, data={"domain": "meh.example", "severity": "silence"}, headers=auth)
    db.session.expire_all()
    assert meh.silenced_at is not None and meh.suspended_at is None
    created_at = db.session.get(DomainBlock, int(r.get_json()["id"])).created_at
    assert meh.silenced_at == created_at


def test_domain_allows(client, auth):
    r = client.post(ALLOWS, data={"domain": "Friends.Example"}, headers=auth)
    assert r.status_code == 200
    allow = r.get_json()
    assert set(allow) == {"id", "domain", "created_at"} and allow["domain"] == "friends.example"
    again = client.post(ALLOWS, data={"domain": "friends.example"}, headers=auth).get_json()
    assert again["id"] == allow["id"]
    assert [a["id"] for a in client.get(ALLOWS, headers=auth).get_json()] == [allow["id"]]
    assert client.get(f"{ALLOWS}/{allow['id']}", headers=auth).get_json() == allow
    assert client.delete(f"{ALLOWS}/{allow['id']}", headers=auth).get_json() == {}
    assert client.get(ALLOWS, headers=auth).get_json() == []
    assert client.post(ALLOWS, data={"domain": ""}, headers=auth).status_code == 422


def test_pages_have_link_headers(client, auth):
    for i in range(3):
        client.post(BLOCKS, data={"domain": f"d{i}.example"}, headers=auth)
    r = client.get(f"{BLOCKS}?limit=2", headers=auth)
    assert len(r.get_json()) == 2 and 'rel="next"' in r.headers["Link"]
    older = client.get(r.headers["Link"].split(">")[0].lstrip("<"), headers=auth).get_json()
    assert len(older) == 1


ENDPOINTS = [
    ("get", BLOCKS, "admin:read:domain_blocks"),
    ("get", f"{BLOCKS}/1", "admin:read:domain_blocks"),
    ("post", BLOCKS, "admin:write:domain_blocks"),
    ("put", f"{BLOCKS}/1", "admin:write:domain_blocks"),
    ("delete", f"{BLOCKS}/1", "admin:write:domain_blocks"),
    ("get", ALLOWS, "admin:read:domain_allows"),
    ("get", f"{ALLOWS}/1", "admin:read:domain_allows"),
    ("post", ALLOWS, "admin:write:domain_allows"),
    ("delete", f"{ALLOWS}/1", "admin:write:domain_allows"),
]


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS)
def test_who_may_call(client, method, path, scope):
    call = getattr(client, method)
    assert call(path).status_code == 401
    user = make_local("alice")
    mod = make_local("moddy", role=Role.MODERATOR)
    admin = make_local("boss", role=Role.ADMIN)
    refused = {"error": "This action is not allowed"}
    r = call(path, headers=bearer(token_for(user, scope)))
    assert r.status_code == 403 and r.get_json() == refused
    r = call(path, headers=bearer(token_for(mod, scope)))
    assert r.status_code == 403 and r.get_json() == refused
    r = call(path, headers=bearer(token_for(admin, "read write")))
    assert r.status_code == 403
    assert r.get_json() == {"error": "This action is outside the authorized scopes"}
    r = call(path, headers=bearer(token_for(admin, scope)))
    assert r.status_code in (200, 404, 422)
