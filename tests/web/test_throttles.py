"""Failed sign-ins, password reset requests and confirmation e-mails are throttled per account (or
e-mail) and per client address, on the web forms and the OAuth password grant alike, and sign-ups
through the web form per client address (services/throttles.py)."""

from __future__ import annotations

from fedi.services import accounts, throttles
from tests.helpers import make_local
from tests.oauth_flow import PASSWORD, csrf, register

LIMIT = throttles.SIGN_IN_PER_ACCOUNT.limit


def attempt(client, login: str, password: str, address: str):
    environ = {"REMOTE_ADDR": address}
    token = csrf(client)
    data = {"login": login, "password": password, "csrf_token": token}
    return client.post("/auth/sign_in", data=data, environ_base=environ)


def test_guessing_one_accounts_password_is_stopped(client, alice):
    for n in range(LIMIT):  # each guess from another address: only the account's budget counts
        r = attempt(client, "alice", f"guess {n}", f"198.51.100.{n + 1}")
        assert r.status_code == 401

    r = attempt(client, "alice", PASSWORD, "203.0.113.50")  # even the right password, now

    assert r.status_code == 429
    assert "Too many failed sign-in attempts. Try again in" in r.get_data(as_text=True)
    assert 0 < int(r.headers["Retry-After"]) <= throttles.SIGN_IN_PER_ACCOUNT.period
    with client.session_transaction() as session:
        assert "user_id" not in session
    make_local("bob")
    assert attempt(client, "bob", PASSWORD, "203.0.113.51").status_code == 303  # others may


def test_the_password_grant_counts_against_the_same_budget(client, alice):
    app = register(client)
    data = {
        "grant_type": "password",
        "username": "alice@example.com",
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "scope": "read",
    }
    for n in range(LIMIT - 1):
        r = client.post("/oauth/token", data=data | {"password": f"guess {n}"})
        assert r.status_code == 400 and r.get_json()["error"] == "invalid_grant"
    assert attempt(client, "alice", "one more guess", "198.51.100.9").status_code == 401

    r = client.post("/oauth/token", data=data | {"password": PASSWORD})

    assert r.status_code == 429 and "Too many failed sign-in attempts" in r.get_json()["error"]
    assert int(r.headers["Retry-After"]) > 0


def test_one_address_guessing_many_accounts_is_stopped(client, alice):
    for n in range(throttles.SIGN_IN_PER_ADDRESS.limit):
        assert attempt(client, f"nobody{n}@example.com", "x", "198.51.100.77").status_code == 401

    assert attempt(client, "alice", PASSWORD, "198.51.100.77").status_code == 429
    assert attempt(client, "alice", PASSWORD, "198.51.100.78").status_code == 303


def test_a_correct_password_within_the_budget_still_signs_in(client, alice):
    for n in range(3):
        assert attempt(client, "alice", f"typo {n}", "198.51.100.5").status_code == 401
    assert attempt(client, "alice", PASSWORD, "198.51.100.5").status_code == 303


def test_password_reset_requests_are_limited_per_address_and_per_email(client, alice):
    def ask(email: str, address: str):
        data = {"email": email, "csrf_token": csrf(client, "/auth/password/new")}
        return client.post("/auth/password/new", data=data, environ_base={"REMOTE_ADDR": address})

    for n in range(throttles.RESET_PER_EMAIL.limit):  # known or not, each request counts
        assert ask("alice@example.com", f"198.51.100.{n + 1}").status_code == 200
    r = ask("alice@example.com", "198.51.100.99")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "Too many password reset requests. Try again in" in r.get_data(as_text=True)
    assert ask("someone@example.com", "198.51.100.99").status_code == 200

    for n in range(throttles.RESET_PER_ADDRESS.limit):
        ask(f"nobody{n}@example.com", "203.0.113.9")
    assert ask("nobody-else@example.com", "203.0.113.9").status_code == 429


def sign_up(client, n: int, address: str, **fields):
    data = {
        "username": f"newbie{n}", "email": f"newbie{n}@example.com", "password": "a long password",
        "agreement": "1", "csrf_token": csrf(client, "/auth/sign_up"),
    } | fields  # fmt: skip
    return client.post("/auth/sign_up", data=data, environ_base={"REMOTE_ADDR": address})


def test_sign_ups_are_limited_per_address_like_the_apis(client):
    """5 in 30 minutes from one address (Mastodon's API budget); every attempt counts, a refused
    one too, and the form says how long to wait."""
    limit = throttles.SIGN_UP_PER_ADDRESS.limit
    assert sign_up(client, 0, "198.51.100.7", password="short").status_code == 422
    for n in range(1, limit):
        assert sign_up(client, n, "198.51.100.7").status_code == 200

    r = sign_up(client, limit, "198.51.100.7")

    assert r.status_code == 429
    text = r.get_data(as_text=True)
    assert "Too many sign-ups from your address. Try again in" in text
    assert 'value="newbie5@example.com"' in text  # what was typed is kept
    assert 0 < int(r.headers["Retry-After"]) <= throttles.SIGN_UP_PER_ADDRESS.period
    assert accounts.find_local(f"newbie{limit}") is None
    assert sign_up(client, limit, "198.51.100.8").status_code == 200  # another address may
    for n in range(limit + 1, limit + 8):  # this machine (loopback) has no per-address budget
        assert sign_up(client, n, "127.0.0.1").status_code == 200


def ask_for_confirmation(client, email: str, address: str):
    data = {"email": email, "csrf_token": csrf(client, "/auth/confirmation/new")}
    return client.post("/auth/confirmation/new", data=data, environ_base={"REMOTE_ADDR": address})


def test_confirmation_links_are_limited_per_account_and_per_address(client, outbox):
    assert sign_up(client, 1, "198.51.100.40").status_code == 200  # the first of five e-mails
    for n in range(throttles.CONFIRMATION_PER_ACCOUNT.limit - 1):
        r = ask_for_confirmation(client, "newbie1@example.com", f"198.51.100.{n + 50}")
        assert r.status_code == 200
    assert len(outbox) == throttles.CONFIRMATION_PER_ACCOUNT.limit

    r = ask_for_confirmation(client, "NewBie1@example.com", "198.51.100.99")

    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "Too many confirmation e-mails asked for. Try again in" in r.get_data(as_text=True)
    assert len(outbox) == throttles.CONFIRMATION_PER_ACCOUNT.limit
    for _ in range(throttles.CONFIRMATION_PER_ACCOUNT.limit):  # unknown addresses count alike
        assert ask_for_confirmation(client, "nobody@example.com", "203.0.113.1").status_code == 200
    assert ask_for_confirmation(client, "nobody@example.com", "203.0.113.2").status_code == 429

    for n in range(throttles.CONFIRMATION_PER_ADDRESS.limit - 5):
        ask_for_confirmation(client, f"someone{n}@example.com", "203.0.113.1")
    assert ask_for_confirmation(client, "else@example.com", "203.0.113.1").status_code == 429
    assert ask_for_confirmation(client, "else@example.com", "203.0.113.3").status_code == 200
