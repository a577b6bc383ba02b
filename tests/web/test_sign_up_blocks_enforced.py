"""Sign-up blocks on the web: the sign-up form refuses a blocked e-mail domain, a blocked
address and a blocked client address with a friendly message; an address that requires
approval makes the login wait; an address with no access cannot sign in."""

from __future__ import annotations

from sqlalchemy import select

from fedi.extensions import db
from fedi.models import Role, User
from fedi.services import sign_up_blocks
from tests.helpers import make_local
from tests.oauth_flow import csrf, sign_in

NEW = {"username": "newbie", "email": "newbie@example.com", "password": "a long password"}


def _sign_up(client, address="198.51.100.20", **fields):
    data = NEW | {"agreement": "1", "csrf_token": csrf(client, "/auth/password/new")} | fields
    return client.post("/auth/sign_up", data=data, environ_base={"REMOTE_ADDR": address})


def _admin():
    return make_local("boss", role=Role.ADMIN)


def test_blocked_email_domain_and_address(client):
    admin = _admin()
    sign_up_blocks.create_email_domain_block(admin, "spam.example")
    sign_up_blocks.create_canonical_email_block(admin, email="known.troll@example.com")
    r = _sign_up(client, email="me@mx.spam.example")
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    assert "Email uses a disallowed e-mail provider" in text and 'value="newbie"' in text
    r = _sign_up(client, email="knowntroll+new@example.com")
    assert r.status_code == 422 and "Email is already taken" in r.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email != "boss@example.com")) is None
    assert _sign_up(client).status_code == 200


def test_blocked_and_approval_ip_blocks(app):
    admin = _admin()
    sign_up_blocks.create_ip_block(admin, ip="198.51.100.0/24", severity="sign_up_block")
    sign_up_blocks.create_ip_block(admin, ip="203.0.113.0/24", severity="sign_up_requires_approval")
    r = _sign_up(app.test_client(), address="198.51.100.20")
    assert r.status_code == 403
    assert "Sign-ups from your network are not allowed" in r.get_data(as_text=True)
    r = _sign_up(app.test_client(), address="203.0.113.4")
    assert r.status_code == 200
    user = db.session.scalar(select(User).where(User.email == "newbie@example.com"))
    assert user.approved is False  # waits for a moderator, though registrations are open


def test_no_access_refuses_sign_in(app):
    admin = _admin()
    make_local("alice")
    sign_up_blocks.create_ip_block(admin, ip="2001:db8::/32", severity="no_access")
    blocked = app.test_client()
    token = csrf(blocked)
    r = blocked.post("/auth/sign_in", data={"login": "alice", "password": "correct horse battery",
                                            "csrf_token": token},
                     environ_base={"REMOTE_ADDR": "2001:db8::7"})  # fmt: skip
    assert r.status_code == 403 and "Access from your network is blocked" in r.get_data(True)
    assert sign_in(app.test_client(), "alice").status_code == 303  # from elsewhere
