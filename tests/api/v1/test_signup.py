"""POST /api/v1/accounts: sign-up with an app token, in each registration mode."""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import func, select

from fedi.extensions import db
from fedi.models import Account, Notification, NotificationType, OAuthToken, Role, User
from fedi.services import accounts
from tests.helpers import bearer, make_local, token_for

FORM = {
    "username": "newbie",
    "email": "newbie@example.com",
    "password": "a long enough password",
    "agreement": "true",
    "locale": "fr",
}


@pytest.fixture
def mode():
    settings = current_app.config["FEDI"]
    original = settings.REGISTRATIONS_MODE

    def set_mode(value: str) -> None:
        settings.REGISTRATIONS_MODE = value

    yield set_mode
    settings.REGISTRATIONS_MODE = original


def app_token(scopes: str = "read write follow push") -> str:
    return token_for(None, scopes)


def test_sign_up_returns_a_token_for_the_new_user(client):
    r = client.post("/api/v1/accounts", data=FORM, headers=bearer(app_token()))

    assert r.status_code == 200
    body = r.get_json()
    assert set(body) == {"access_token", "token_type", "scope", "created_at"}
    assert body["token_type"] == "Bearer" and body["scope"] == "read write follow push"
    assert isinstance(body["created_at"], int)
    user = db.session.scalar(select(User).where(User.email == "newbie@example.com"))
    assert user.approved and user.locale == "fr" and user.account.username == "newbie"

    me = client.get("/api/v1/accounts/verify_credentials", headers=bearer(body["access_token"]))
    assert me.status_code == 200 and me.get_json()["username"] == "newbie"


def test_sign_up_accepts_json_bodies(client):
    r = client.post(
        "/api/v1/accounts", json={**FORM, "agreement": True}, headers=bearer(app_token())
    )
    assert r.status_code == 200


def test_sign_up_needs_an_app_token_with_write_scope(client):
    assert client.post("/api/v1/accounts", data=FORM).status_code == 401
    r = client.post("/api/v1/accounts", data=FORM, headers=bearer(app_token("read")))
    assert r.status_code == 403
    assert r.get_json() == {"error": "This action is outside the authorized scopes"}
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_invalid_sign_up_reports_every_attribute(client, alice):
    form = {"username": "alice", "email": "not-an-email", "password": "short"}

    r = client.post("/api/v1/accounts", data=form, headers=bearer(app_token()))

    assert r.status_code == 422
    body = r.get_json()
    assert body["error"].startswith("Validation failed: Username is already taken, ")
    assert "Email is invalid" in body["error"] and "Agreement must be accepted" in body["error"]
    assert body["details"]["username"] == [
        {"error": "ERR_TAKEN", "description": "is already taken"}
    ]
    assert body["details"]["email"][0]["error"] == "ERR_INVALID"
    assert body["details"]["password"] == [
        {"error": "ERR_TOO_SHORT", "description": "is too short (minimum is 8 characters)"}
    ]
    assert body["details"]["agreement"] == [
        {"error": "ERR_ACCEPTED", "description": "must be accepted"}
    ]
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_missing_fields_are_blank(client):
    r = client.post("/api/v1/accounts", data={"agreement": "1"}, headers=bearer(app_token()))
    assert r.status_code == 422
    assert r.get_json()["details"]["username"][0]["error"] == "ERR_BLANK"


def test_closed_registrations_forbid_sign_up(client, mode):
    mode("none")
    r = client.post("/api/v1/accounts", data=FORM, headers=bearer(app_token()))
    assert r.status_code == 403 and r.get_json() == {"error": "This action is not allowed"}
    assert db.session.scalar(select(func.count(Account.id))) == 0


def test_approval_mode_needs_a_reason_and_leaves_the_login_pending(client, mode):
    mode("approved")
    admin = make_local("boss")
    accounts.set_role(username="boss", role=Role.ADMIN)

    r = client.post("/api/v1/accounts", data=FORM, headers=bearer(app_token()))
    assert r.status_code == 422
    assert r.get_json()["details"] == {
        "reason": [{"error": "ERR_BLANK", "description": "can't be blank"}]
    }
    r = client.post(
        "/api/v1/accounts", data={**FORM, "reason": "x" * 1001}, headers=bearer(app_token())
    )
    assert r.status_code == 422 and r.get_json()["details"]["reason"][0]["error"] == "ERR_TOO_LONG"

    r = client.post(
        "/api/v1/accounts", data={**FORM, "reason": "I like birds"}, headers=bearer(app_token())
    )

    assert r.status_code == 200
    user = db.session.scalar(select(User).where(User.email == "newbie@example.com"))
    assert not user.approved and user.sign_up_reason == "I like birds"
    token = db.session.scalar(select(OAuthToken).where(OAuthToken.account_id == user.account_id))
    assert token.access_token == r.get_json()["access_token"]
    me = client.get("/api/v1/accounts/verify_credentials", headers=bearer(token.access_token))
    assert me.status_code == 403
    assert me.get_json() == {"error": "Your login is currently pending approval"}
    # A pending sign-up is nobody's business but the moderators'.
    assert client.get(f"/api/v1/accounts/{user.account_id}").status_code == 404
    notified = db.session.scalars(
        select(Notification.type).where(Notification.account_id == admin.id)
    ).all()
    assert notified == [NotificationType.ADMIN_SIGN_UP]
