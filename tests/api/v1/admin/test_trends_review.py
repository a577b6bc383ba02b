"""Reviewing trends: moderators list what trends or would, approve or reject hashtags and posts
through Mastodon's admin trends API and the admin page; a rejected one leaves the public
trends, and with TRENDS_NEED_REVIEW only approved ones trend. Every decision is audited."""

from __future__ import annotations

import pytest

from fedi.extensions import db
from fedi.models import AuditLogEntry, Role
from fedi.services import interactions, statuses
from tests.helpers import bearer, make_local, token_for
from tests.web.signed_in import form_post, page, signed_in


@pytest.fixture
def review_required(app):
    settings = app.config["FEDI"]
    settings.TRENDS_NEED_REVIEW = True
    yield
    settings.TRENDS_NEED_REVIEW = False


def _names(client) -> list[str]:
    return [t["name"] for t in client.get("/api/v1/trends/tags").get_json()]


def _trending(client) -> list[str]:
    return [s["id"] for s in client.get("/api/v1/trends/statuses").get_json()]


def test_rejected_tags_and_posts_leave_the_trends(app, client):
    mod = make_local("moddy", role=Role.MODERATOR)
    alice, bob = make_local("alice"), make_local("bob")
    statuses.post_status(account=alice, text="#birds are great")
    statuses.post_status(account=bob, text="#spamcoin buy now")
    post = statuses.post_status(account=bob, text="look at this")
    interactions.favourite(status=post, by=alice)
    assert set(_names(client)) == {"birds", "spamcoin"} and _trending(client) == [str(post.id)]

    read, write = token_for(mod, "admin:read"), token_for(mod, "admin:write")
    listed = client.get("/api/v1/admin/trends/tags", headers=bearer(read)).get_json()
    spam = next(t for t in listed if t["name"] == "spamcoin")
    assert spam["requires_review"] is True and spam["trendable"] is True
    assert {"usable", "listable", "history", "url"} <= spam.keys()
    r = client.post(f"/api/v1/admin/trends/tags/{spam['id']}/reject", headers=bearer(write))
    assert r.status_code == 200 and r.get_json()["trendable"] is False
    assert r.get_json()["requires_review"] is False
    assert _names(client) == ["birds"]
    still = client.get("/api/v1/admin/trends/tags", headers=bearer(read)).get_json()
    assert {t["name"] for t in still} == {"birds", "spamcoin"}  # reviewers still see it

    r = client.post(f"/api/v1/admin/trends/statuses/{post.id}/reject", headers=bearer(write))
    assert r.status_code == 200 and r.get_json()["id"] == str(post.id)
    assert _trending(client) == []
    admin_list = client.get("/api/v1/admin/trends/statuses", headers=bearer(read)).get_json()
    assert [s["id"] for s in admin_list] == [str(post.id)]
    assert client.get("/api/v1/admin/trends/links", headers=bearer(read)).get_json() == []
    actions = {(e.action, e.target_type) for e in db.session.query(AuditLogEntry)}
    assert actions == {("reject", "Tag"), ("reject", "Status")}


def test_with_review_required_only_approved_ones_trend(app, client, review_required):
    make_local("moddy", role=Role.MODERATOR)
    alice = make_local("alice")
    statuses.post_status(account=alice, text="#birds")
    post = statuses.post_status(account=alice, text="hello")
    interactions.favourite(status=post, by=make_local("bob"))
    assert _names(client) == [] and _trending(client) == []

    browser = signed_in(app, "moddy")
    body = page(browser, "/admin/trends/")
    assert "#birds" in body and "Not reviewed" in body and "Only what a moderator approved" in body
    tag_id = db.session.execute(db.text("SELECT id FROM tags WHERE name = 'birds'")).scalar()
    assert form_post(browser, f"/admin/trends/tags/{tag_id}/approve").status_code == 303
    assert form_post(browser, f"/admin/trends/statuses/{post.id}/approve").status_code == 303
    assert _names(client) == ["birds"] and _trending(client) == [str(post.id)]
    assert "Approved" in page(browser, "/admin/trends/")


def test_trends_review_needs_a_moderator_and_the_scope(app, client):
    alice = make_local("alice")
    mod = make_local("moddy", role=Role.MODERATOR)
    assert client.get("/api/v1/admin/trends/tags").status_code == 401
    r = client.get("/api/v1/admin/trends/tags", headers=bearer(token_for(alice, "admin:read")))
    assert r.status_code == 403
    r = client.post("/api/v1/admin/trends/tags/1/approve",
                    headers=bearer(token_for(mod, "admin:read")))  # fmt: skip
    assert r.status_code == 403
    r = client.post("/api/v1/admin/trends/tags/1/approve",
                    headers=bearer(token_for(mod, "admin:write")))  # fmt: skip
    assert r.status_code == 404
    assert signed_in(app, "alice").get("/admin/trends/").status_code == 403
