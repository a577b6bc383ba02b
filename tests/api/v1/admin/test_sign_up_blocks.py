"""Mastodon's admin API for e-mail domain blocks, canonical e-mail blocks and IP blocks, and
their effect on sign-ups through the API (POST /api/v1/accounts) and on using the API from a
blocked address; who may call each endpoint."""

from __future__ import annotations

import hashlib

import pytest
from flask import current_app
from sqlalchemy import select

from fedi.extensions import db
from fedi.models import AuditLogEntry, Role, User
from fedi.services import sign_up_blocks
from tests.helpers import bearer, make_local, token_for

EMAIL = "/api/v1/admin/email_domain_blocks"
CANONICAL = "/api/v1/admin/canonical_email_blocks"
IPS = "/api/v1/admin/ip_blocks"
SIGN_UP = {"username": "newbie", "email": "newbie@example.com",
           "password": "a long enough password", "agreement": "true"}  # fmt: skip


@pytest.fixture
def auth() -> dict[str, str]:
    return bearer(token_for(make_local("boss", role=Role.ADMIN), "admin:read admin:write"))


def sign_up(client, address: str = "198.51.100.7", **fields):
    return client.post(
        "/api/v1/accounts", data=SIGN_UP | fields, headers=bearer(token_for(None, "read write")),
        environ_base={"REMOTE_ADDR": address},
    )  # fmt: skip


def test_email_domain_blocks(client, auth):
    r = client.post(EMAIL, data={"domain": "Spam.Example"}, headers=auth)
    assert r.status_code == 200
    block = r.get_json()
    assert set(block) >= {"id", "domain", "created_at", "history"}
    assert block["domain"] == "spam.example" and block["history"] == []
    taken = client.post(EMAIL, data={"domain": "spam.example"}, headers=auth)
    assert taken.status_code == 422
    assert taken.get_json()["error"] == "Validation failed: Domain has already been taken"
    assert client.post(EMAIL, data={"domain": ""}, headers=auth).status_code == 422
    assert [b["id"] for b in client.get(EMAIL, headers=auth).get_json()] == [block["id"]]
    assert client.get(f"{EMAIL}/{block['id']}", headers=auth).get_json() == block

    for address in ("x@spam.example", "x@mail.spam.example", "x@SPAM.EXAMPLE"):
        r = sign_up(client, email=address)
        assert r.status_code == 422, address
        assert r.get_json()["details"]["email"] == [
            {"error": "ERR_BLOCKED", "description": "uses a disallowed e-mail provider"}
        ]
    assert sign_up(client, email="x@notspam.example").status_code == 200

    assert client.delete(f"{EMAIL}/{block['id']}", headers=auth).get_json() == {}
    assert client.get(f"{EMAIL}/{block['id']}", headers=auth).status_code == 404
    actions = db.session.scalars(
        select(AuditLogEntry.action).where(AuditLogEntry.target_type == "EmailDomainBlock")
    ).all()
    assert sorted(actions) == ["create", "destroy"]


def test_email_domain_block_with_approval(client, auth):
    client.post(EMAIL, data={"domain": "meh.example", "allow_with_approval": "true"}, headers=auth)
    assert sign_up(client, email="x@meh.example").status_code == 200
    user = db.session.scalar(select(User).where(User.email == "x@meh.example"))
    assert user.approved is False


def test_canonical_email(app):
    same = ["Jo.Hn+News@Gmail.com", "john@gmail.com", "j.o.h.n+x+y@gmail.com"]
    assert {sign_up_blocks.canonical_email(e) for e in same} == {"john@gmail.com"}
    assert (
        sign_up_blocks.canonical_email_hash("john@gmail.com")
        == hashlib.sha256(b"john@gmail.com").hexdigest()
    )


def test_canonical_email_blocks(client, auth):
    r = client.post(CANONICAL, data={"email": "Jo.hn+x@example.com"}, headers=auth)
    assert r.status_code == 200
    block = r.get_json()
    digest = hashlib.sha256(b"john@example.com").hexdigest()
    assert block == {"id": block["id"], "canonical_email_hash": digest}
    assert (
        client.post(CANONICAL, data={"canonical_email_hash": digest}, headers=auth).status_code
        == 422
    )
    assert (
        client.post(CANONICAL, data={"canonical_email_hash": "xyz"}, headers=auth).status_code
        == 422
    )
    assert client.post(CANONICAL, data={}, headers=auth).status_code == 422
    tested = client.post(
        f"{CANONICAL}/test", data={"email": "john+other@example.com"}, headers=auth
    )
    assert tested.get_json() == [block]
    assert (
        client.post(
            f"{CANONICAL}/test", data={"email": "jane@example.com"}, headers=auth
        ).get_json()
        == []
    )
    assert client.get(CANONICAL, headers=auth).get_json() == [block]
    assert client.get(f"{CANONICAL}/{block['id']}", headers=auth).get_json() == block

    r = sign_up(client, email="j.o.h.n@example.com")
    assert r.status_code == 422 and r.get_json()["details"]["email"][0]["error"] == "ERR_TAKEN"

    assert client.delete(f"{CANONICAL}/{block['id']}", headers=auth).get_json() == {}
    assert sign_up(client, email="j.o.h.n@example.com").status_code == 200


def test_ip_blocks(client, auth):
    r = client.post(
        IPS, data={"ip": "198.51.100.0/24", "severity": "sign_up_block", "comment": "spam farm",
                   "expires_in": "86400"}, headers=auth,
    )  # fmt: skip
    assert r.status_code == 200, r.get_json()
    block = r.get_json()
    assert set(block) == {"id", "ip", "severity", "comment", "created_at", "expires_at"}
    assert block["ip"] == "198.51.100.0/24" and block["severity"] == "sign_up_block"
    assert block["expires_at"] is not None
    single = client.post(IPS, data={"ip": "203.0.113.9", "severity": "no_access"}, headers=auth)
    assert single.get_json()["ip"] == "203.0.113.9/32"
    for bad in ({"ip": "300.1.1.1", "severity": "no_access"}, {"ip": "", "severity": "no_access"},
                {"ip": "192.0.2.1"}, {"ip": "192.0.2.1", "severity": "bogus"},
                {"ip": "198.51.100.0/24", "severity": "no_access"}):  # fmt: skip
        assert client.post(IPS, data=bad, headers=auth).status_code == 422, bad

    r = sign_up(client, address="198.51.100.7")
    assert r.status_code == 403 and r.get_json() == {"error": "This action is not allowed"}
    assert (
        sign_up(client, address="192.0.2.50", username="other", email="o@example.com").status_code
        == 200
    )

    updated = client.put(
        f"{IPS}/{block['id']}", data={"severity": "sign_up_requires_approval", "comment": "calmer"},
        headers=auth,
    ).get_json()  # fmt: skip
    assert updated["severity"] == "sign_up_requires_approval" and updated["comment"] == "calmer"
    assert sign_up(client, address="198.51.100.7").status_code == 200
    assert (
        db.session.scalar(select(User).where(User.email == "newbie@example.com")).approved is False
    )

    ids = {b["id"] for b in client.get(IPS, headers=auth).get_json()}
    assert ids == {block["id"], single.get_json()["id"]}
    assert client.get(f"{IPS}/{block['id']}", headers=auth).get_json()["comment"] == "calmer"
    assert client.delete(f"{IPS}/{block['id']}", headers=auth).get_json() == {}
    assert client.get(f"{IPS}/{block['id']}", headers=auth).status_code == 404


def test_no_access_refuses_the_api_and_sign_in(client, auth):
    alice = make_local("alice")
    token = token_for(alice)
    client.post(IPS, data={"ip": "203.0.113.0/24", "severity": "no_access"}, headers=auth)
    blocked = {"REMOTE_ADDR": "203.0.113.5"}
    r = client.get(
        "/api/v1/accounts/verify_credentials", headers=bearer(token), environ_base=blocked
    )
    assert r.status_code == 403
    ok = client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    assert ok.status_code == 200
    assert sign_up(client, address="203.0.113.5").status_code == 403


def test_registrations_closed_still_wins(client, auth):
    settings = current_app.config["FEDI"]
    original, settings.REGISTRATIONS_MODE = settings.REGISTRATIONS_MODE, "none"
    try:
        assert sign_up(client).status_code == 403
    finally:
        settings.REGISTRATIONS_MODE = original


ENDPOINTS = [
    ("get", EMAIL, "admin:read:email_domain_blocks"),
    ("get", f"{EMAIL}/1", "admin:read:email_domain_blocks"),
    ("post", EMAIL, "admin:write:email_domain_blocks"),
    ("delete", f"{EMAIL}/1", "admin:write:email_domain_blocks"),
    ("get", CANONICAL, "admin:read:canonical_email_blocks"),
    ("get", f"{CANONICAL}/1", "admin:read:canonical_email_blocks"),
    ("post", f"{CANONICAL}/test", "admin:read:canonical_email_blocks"),
    ("post", CANONICAL, "admin:write:canonical_email_blocks"),
    ("delete", f"{CANONICAL}/1", "admin:write:canonical_email_blocks"),
    ("get", IPS, "admin:read:ip_blocks"),
    ("get", f"{IPS}/1", "admin:read:ip_blocks"),
    ("post", IPS, "admin:write:ip_blocks"),
    ("put", f"{IPS}/1", "admin:write:ip_blocks"),
    ("delete", f"{IPS}/1", "admin:write:ip_blocks"),
]


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS)
def test_who_may_call(client, method, path, scope):
    call = getattr(client, method)
    assert call(path).status_code == 401
    refused = {"error": "This action is not allowed"}
    for role in (Role.USER, Role.MODERATOR):
        someone = make_local(f"someone_{role.value}", role=role)
        r = call(path, headers=bearer(token_for(someone, scope)))
        assert r.status_code == 403 and r.get_json() == refused
    admin = make_local("boss", role=Role.ADMIN)
    assert call(path, headers=bearer(token_for(admin, "read write"))).status_code == 403
    assert call(path, headers=bearer(token_for(admin, scope))).status_code in (200, 404, 422)
