"""Registrations in `approved` mode, end to end through the web UI: a sign-up waits, its owner
cannot sign in and is told why, a moderator sees it with its reason on /admin/sign_ups (linked
in the nav for staff only) and approves it, and then its owner signs in; a rejected sign-up is
deleted. The page and its actions are for staff only and need the CSRF token."""

from __future__ import annotations

import pytest

from fedi.extensions import db
from fedi.models import Account, Notification, Role, User
from fedi.services import accounts
from tests.oauth_flow import csrf
from tests.web.a11y import assert_accessible
from tests.web.signed_in import form_post, mail_log, page, signed_in

PASSWORD = "a long password"


@pytest.fixture
def approved_mode(app):
    settings = app.config["FEDI"]
    original, settings.REGISTRATIONS_MODE = settings.REGISTRATIONS_MODE, "approved"
    yield
    settings.REGISTRATIONS_MODE = original


@pytest.fixture
def moderator():
    from tests.helpers import make_local

    return make_local("moddy", role=Role.MODERATOR)


def _sign_up(client, username: str, reason: str):
    data = {"username": username, "email": f"{username}@example.com", "password": PASSWORD,
            "agreement": "1", "reason": reason}  # fmt: skip
    data["csrf_token"] = csrf(client, "/auth/sign_up")
    return client.post("/auth/sign_up", data=data)


def _sign_in(client, login: str):
    data = {"login": login, "password": PASSWORD, "csrf_token": csrf(client)}
    return client.post("/auth/sign_in", data=data)


def test_sign_up_waits_for_approval_then_signs_in(app, approved_mode, moderator, caplog):
    newcomer = app.test_client()
    r = _sign_up(newcomer, "newbie", "I birdwatch and want to post sightings")
    assert r.status_code == 200 and "moderator will review" in r.get_data(as_text=True)

    r = _sign_in(newcomer, "newbie")  # the right password, but not approved yet
    body = r.get_data(as_text=True)
    assert r.status_code == 403 and "waiting for a moderator" in body and 'role="alert"' in body
    assert newcomer.get("/home").status_code == 302
    r = newcomer.post("/auth/sign_in", data={"login": "newbie", "password": "wrong guess",
                                             "csrf_token": csrf(newcomer)})  # fmt: skip
    assert r.status_code == 401 and "waiting" not in r.get_data(as_text=True)  # learns nothing

    mod = signed_in(app, "moddy")
    home = page(mod, "/home")
    assert '<a href="/admin/">Administration</a>' in home
    review = page(mod, "/admin/sign_ups")
    assert "@newbie" in review and "I birdwatch and want to post sightings" in review
    assert 'aria-label="Approve @newbie"' in review and 'aria-label="Reject @newbie"' in review
    assert_accessible(review)

    user = accounts.find_local("newbie").user
    with mail_log(caplog):
        r = form_post(mod, f"/admin/sign_ups/{user.id}/approve")
    assert r.status_code == 303
    assert r.headers["Location"] == "/admin/sign_ups?done=approved&name=newbie"
    assert "@newbie approved." in page(mod, r.headers["Location"])
    assert "Your account has been approved" in caplog.text
    db.session.expire_all()
    assert db.session.get(User, user.id).approved

    r = _sign_in(newcomer, "newbie")
    assert r.status_code == 303 and newcomer.get("/home").status_code == 200


def test_reject_deletes_the_pending_account(app, approved_mode, moderator):
    _sign_up(app.test_client(), "spammer", "buy things")
    user_id = accounts.find_local("spammer").user.id
    assert db.session.query(Notification).filter_by(account_id=moderator.id).count() == 1
    mod = signed_in(app, "moddy")
    r = form_post(mod, f"/admin/sign_ups/{user_id}/reject", htmx=True)
    assert r.status_code == 200 and "@spammer rejected." in r.get_data(as_text=True)
    db.session.expire_all()
    assert accounts.find_local("spammer") is None and db.session.get(User, user_id) is None
    assert db.session.query(Notification).filter_by(account_id=moderator.id).count() == 0
    assert "No sign-ups waiting." in page(mod, "/admin/sign_ups")
    # the username is free again
    assert _sign_up(app.test_client(), "spammer", "sorry").status_code == 200


def test_only_staff_see_and_use_the_review_page(app, approved_mode, alice, moderator, client):
    _sign_up(app.test_client(), "newbie", "hello")
    user_id = accounts.find_local("newbie").user.id
    user_browser = signed_in(app, "alice")
    assert "Administration" not in page(user_browser, "/home")
    assert user_browser.get("/admin/sign_ups").status_code == 403
    assert form_post(user_browser, f"/admin/sign_ups/{user_id}/approve").status_code == 403
    r = client.get("/admin/sign_ups")
    assert r.status_code == 302 and r.headers["Location"].startswith("/auth/sign_in")
    mod = signed_in(app, "moddy")
    assert mod.post(f"/admin/sign_ups/{user_id}/approve").status_code == 403  # no CSRF token
    assert form_post(mod, "/admin/sign_ups/12345/approve").status_code == 404
    db.session.expire_all()
    assert not db.session.get(User, user_id).approved


def test_approving_twice_or_an_approved_user_is_not_found(app, alice, moderator):
    mod = signed_in(app, "moddy")
    assert form_post(mod, f"/admin/sign_ups/{alice.user.id}/reject").status_code == 404
    assert db.session.get(Account, alice.id) is not None


def test_the_page_says_when_sign_ups_do_not_wait(app, moderator):
    assert "do not wait here" in page(signed_in(app, "moddy"), "/admin/sign_ups")
