"""Sign-up in each registration mode, e-mail confirmation without SMTP, forgotten password."""

from __future__ import annotations

import re

import pytest

from fedi.extensions import db
from fedi.models import User
from fedi.services import accounts
from tests.oauth_flow import csrf, sign_in
from tests.web.signed_in import mail_log, page

NEW = {"username": "newbie", "email": "newbie@example.com", "password": "a long password"}


@pytest.fixture
def mode(app):
    settings = app.config["FEDI"]
    original = settings.REGISTRATIONS_MODE

    def set_mode(value: str) -> None:
        settings.REGISTRATIONS_MODE = value

    yield set_mode
    settings.REGISTRATIONS_MODE = original


def _sign_up(client, **fields):
    data = NEW | {"agreement": "1", "csrf_token": csrf(client, "/auth/password/new")} | fields
    return client.post("/auth/sign_up", data=data)


def test_open_sign_up_creates_a_confirmed_account_and_signs_in(client, mode, caplog):
    mode("open")
    form = page(client, "/auth/sign_up")
    for name in ("username", "email", "password", "agreement"):
        assert f'<label for="{name}">' in form and f'id="{name}"' in form
    assert 'id="reason"' not in form

    with mail_log(caplog):
        r = _sign_up(client)

    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "cannot send e-mail" in text
    user = accounts.find_local("newbie").user
    assert user.approved and user.confirmed_at is not None
    link = re.search(r"/auth/confirmation\?token=[\w-]+", caplog.text)
    assert link, "the confirmation link goes to the log"
    assert client.get("/home").status_code == 200  # signed in right away
    assert client.get(link.group(0)).status_code == 200
    assert db.session.get(User, user.id).confirmation_token is None


def test_errors_are_shown_inline_and_the_input_kept(client, mode, alice):
    mode("open")
    r = _sign_up(client, username="alice", email="not an address")
    text = r.get_data(as_text=True)
    assert r.status_code == 422 and 'role="alert"' in text
    assert "Username is already taken" in text and "Email is invalid" in text
    assert 'value="not an address"' in text and "a long password" not in text


def test_approved_mode_asks_for_a_reason_and_waits(client, mode):
    mode("approved")
    assert 'id="reason"' in page(client, "/auth/sign_up")
    assert _sign_up(client).status_code == 422  # no reason given
    r = _sign_up(client, reason="I like birds")
    assert r.status_code == 200 and "moderator will review" in r.get_data(as_text=True)
    user = accounts.find_local("newbie").user
    assert not user.approved and user.sign_up_reason == "I like birds"
    assert client.get("/home").status_code == 302  # not signed in


def test_closed_mode_refuses(client, mode):
    mode("none")
    assert "Sign-ups are closed" in page(client, "/auth/sign_up", 403)
    assert _sign_up(client).status_code == 403
    assert accounts.find_local("newbie") is None


def test_sign_up_without_csrf_token_is_forbidden(client, mode):
    mode("open")
    assert client.post("/auth/sign_up", data=NEW | {"agreement": "1"}).status_code == 403


def test_forgotten_password_link_resets_and_signs_out_elsewhere(app, client, alice, caplog):
    other = app.test_client()
    assert sign_in(other).status_code == 303
    with mail_log(caplog):
        r = client.post(
            "/auth/password/new",
            data={"email": "alice@example.com", "csrf_token": csrf(client, "/auth/password/new")},
        )
    assert r.status_code == 200 and "reset link is on its way" in r.get_data(as_text=True)
    link = re.search(r"/auth/password/edit\?token=([\w-]+)", caplog.text)
    assert link
    form = page(client, link.group(0))
    assert '<label for="password">' in form
    short = {"token": link.group(1), "password": "short", "csrf_token": csrf(client, link.group(0))}
    assert client.post("/auth/password/edit", data=short).status_code == 422
    r = client.post("/auth/password/edit", data=short | {"password": "a brand new password"})
    assert r.status_code == 200
    assert other.get("/home").status_code == 302  # the old session ended
    assert sign_in(client, "alice", "a brand new password").status_code == 303
    assert client.get(link.group(0)).status_code == 404  # single use


def test_unknown_address_gets_the_same_answer(client):
    r = client.post(
        "/auth/password/new",
        data={"email": "nobody@example.com", "csrf_token": csrf(client, "/auth/password/new")},
    )
    assert r.status_code == 200 and "reset link is on its way" in r.get_data(as_text=True)


def test_the_confirmation_link_can_be_sent_again(client, mode, outbox, alice):
    """Whether an unconfirmed login uses the address or not, the page says the same."""
    mode("open")
    r = _sign_up(client)
    assert r.status_code == 200 and 'href="/auth/confirmation/new"' in r.get_data(as_text=True)
    assert accounts.find_local("newbie").user.confirmed_at is None
    form = page(client, "/auth/confirmation/new")
    assert '<label for="email">' in form and 'id="email"' in form
    assert 'href="/auth/confirmation/new"' in page(client, "/auth/sign_in")

    answers = []
    for email in ("Newbie@Example.com", "nobody@example.com", "alice@example.com"):
        data = {"email": email, "csrf_token": csrf(client, "/auth/confirmation/new")}
        r = client.post("/auth/confirmation/new", data=data)
        assert r.status_code == 200
        answers.append(r.get_data(as_text=True).replace(email, "EMAIL"))

    assert "we sent it a new link" in answers[0] and answers[0] == answers[1] == answers[2]
    assert [m.to for m in outbox] == ["newbie@example.com"] * 2  # only the unconfirmed login
    first, second = (re.search(r"/auth/confirmation\?token=[\w-]+", m.body) for m in outbox)
    assert client.get(first.group(0)).status_code == 404  # the older link no longer works
    assert client.get(second.group(0)).status_code == 200
    assert accounts.find_local("newbie").user.confirmed_at is not None
