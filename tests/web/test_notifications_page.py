"""The notifications page with its type filters, and the unread badge in the navigation."""

from __future__ import annotations

from fedi.services import follows, interactions, statuses
from tests.web.signed_in import HTMX, page, signed_in


def _badge(html: str) -> str:
    return html.split('id="nav-badge"')[1].split("</span>")[0]


def test_filters_by_type_and_clears_the_badge(app, alice, bob, carol):
    mine = statuses.post_status(account=alice, text="Hello")
    interactions.favourite(status=mine, by=bob)
    statuses.post_status(account=carol, text="@alice hi there")
    follows.follow(account=bob, target=alice)
    browser = signed_in(app)

    home = page(browser, "/home")
    assert _badge(home).endswith(">3") and "hidden" not in _badge(home)

    everything = page(browser, "/notifications")
    assert "favourited your post" in everything and "mentioned you" in everything
    assert "followed you" in everything
    assert 'aria-current="page">All' in everything

    mentions = page(browser, "/notifications?filter=mentions")
    assert "mentioned you" in mentions and "favourited your post" not in mentions
    follows_only = page(browser, "/notifications?filter=follows")
    assert "followed you" in follows_only and "mentioned you" not in follows_only
    favourites = page(browser, "/notifications?filter=favourites")
    assert "favourited your post" in favourites and "followed you" not in favourites

    assert "hidden" in _badge(page(browser, "/home"))  # the marker moved when the page was read


def test_follow_request_notification_links_to_review(app, alice, bob):
    from fedi.extensions import db

    alice.locked = True
    db.session.commit()
    follows.follow(account=bob, target=alice)
    body = page(signed_in(app), "/notifications?filter=follows")
    assert "asked to follow you" in body and 'href="/follow_requests"' in body


def test_htmx_load_more_returns_only_the_list(app, alice, bob):
    mine = statuses.post_status(account=alice, text="Hello")
    interactions.favourite(status=mine, by=bob)
    r = signed_in(app).get("/notifications", headers=HTMX)
    body = r.get_data(as_text=True)
    assert "favourited your post" in body and "<html" not in body and "<nav" not in body


def test_notifications_require_sign_in(client):
    r = client.get("/notifications?filter=mentions")
    assert r.status_code == 302
    assert r.headers["Location"] == "/auth/sign_in?next=%2Fnotifications%3Ffilter%3Dmentions"


def test_many_favourites_of_one_post_keep_ids_unique(app, alice, bob, carol):
    from tests.web.a11y import assert_accessible

    mine = statuses.post_status(account=alice, text="Popular")
    interactions.favourite(status=mine, by=bob)
    interactions.favourite(status=mine, by=carol)
    interactions.reblog(status=mine, by=bob)
    body = page(signed_in(app), "/notifications")
    assert body.count("Popular") == 3 and f'href="/@alice/{mine.id}"' in body
    assert_accessible(body)
