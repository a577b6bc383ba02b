"""Browser sessions over HTTP, with several test clients as several browsers: the cookie and the
row behind it, the sessions page (list, revoke), and everything a password change or reset ends
(other browsers, OAuth tokens, authorization codes, push subscriptions, reset links) by each path:
the settings form, the e-mailed link and the CLI. Streams closing: tests/streaming/
test_revocation.py and tests/web/test_live.py."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest

from fedi.extensions import db
from fedi.models import (
    OAuthAuthorizationCode,
    OAuthToken,
    PushSubscription,
    User,
    WebSession,
    utcnow,
)
from fedi.services import password_reset, sessions
from fedi.web import user_agents
from tests.helpers import bearer, count_queries, token_for
from tests.oauth_flow import csrf, sign_in
from tests.web.a11y import assert_accessible
from tests.web.signed_in import form_post, mail_log, page

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
NEW_PASSWORD = "a new long password"
PUSH_KEYS = {
    "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1Xbjha"
    "zAkj7I99e8QcYP7DkM",
    "auth": "tBHItJI5svbpez7KI4CCXg",
}


def browser(app, user_agent: str = FIREFOX, address: str = "203.0.113.7", login: str = "alice"):
    """A test client with its own User-Agent and address, signed in as `login`."""
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    assert sign_in(client, login).status_code == 303
    return client


def signed_in_as(client) -> bool:
    return client.get("/home").status_code == 200


def rows() -> list[WebSession]:
    db.session.expire_all()
    return db.session.query(WebSession).order_by(WebSession.id).all()


def session_items(body: str) -> dict[str, str]:
    """The sessions page's browsers: id -> the HTML of its list item."""
    return dict(re.findall(r'<li id="session-(\d+)">(.*?)</li>', body, re.S))


def session_ids(body: str) -> list[str]:
    return list(session_items(body))


def other_ids(body: str) -> list[str]:
    return [i for i, item in session_items(body).items() if "(this browser)" not in item]


def age(row_id: int, by: timedelta) -> None:
    db.session.query(WebSession).filter_by(id=row_id).update(
        {"last_used_at": utcnow() - by}, synchronize_session=False
    )
    db.session.commit()


# --- the cookie and the row ----------------------------------------------------------------


def test_sign_in_records_the_browser_and_the_cookie_keeps_only_a_secret(app, alice):
    client = browser(app)
    [row] = rows()
    with client.session_transaction() as cookie:
        secret = cookie["sid"]
        assert cookie["user_id"] == alice.user.id and "auth_fp" not in cookie
    assert row.user_id == alice.user.id and row.secret_digest != secret
    assert row.secret_digest == hashlib.sha256(secret.encode()).hexdigest()
    assert row.user_agent == FIREFOX and row.address == "203.0.113.7"
    assert len(secret) >= 40  # 256 random bits


def test_sign_out_deletes_the_row_and_the_cookie_no_longer_counts(app, alice):
    client = browser(app)
    with client.session_transaction() as cookie:
        stolen = dict(cookie)
    assert client.post("/auth/sign_out", data={"csrf_token": csrf(client, "/")}).status_code == 303
    assert rows() == []

    replay = app.test_client()  # a copy of the cookie taken before signing out
    with replay.session_transaction() as cookie:
        cookie.update(stolen)
    assert replay.get("/home").status_code == 302


def test_signing_in_again_in_the_same_browser_replaces_its_session(app, alice):
    client = browser(app)
    [first] = [r.id for r in rows()]
    assert sign_in(client).status_code == 303
    [second] = [r.id for r in rows()]
    assert second != first


def test_cookie_from_before_sessions_were_recorded_is_signed_out(app, alice):
    client = app.test_client()
    with client.session_transaction() as cookie:  # what a browser signed in earlier holds
        cookie.update({"user_id": alice.user.id, "auth_fp": "0" * 32, "_permanent": True})
    r = client.get("/home")
    assert r.status_code == 302 and "/auth/sign_in" in r.headers["Location"]
    with client.session_transaction() as cookie:
        assert "user_id" not in cookie  # dropped, so the next request does not look again


def test_a_secret_of_another_user_does_not_sign_in(app, alice, bob):
    client = browser(app, login="bob")
    with client.session_transaction() as cookie:
        cookie["user_id"] = alice.user.id  # cannot happen without the key; the row says bob
    assert client.get("/home").status_code == 302


# --- the hot path: one query, a write only every few minutes -------------------------------


def test_a_signed_in_page_finds_user_account_and_session_in_one_query(app, alice):
    client = browser(app)
    page(client, "/settings/profile")
    with count_queries() as seen:
        page(client, "/settings/profile")
    session_reads = [q for q in seen if "web_sessions" in q]
    assert len(session_reads) == 1
    [lookup] = session_reads
    assert lookup.lstrip().startswith("SELECT")
    assert "JOIN web_sessions" in lookup and "JOIN accounts" in lookup and "FROM users" in lookup
    # Nothing else reads the user or writes anything.
    assert [q for q in seen if re.search(r"\bFROM users\b", q)] == [lookup]
    assert not [q for q in seen if not q.lstrip().upper().startswith(("SELECT", "WITH"))]


# Measured on the commit before sessions were recorded (d29cbb7): /home ran 3 statements (the
# user, the timeline, the unread count), /settings/profile 2 (the user, the unread count).
HOME_QUERIES = 3
PROFILE_QUERIES = 2


def test_page_loads_signed_in_cost_what_they_did_without_a_session_row(app, alice):
    """As many statements as before sessions were recorded: the user's lookup was one joined
    SELECT, and still is, joining web_sessions too."""
    client = browser(app)
    page(client, "/home")
    with count_queries() as home:
        page(client, "/home")
    with count_queries() as profile:
        page(client, "/settings/profile")
    assert (len(home), len(profile)) == (HOME_QUERIES, PROFILE_QUERIES)


def test_last_use_is_written_at_most_every_few_minutes(app, alice):
    client = browser(app, address="203.0.113.7")
    [row] = rows()

    def writes(path: str = "/home") -> list[str]:
        with count_queries() as seen:
            page(client, path)
        return [q for q in seen if q.lstrip().upper().startswith("UPDATE")]

    assert writes() == [] and writes() == []  # just signed in: fresh
    age(row.id, sessions.TOUCH_EVERY + timedelta(seconds=5))
    client.environ_base.update(REMOTE_ADDR="198.51.100.9", HTTP_USER_AGENT=IPHONE)
    [touch] = writes()
    assert touch.lstrip().startswith("UPDATE web_sessions SET") and "last_used_at=" in touch
    assert writes() == []
    [row] = rows()
    assert utcnow() - row.last_used_at < timedelta(minutes=1)
    assert row.address == "198.51.100.9" and row.user_agent == IPHONE


def test_idle_sessions_are_pruned(app, alice):
    from fedi.tasks import pruning

    old, fresh = browser(app), browser(app)
    first, second = rows()
    age(first.id, sessions.IDLE_LIFETIME + timedelta(hours=1))
    pruning.prune_web_sessions.call_local()
    assert [r.id for r in rows()] == [second.id]
    assert not signed_in_as(old) and signed_in_as(fresh)


# --- the sessions page -----------------------------------------------------------------------


def test_sessions_page_lists_browsers_and_apps(app, alice, bob):
    laptop = browser(app, FIREFOX, "203.0.113.7")
    browser(app, IPHONE, "198.51.100.9")
    browser(app, login="bob")  # someone else's
    token_for(alice)
    body = page(laptop, "/settings/sessions")

    assert_accessible(body)
    assert 'href="/settings/sessions" aria-current="page"' in body
    assert len(session_ids(body)) == 2
    [mine] = [item for item in session_items(body).values() if "(this browser)" in item]
    assert "Firefox on Linux" in mine and "203.0.113.7" in mine
    assert "Safari on iOS" in body and "198.51.100.9" in body
    assert body.count(">Revoke</button>") == 2  # the phone and the app, not this browser
    assert "Test client" in body and "never used" in body
    assert "/settings/sessions" in page(laptop, "/settings/profile")  # a settings tab


def test_revoking_the_other_browser_signs_it_out(app, alice):
    laptop, phone = browser(app), browser(app, IPHONE)
    body = page(laptop, "/settings/sessions")
    [phone_id] = other_ids(body)
    assert "Safari on iOS" in session_items(body)[phone_id]
    assert f"/settings/sessions/{phone_id}/revoke" in body

    r = form_post(laptop, f"/settings/sessions/{phone_id}/revoke")
    assert r.status_code == 303 and r.headers["Location"] == "/settings/sessions"

    r = phone.get("/settings/profile")
    assert r.status_code == 302 and "/auth/sign_in" in r.headers["Location"]
    assert signed_in_as(laptop) and len(rows()) == 1
    assert len(session_ids(page(laptop, "/settings/sessions"))) == 1


def test_revoking_needs_csrf_and_only_ones_own_sessions(app, alice, bob):
    laptop, phone = browser(app), browser(app, IPHONE)
    bobs = browser(app, login="bob")
    alice_rows = [r.id for r in rows() if r.user_id == alice.user.id]
    bob_row = next(r.id for r in rows() if r.user_id != alice.user.id)

    assert laptop.post(f"/settings/sessions/{alice_rows[1]}/revoke").status_code == 403
    assert form_post(laptop, f"/settings/sessions/{bob_row}/revoke").status_code == 404
    assert form_post(laptop, "/settings/sessions/1/revoke").status_code == 404
    assert form_post(laptop, f"/settings/sessions/{2**64}/revoke").status_code == 404
    assert signed_in_as(phone) and signed_in_as(bobs)


def test_revoking_this_browser_signs_it_out(app, alice):
    laptop = browser(app)
    [row] = rows()
    r = form_post(laptop, f"/settings/sessions/{row.id}/revoke")
    assert r.status_code == 303 and r.headers["Location"] == "/"
    assert rows() == [] and not signed_in_as(laptop)


def test_revoking_an_app_from_the_sessions_page_comes_back_to_it(app, client, alice):
    token = token_for(alice)
    laptop = browser(app)
    body = page(laptop, "/settings/sessions")
    app_id = body.split("/settings/applications/")[1].split("/revoke")[0]
    r = form_post(laptop, f"/settings/applications/{app_id}/revoke", {"next": "/settings/sessions"})
    assert r.status_code == 303 and r.headers["Location"] == "/settings/sessions"
    assert _verify(client, token) == 401
    assert "No apps have access" in page(laptop, "/settings/sessions")
    # Elsewhere: back to the apps page, never off-site.
    token_for(alice)
    body = page(laptop, "/settings/applications")
    app_id = body.split("/settings/applications/")[1].split("/revoke")[0]
    r = form_post(laptop, f"/settings/applications/{app_id}/revoke", {"next": "//evil.example"})
    assert r.headers["Location"] == "/settings/applications"


# --- push subscriptions end with what they belong to ---------------------------------------


def _web_push(client, endpoint: str) -> None:
    body = {"endpoint": endpoint, "keys": PUSH_KEYS}
    r = client.post("/web/push/subscribe", json=body, headers={"X-CSRF-Token": csrf(client, "/")})
    assert r.status_code == 201


def _api_push(client, token: str, endpoint: str) -> None:
    body = {"subscription": {"endpoint": endpoint, "keys": PUSH_KEYS}}
    r = client.post("/api/v1/push/subscription", json=body, headers=bearer(token))
    assert r.status_code == 200


def _endpoints() -> set[str]:
    db.session.expire_all()
    return {row.endpoint for row in db.session.query(PushSubscription)}


def test_push_subscriptions_end_with_their_session_or_token(app, client, alice):
    laptop, phone = browser(app), browser(app, IPHONE)
    _web_push(laptop, "https://push.example/laptop")
    _web_push(phone, "https://push.example/phone")
    token = token_for(alice)
    _api_push(client, token, "https://push.example/app")
    phone_row = rows()[1]

    form_post(laptop, f"/settings/sessions/{phone_row.id}/revoke")
    assert _endpoints() == {"https://push.example/laptop", "https://push.example/app"}

    app_id = db.session.query(OAuthToken.application_id).filter_by(access_token=token).scalar()
    form_post(laptop, f"/settings/applications/{app_id}/revoke")
    assert _endpoints() == {"https://push.example/laptop"}


# --- a password change or reset ends everything else -----------------------------------------


def _verify(client, token: str) -> int:
    return client.get("/api/v1/accounts/verify_credentials", headers=bearer(token)).status_code


def _everything_else(app, client, alice):
    """Another browser, two apps' tokens (one with a push subscription) and a pending
    authorization code: what every path must end."""
    other = browser(app, IPHONE)
    tokens = [token_for(alice), token_for(alice, "read")]
    _api_push(client, tokens[0], "https://push.example/app")
    app_id = db.session.query(OAuthToken.application_id).filter_by(access_token=tokens[0]).scalar()
    code = OAuthAuthorizationCode(
        code="pending-code", application_id=app_id, account_id=alice.id, redirect_uri="",
        scopes="read",
    )  # fmt: skip
    db.session.add(code)
    db.session.commit()
    for token in tokens:
        assert _verify(client, token) == 200
    return other, tokens


def _all_ended(client, other, tokens, account_id: int) -> None:
    assert not signed_in_as(other)
    for token in tokens:
        assert _verify(client, token) == 401, token
    db.session.expire_all()
    live = OAuthToken.revoked_at.is_(None), OAuthToken.account_id == account_id
    assert db.session.query(OAuthToken).filter(*live).count() == 0
    assert db.session.query(OAuthAuthorizationCode).count() == 0
    assert "https://push.example/app" not in _endpoints()


def test_password_change_keeps_this_browser_and_ends_everything_else(app, client, alice, bob):
    laptop = browser(app)
    _web_push(laptop, "https://push.example/laptop")
    other, tokens = _everything_else(app, client, alice)
    bobs_browser, bobs_token = browser(app, login="bob"), token_for(bob)
    password_reset.request_reset("alice@example.com")  # a reset link the change must void
    assert db.session.get(User, alice.user.id).reset_password_token

    right = {"current_password": "correct horse battery", "password": NEW_PASSWORD}
    r = form_post(laptop, "/settings/password", right)

    assert r.status_code == 303 and r.headers["Location"] == "/settings/password?saved=1"
    assert signed_in_as(laptop) and "Saved." in page(laptop, "/settings/password?saved=1")
    _all_ended(client, other, tokens, alice.id)
    assert _endpoints() == {"https://push.example/laptop"}  # this browser's stays
    assert len(session_ids(page(laptop, "/settings/sessions"))) == 1
    db.session.expire_all()
    assert db.session.get(User, alice.user.id).reset_password_token is None
    # Someone else's sessions and tokens are untouched.
    assert signed_in_as(bobs_browser)
    assert _verify(client, bobs_token) == 200


def test_a_wrong_current_password_ends_nothing(app, client, alice):
    laptop = browser(app)
    other, tokens = _everything_else(app, client, alice)
    wrong = {"current_password": "nope", "password": NEW_PASSWORD}
    assert form_post(laptop, "/settings/password", wrong).status_code == 422
    assert signed_in_as(other)
    assert _verify(client, tokens[0]) == 200


def test_reset_by_link_ends_every_session_and_token(app, client, alice, caplog):
    laptop = browser(app)
    other, tokens = _everything_else(app, client, alice)
    visitor = app.test_client()
    with mail_log(caplog):
        r = visitor.post(
            "/auth/password/new",
            data={"email": "alice@example.com", "csrf_token": csrf(visitor, "/auth/password/new")},
        )
    assert r.status_code == 200
    link = re.search(r"/auth/password/edit\?token=([\w-]+)", caplog.text)
    data = {
        "token": link.group(1),
        "password": NEW_PASSWORD,
        "csrf_token": csrf(visitor, link.group(0)),
    }

    assert visitor.post("/auth/password/edit", data=data).status_code == 200

    _all_ended(client, other, tokens, alice.id)
    assert not signed_in_as(laptop) and rows() == []
    assert sign_in(visitor, "alice", NEW_PASSWORD).status_code == 303


def test_reset_by_the_cli_ends_every_session_and_token(app, client, alice):
    laptop = browser(app)
    other, tokens = _everything_else(app, client, alice)

    result = app.test_cli_runner().invoke(
        args=["fedi", "reset-password", "alice", "--password", NEW_PASSWORD]
    )

    assert result.exit_code == 0, result.output
    assert "Password of @alice changed" in result.output
    _all_ended(client, other, tokens, alice.id)
    assert not signed_in_as(laptop) and rows() == []


# --- the user-agent summary ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "shown"),
    [
        (FIREFOX, "Firefox on Linux"),
        (IPHONE, "Safari on iOS"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge on Windows"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/126.0.0.0 Safari/537.36", "Chrome on macOS"),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/126.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
        ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
         "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
         "Samsung Internet on Android"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0", "Opera on Windows"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) FxiOS/127.0 Mobile/15E148 Safari/605.1.15", "Firefox on iOS"),
        ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/126.0.0.0 Safari/537.36", "Chrome on ChromeOS"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/17.5 Safari/605.1.15", "Safari on macOS"),
        ("curl/8.5.0", "curl"),
        ("", "Unknown browser"),
        ("SomethingElse/1.0", "Unknown browser"),
    ],
)  # fmt: skip
def test_user_agent_summary(user_agent, shown):
    assert user_agents.describe(user_agent) == shown
