"""Two-factor sign-in (TOTP): turned on from settings with a server-drawn QR code, asked for on
the web sign-in and so on the OAuth authorize page, refused by the password grant, recovery codes
that work once, wrong codes throttled, staff required to use it when the operator says so."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from fedi.extensions import db
from fedi.models import Role, User
from fedi.services import accounts, throttles, two_factor
from tests.helpers import make_local
from tests.oauth_flow import (
    PASSWORD,
    authorize_url,
    code_from,
    csrf,
    exchange,
    hidden_fields,
    register,
    sign_in,
)
from tests.web.a11y import assert_accessible
from tests.web.signed_in import form_post, page, signed_in, token


def _user(name: str = "alice") -> User:
    db.session.expire_all()
    return accounts.user_named(name)


def fresh_code(name: str = "alice") -> str:
    """The app's code now, as if the last one was used long ago (a time step works once)."""
    user = _user(name)
    user.otp_last_timestep = None
    db.session.commit()
    return pyotp.TOTP(two_factor.unseal(user.otp_secret)).now()


def turn_on(client) -> tuple[str, list[str]]:
    """Set up through the settings pages; the key as shown, and the recovery codes."""
    here = "/settings/two_factor"
    assert client.post(f"{here}/setup", data={"csrf_token": token(client, here)}).status_code == 303
    text = page(client, here)
    secret = re.search(r'<code class="otp-secret">([A-Z2-7 ]+)</code>', text).group(1)
    secret = secret.replace(" ", "")
    data = {"code": pyotp.TOTP(secret).now(), "current_password": PASSWORD}
    r = client.post(f"{here}/enable", data=data | {"csrf_token": token(client, here)})
    assert r.status_code == 200, r.get_data(as_text=True)
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", r.get_data(as_text=True))
    return secret, codes


def code_step(client, code: str, **kw):
    data = {"code": code, "csrf_token": csrf(client)}
    return client.post("/auth/two_factor", data=data, **kw)


@pytest.fixture
def alice_2fa(app, alice) -> list[str]:
    """alice with two-factor sign-in on; her recovery codes."""
    return turn_on(signed_in(app))[1]


def test_turning_it_on_shows_a_qr_code_and_asks_for_a_code_and_the_password(app, alice):
    client = signed_in(app)
    text = page(client, "/settings/two_factor")
    assert "Set up two-factor authentication" in text and 'class="qr"' not in text

    assert form_post(client, "/settings/two_factor/setup").status_code == 303
    text = page(client, "/settings/two_factor")
    assert_accessible(text)
    qr = re.search(r'<img class="qr" src="([^"]+)"', text).group(1)
    assert qr.startswith("data:image/svg+xml")
    secret = re.search(r'<code class="otp-secret">([A-Z2-7 ]+)</code>', text).group(1)
    secret = secret.replace(" ", "")
    assert len(secret) == 32
    totp = pyotp.TOTP(secret)

    wrong_code = {"code": "000000" if totp.now() != "000000" else "111111"}
    r = form_post(
        client, "/settings/two_factor/enable", wrong_code | {"current_password": PASSWORD}
    )
    assert r.status_code == 422 and "Two-factor code is invalid" in r.get_data(as_text=True)
    r = form_post(
        client, "/settings/two_factor/enable", {"code": totp.now(), "current_password": "x"}
    )
    assert r.status_code == 422 and "Current password is invalid" in r.get_data(as_text=True)
    assert not _user().two_factor_enabled

    r = form_post(client, "/settings/two_factor/enable",
                  {"code": totp.now(), "current_password": PASSWORD})  # fmt: skip
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "no-store" in r.headers["Cache-Control"]
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", text)
    assert len(set(codes)) == two_factor.RECOVERY_CODES

    user = _user()
    assert user.two_factor_enabled and secret not in (user.otp_secret or "")  # stored sealed
    assert two_factor.unseal(user.otp_secret) == secret
    assert all(code.replace("-", "") not in str(user.otp_recovery_codes) for code in codes)
    text = page(client, "/settings/two_factor")
    assert_accessible(text)
    assert "is <strong>on</strong>" in text and "10 unused recovery codes" in text
    assert "<code>" not in text.split("<h1>", 1)[1].split("</main>")[0].replace(
        '<code class="otp-secret">', ""
    )  # the codes are shown once


def test_sign_in_asks_for_the_code_before_anyone_is_signed_in(app, client, alice_2fa):
    before = _user().last_sign_in_at
    r = sign_in(client, "alice", next_url="/notifications")
    assert r.status_code == 303 and r.headers["Location"] == "/auth/two_factor"
    with client.session_transaction() as session:
        assert "user_id" not in session
    assert client.get("/home").status_code == 302  # not signed in yet
    assert _user().last_sign_in_at == before

    text = page(client, "/auth/two_factor")
    assert 'autocomplete="one-time-code"' in text
    assert_accessible(text)
    r = code_step(client, "123456" if fresh_code() != "123456" else "654321")
    assert r.status_code == 401 and "Invalid two-factor code." in r.get_data(as_text=True)

    r = code_step(client, fresh_code())
    assert r.status_code == 303 and r.headers["Location"] == "/notifications"
    assert client.get("/home").status_code == 200
    assert _user().last_sign_in_at != before
    with client.session_transaction() as session:
        assert "two_factor" not in session


def test_a_code_works_once(app, alice_2fa):
    code = fresh_code()
    first, second = app.test_client(), app.test_client()
    sign_in(first, "alice")
    sign_in(second, "alice")
    assert code_step(first, code).status_code == 303
    assert code_step(second, code).status_code == 401  # seen over a shoulder: too late


def test_a_recovery_code_signs_in_once(app, client, alice_2fa):
    code = alice_2fa[0]
    sign_in(client, "alice")
    assert code_step(client, code.upper().replace("-", " ")).status_code == 303
    assert two_factor.recovery_codes_left(_user()) == two_factor.RECOVERY_CODES - 1

    other = app.test_client()
    sign_in(other, "alice")
    assert code_step(other, code).status_code == 401
    assert code_step(other, alice_2fa[1]).status_code == 303


def test_the_second_step_expires_and_needs_the_password_first(app, client, alice_2fa):
    assert client.get("/auth/two_factor").status_code == 303  # nothing pending
    assert code_step(client, fresh_code()).status_code == 401

    sign_in(client, "alice")
    with client.session_transaction() as session:
        session["two_factor"] = session["two_factor"] | {"at": int(time.time()) - 301}
    r = code_step(client, fresh_code())
    assert r.status_code == 401 and "took too long" in r.get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_wrong_codes_are_throttled(app, client, alice_2fa):
    sign_in(client, "alice")
    wrong = "000000" if fresh_code() != "000000" else "111111"
    for _ in range(throttles.TWO_FACTOR_PER_ACCOUNT.limit):
        assert code_step(client, wrong).status_code == 401

    r = code_step(client, fresh_code())  # even the right code, now
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "Too many wrong two-factor codes. Try again in" in r.get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_the_password_grant_refuses_accounts_with_two_factor(client, alice_2fa):
    app = register(client)
    data = {
        "grant_type": "password", "username": "alice@example.com", "password": PASSWORD,
        "client_id": app["client_id"], "client_secret": app["client_secret"], "scope": "read",
    }  # fmt: skip
    r = client.post("/oauth/token", data=data)
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_grant"


def test_the_authorize_page_signs_in_with_the_code(client, alice_2fa):
    app = register(client)
    url = authorize_url(app, force_login="true")
    r = client.get(url)
    next_url = parse_qs(urlsplit(r.headers["Location"]).query)["next"][0]

    assert sign_in(client, "alice", next_url=next_url).headers["Location"] == "/auth/two_factor"
    assert client.get(next_url).status_code == 303  # still signed out: back to the sign-in form
    r = code_step(client, fresh_code())
    assert r.status_code == 303 and r.headers["Location"] == next_url

    consent = client.get(next_url)  # force_login honoured by this sign-in: no loop
    assert consent.status_code == 200 and 'value="authorize"' in consent.get_data(as_text=True)
    fields = hidden_fields(consent.get_data(as_text=True))
    code = code_from(client.post("/oauth/authorize", data=fields | {"decision": "authorize"}))
    assert exchange(client, app, code).status_code == 200


def test_turning_it_off_and_new_recovery_codes_need_the_password_and_a_code(app, alice_2fa):
    client = app.test_client()
    sign_in(client, "alice")
    assert code_step(client, fresh_code()).status_code == 303

    r = form_post(client, "/settings/two_factor/recovery_codes",
                  {"current_password": PASSWORD, "code": "000000"})  # fmt: skip
    assert r.status_code == 422
    r = form_post(client, "/settings/two_factor/recovery_codes",
                  {"current_password": PASSWORD, "code": fresh_code()})  # fmt: skip
    new_codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", r.get_data(True))
    assert r.status_code == 200 and len(new_codes) == two_factor.RECOVERY_CODES
    assert not two_factor.verify(_user(), alice_2fa[0])  # the old ones are gone
    assert two_factor.verify(_user(), new_codes[0])

    r = form_post(client, "/settings/two_factor/disable",
                  {"current_password": "wrong", "code": fresh_code()})  # fmt: skip
    assert r.status_code == 422 and _user().two_factor_enabled
    r = form_post(client, "/settings/two_factor/disable",
                  {"current_password": PASSWORD, "code": new_codes[1]})  # fmt: skip
    assert r.status_code == 303 and "Two-factor authentication is off." in page(
        client, r.headers["Location"]
    )
    user = _user()
    assert not user.two_factor_enabled and user.otp_secret is None
    assert user.otp_recovery_codes == []
    assert sign_in(app.test_client(), "alice").headers["Location"] == "/"


def test_staff_must_turn_it_on_when_the_operator_requires_it(app, client):
    make_local("ops", role=Role.ADMIN)
    make_local("bob")
    app.config["FEDI"].REQUIRE_STAFF_TWO_FACTOR = True
    try:
        admin = signed_in(app, "ops")
        for path in ("/home", "/admin/sign_ups", "/settings/profile"):
            r = admin.get(path)
            assert r.status_code == 303 and r.headers["Location"] == "/settings/two_factor", path
        oauth_app = register(client)
        r = admin.get(authorize_url(oauth_app))
        assert r.status_code == 303 and r.headers["Location"] == "/settings/two_factor"
        text = page(admin, "/settings/two_factor")
        assert "must turn on two-factor authentication" in text
        assert signed_in(app, "bob").get("/home").status_code == 200  # only staff

        turn_on(admin)
        assert admin.get("/home").status_code == 200
        assert admin.get(authorize_url(oauth_app)).status_code == 200
    finally:
        app.config["FEDI"].REQUIRE_STAFF_TWO_FACTOR = False


def test_operators_can_turn_it_off_from_the_command_line(app, alice_2fa):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["fedi", "disable-2fa", "alice"])
    assert result.exit_code == 0, result.output
    assert "Two-factor authentication of @alice turned off" in result.output
    assert not _user().two_factor_enabled
    again = runner.invoke(args=["fedi", "disable-2fa", "alice"])
    assert "was not on" in again.output
    assert runner.invoke(args=["fedi", "disable-2fa", "nobody"]).exit_code != 0


def test_a_changed_secret_key_leaves_recovery_codes_working(app, alice_2fa):
    user = _user()
    user.otp_secret = "not-a-fernet-token"
    db.session.commit()
    assert not two_factor.verify(_user(), "123456")
    assert two_factor.verify(_user(), alice_2fa[2])
