"""Signing in and out of the web UI, the session, CSRF and the `next` redirect."""

from __future__ import annotations

import pytest

from fedi.services import accounts
from tests.oauth_flow import PASSWORD, csrf, hidden_fields, sign_in


def test_sign_in_form_is_labelled_and_carries_a_csrf_token(client):
    r = client.get("/auth/sign_in?next=/settings")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert '<label for="login">' in page and 'id="login"' in page
    assert '<label for="password">' in page and 'type="password"' in page
    fields = hidden_fields(page)
    assert fields["next"] == "/settings" and len(fields["csrf_token"]) >= 16


def test_home_links_to_sign_in_then_offers_sign_out(client, alice):
    home = client.get("/").get_data(as_text=True)
    assert 'href="/auth/sign_in"' in home and "Sign out" not in home

    r = sign_in(client, "alice@example.com")

    assert r.status_code == 303 and r.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "@alice" in home and "formaction=/auth/sign_out" in home and "Sign in<" not in home


def test_sign_in_by_username_and_sign_out(client, alice):
    assert sign_in(client, "ALICE").status_code == 303
    with client.session_transaction() as session:
        assert session["user_id"] == alice.user.id

    r = client.post("/auth/sign_out", data={"csrf_token": csrf(client, "/")})

    assert r.status_code == 303 and r.headers["Location"] == "/"
    with client.session_transaction() as session:
        assert "user_id" not in session
    assert 'href="/auth/sign_in"' in client.get("/").get_data(as_text=True)


def test_bad_password_shows_a_message_and_keeps_the_login(client, alice):
    r = sign_in(client, "alice@example.com", "wrong password")
    page = r.get_data(as_text=True)
    assert r.status_code == 401
    assert "Invalid e-mail address or password." in page
    assert 'value="alice@example.com"' in page and "wrong password" not in page
    with client.session_transaction() as session:
        assert "user_id" not in session


def test_disabled_user_cannot_sign_in(client, alice):
    alice.user.disabled = True
    from fedi.extensions import db

    db.session.commit()
    assert sign_in(client).status_code == 401


def test_session_is_rotated_on_sign_in(client, alice):
    before = csrf(client)
    sign_in(client)
    with client.session_transaction() as session:
        assert session["csrf_token"] != before


def test_changing_the_password_ends_other_sessions(client, alice):
    sign_in(client)
    accounts.reset_password(username="alice", password="another long password")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/auth/sign_in"' in home


def test_form_without_csrf_token_is_rejected(client, alice):
    r = client.post("/auth/sign_in", data={"login": "alice", "password": PASSWORD})
    assert r.status_code == 403 and "expired" in r.get_data(as_text=True)
    sign_in(client)
    r = client.post("/auth/sign_out", data={"csrf_token": "forged"})
    assert r.status_code == 403
    with client.session_transaction() as session:
        assert "user_id" in session  # still signed in


def test_csrf_token_in_a_header_is_accepted(client, alice):
    token = csrf(client)
    r = client.post(
        "/auth/sign_in",
        data={"login": "alice", "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 303


def test_machine_endpoints_need_no_csrf_token(client):
    assert client.post("/api/v1/apps", data={"client_name": "x"}).status_code == 422
    assert client.post("/oauth/token", data={}).status_code == 400
    assert client.post("/oauth/revoke", data={}).status_code == 403
    from fedi.web import csrf as csrf_module

    assert csrf_module.exempt("/inbox") and csrf_module.exempt("/users/alice/inbox")
    assert not csrf_module.exempt("/oauth/authorize") and not csrf_module.exempt("/auth/sign_in")


@pytest.mark.parametrize(
    "unsafe",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/ok\r\nLocation: https://evil.example",
    ],
)
def test_unsafe_next_is_ignored(client, alice, unsafe):
    r = sign_in(client, next_url=unsafe)
    assert r.status_code == 303 and r.headers["Location"] == "/"


def test_safe_next_is_followed(client, alice):
    r = sign_in(client, next_url="/oauth/authorize?client_id=x&scope=read")
    assert r.headers["Location"] == "/oauth/authorize?client_id=x&scope=read"
