"""The whole flow with plain HTML forms only (no JavaScript, no HX-Request): sign up, sign in,
post, follow a locked account and get approved, reply, favourite and boost, each form with the
CSRF token scraped from the page; and every signed-in page passes the accessibility check."""

from __future__ import annotations

import re

from fedi.extensions import db
from fedi.models import Status
from fedi.services import accounts
from tests.oauth_flow import csrf, hidden_fields, sign_in
from tests.web.a11y import assert_accessible
from tests.web.signed_in import page


def _submit(client, path: str, form_page: str, data: dict, status: int = 303):
    """Post a form as a browser would: the token comes from the page the form is on."""
    fields = hidden_fields(page(client, form_page)) | data
    r = client.post(path, data=fields, headers={"Referer": f"http://localhost{form_page}"})
    assert r.status_code == status, (path, r.status_code, r.get_data(as_text=True)[:500])
    return r


def test_post_and_follow_flow_without_javascript(app, bob):
    bob.locked = True
    db.session.commit()
    alice = app.test_client()
    signup = {"username": "alice", "email": "alice@example.com", "password": "a long password"}
    r = alice.post(
        "/auth/sign_up",
        data=signup | {"agreement": "1", "csrf_token": csrf(alice, "/auth/sign_up")},
    )
    assert r.status_code == 200
    alice.post("/auth/sign_out", data={"csrf_token": csrf(alice, "/home")})
    assert alice.get("/home").status_code == 302
    assert sign_in(alice, "alice", "a long password").status_code == 303

    r = _submit(alice, "/compose", "/home", {"text": "My first post", "visibility": "public"})
    assert r.headers["Location"] == "/home"
    assert "My first post" in page(alice, "/home")

    bob_id = accounts.find_local("bob").id
    r = _submit(alice, f"/accounts/{bob_id}/follow", "/search?q=bob", {})
    assert r.headers["Location"] == "/search?q=bob"
    assert "Cancel follow request" in page(alice, "/search?q=bob")

    bobs = app.test_client()
    sign_in(bobs, "bob")
    alice_id = accounts.find_local("alice").id
    _submit(bobs, f"/follow_requests/{alice_id}/authorize", "/follow_requests", {})
    _submit(bobs, "/compose", "/home", {"text": "Thanks for following", "visibility": "public"})
    assert "Thanks for following" in page(alice, "/home")  # fanned out to the new follower

    post = db.session.query(Status).filter_by(text="Thanks for following").one()
    reply_page = f"/@bob/{post.id}/reply"
    r = _submit(alice, "/compose", reply_page, {"text": "@bob You are welcome"})
    assert re.fullmatch(r"/@alice/\d+", r.headers["Location"])

    r = _submit(alice, f"/statuses/{post.id}/favourite", "/home", {})
    assert r.headers["Location"] == "/home"
    _submit(alice, f"/statuses/{post.id}/reblog", "/home", {})
    home = page(alice, "/home")
    assert ">Unfavourite<" in home and ">Unboost<" in home
    db.session.expire_all()
    assert post.favourites_count == 1 and post.reblogs_count == 1


def test_forms_without_a_csrf_token_are_refused(app, alice):
    browser = app.test_client()
    sign_in(browser)
    for path in ("/compose", "/settings/preferences", "/lists", "/settings/password"):
        assert browser.post(path, data={"text": "x"}).status_code == 403, path
    assert db.session.query(Status).count() == 0


SIGNED_IN_PAGES = (
    "/home", "/local", "/federated", "/compose", "/notifications", "/follow_requests",
    "/favourites", "/bookmarks", "/lists", "/search", "/search?q=bob", "/settings/profile",
    "/settings/preferences", "/settings/applications", "/settings/password", "/settings/export",
)  # fmt: skip


def test_signed_in_pages_are_accessible(app, alice, bob):
    from fedi.services import follows, interactions, lists, statuses

    post = statuses.post_status(account=bob, text="Hello @alice")
    interactions.favourite(status=statuses.post_status(account=alice, text="mine"), by=bob)
    follows.follow(account=alice, target=bob)
    friends = lists.create_list(owner=alice, title="Friends")
    browser = app.test_client()
    sign_in(browser)
    for path in (*SIGNED_IN_PAGES, f"/lists/{friends.id}", f"/@bob/{post.id}/reply"):
        assert_accessible(page(browser, path))
    for path in ("/auth/sign_up", "/auth/password/new"):
        assert_accessible(page(app.test_client(), path))
