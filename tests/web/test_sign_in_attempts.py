"""Failed sign-ins are throttled per account and per client address, on the web form and on the
OAuth password grant alike (fedi/services/sign_in_attempts.py)."""

from __future__ import annotations

from fedi.services import sign_in_attempts
from tests.helpers import make_local
from tests.oauth_flow import PASSWORD, csrf, register

LIMIT = sign_in_attempts.PER_ACCOUNT.limit


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
    assert 0 < int(r.headers["Retry-After"]) <= sign_in_attempts.PER_ACCOUNT.period
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
    for n in range(sign_in_attempts.PER_ADDRESS.limit):
        assert attempt(client, f"nobody{n}@example.com", "x", "198.51.100.77").status_code == 401

    assert attempt(client, "alice", PASSWORD, "198.51.100.77").status_code == 429
    assert attempt(client, "alice", PASSWORD, "198.51.100.78").status_code == 303


def test_a_correct_password_within_the_budget_still_signs_in(client, alice):
    for n in range(3):
        assert attempt(client, "alice", f"typo {n}", "198.51.100.5").status_code == 401
    assert attempt(client, "alice", PASSWORD, "198.51.100.5").status_code == 303
