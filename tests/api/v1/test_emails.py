"""POST /api/v1/emails/confirmations: an app sign-up waits for its address to be confirmed, and
the app it signed up through may have the link sent again (to a new address, if given), within
the confirmation e-mails' budgets (services/throttles.py)."""

from __future__ import annotations

import re

from sqlalchemy import select

from fedi.extensions import db
from fedi.models import User
from fedi.services import throttles
from tests.helpers import bearer, token_for
from tests.oauth_flow import csrf

FORM = {
    "username": "newbie", "email": "newbie@example.com", "password": "a long enough password",
    "agreement": "true",
}  # fmt: skip
UNCONFIRMED = "Your login is missing a confirmed e-mail address"


def sign_up(client) -> str:
    """A new login through an app; its token."""
    r = client.post("/api/v1/accounts", data=FORM, headers=bearer(token_for(None, "read write")))
    assert r.status_code == 200, r.get_json()
    return r.get_json()["access_token"]


def link(mail) -> str:
    found = re.search(r"/auth/confirmation\?token=[\w-]+", mail.body)
    assert found, mail.body
    return found.group(0)


def resend(client, token: str, address: str = "127.0.0.1", **data):
    return client.post(
        "/api/v1/emails/confirmations", data=data, headers=bearer(token),
        environ_base={"REMOTE_ADDR": address},
    )  # fmt: skip


def test_the_app_a_login_signed_up_through_may_have_the_link_sent_again(client, outbox):
    token = sign_up(client)
    assert [m.to for m in outbox] == ["newbie@example.com"]
    me = client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    assert me.status_code == 403 and me.get_json() == {"error": UNCONFIRMED}

    r = resend(client, token)

    assert r.status_code == 200 and r.get_json() == {}
    assert [m.to for m in outbox] == ["newbie@example.com"] * 2
    assert client.get(link(outbox[0])).status_code == 404  # the older link no longer works
    assert client.get(link(outbox[1])).status_code == 200
    me = client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    assert me.status_code == 200 and me.get_json()["username"] == "newbie"
    r = resend(client, token)
    assert r.status_code == 403 and r.get_json() == {
        "error": "This method is only available while the e-mail is awaiting confirmation"
    }


def test_a_new_address_replaces_the_old_one(client, outbox, alice):
    token = sign_up(client)

    r = resend(client, token, email="Fresh@Example.com")

    assert r.status_code == 200
    assert outbox[-1].to == "fresh@example.com"
    assert db.session.scalar(select(User.email).where(User.email == "fresh@example.com"))
    r = resend(client, token, email="alice@example.com")
    assert (
        r.status_code == 422
        and r.get_json()["error"] == "Validation failed: Email is already taken"
    )
    assert resend(client, token, email="not an address").status_code == 422
    assert resend(client, token, email="fresh@example.com").status_code == 200  # its own address
    assert [m.to for m in outbox[1:]] == ["fresh@example.com"] * 2


def test_only_the_sign_up_app_may_ask(client, outbox, alice):
    sign_up(client)
    newbie = db.session.scalar(select(User).where(User.email == "newbie@example.com"))
    other_app = token_for(newbie.account, "read write")

    r = resend(client, other_app)

    assert r.status_code == 403 and r.get_json() == {
        "error": "This method is only available to the application the user originally "
        "signed-up with"
    }
    web_sign_up = token_for(alice, "read write")  # signed up on the web: no app may ask
    assert resend(client, web_sign_up).status_code == 403
    assert len(outbox) == 1


def test_it_needs_a_user_token_with_write_accounts(client, outbox):
    token = sign_up(client)
    assert resend(client, token_for(None, "write")).status_code == 422
    newbie = db.session.scalar(select(User).where(User.email == "newbie@example.com"))
    assert resend(client, token_for(newbie.account, "read")).status_code == 403
    assert client.post("/api/v1/emails/confirmations").status_code == 401
    assert resend(client, token).status_code == 200


def test_confirmation_emails_are_limited_per_account(client, outbox):
    token = sign_up(client)  # the sign-up's own e-mail is the first of five
    for n in range(throttles.CONFIRMATION_PER_ACCOUNT.limit - 1):
        assert resend(client, token, f"198.51.100.{n + 1}").status_code == 200

    r = resend(client, token, "203.0.113.9")

    assert r.status_code == 429
    assert r.get_json()["error"].startswith(
        "Too many confirmation e-mails asked for. Try again in "
    )
    assert 0 < int(r.headers["Retry-After"]) <= throttles.CONFIRMATION_PER_ACCOUNT.period
    assert len(outbox) == throttles.CONFIRMATION_PER_ACCOUNT.limit


def test_the_web_form_and_the_api_share_the_client_address_budget(client, outbox):
    token = sign_up(client)
    for n in range(throttles.CONFIRMATION_PER_ADDRESS.limit):
        data = {"email": f"nobody{n}@example.com", "csrf_token": csrf(client, "/auth/sign_in")}
        r = client.post(
            "/auth/confirmation/new", data=data, environ_base={"REMOTE_ADDR": "198.51.100.20"}
        )
        assert r.status_code == 200

    r = resend(client, token, "198.51.100.20")

    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert resend(client, token, "198.51.100.21").status_code == 200
    assert resend(client, token).status_code == 200  # loopback has no per-address budget


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, outbox):
    token = sign_up(client)
    proxied = {"X-Forwarded-For": "198.51.100.30"}  # the peer is loopback: a trusted proxy
    for n in range(throttles.CONFIRMATION_PER_ADDRESS.limit):
        data = {"email": f"nobody{n}@example.com", "csrf_token": csrf(client, "/auth/sign_in")}
        client.post("/auth/confirmation/new", data=data, headers=proxied)

    r = client.post("/api/v1/emails/confirmations", headers={**bearer(token), **proxied})

    assert r.status_code == 429
