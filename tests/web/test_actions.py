"""Status actions (favourite, boost, bookmark, pin, mute) and profile actions (follow, a locked
account's request and its approval, mute, block, lists): HTMX gets the updated fragment, a plain
form post a 303 back to the same-origin Referer."""

from __future__ import annotations

import pytest

from fedi.extensions import db
from fedi.models import Bookmark, Favourite, Follow, FollowRequest, Status, StatusPin
from fedi.services import lists, statuses
from tests.web.signed_in import form_post, page, signed_in


@pytest.fixture
def post(bob):
    return statuses.post_status(account=bob, text="A post worth liking")


def _count(model, **where) -> int:
    return db.session.query(model).filter_by(**where).count()


def test_favourite_with_htmx_returns_the_updated_card(app, alice, post):
    browser = signed_in(app)
    home = page(browser, "/local")
    assert 'hx-boost="true" hx-target="closest article" hx-swap="outerHTML"' in home
    assert f'formaction="/statuses/{post.id}/favourite"' in home
    r = form_post(browser, f"/statuses/{post.id}/favourite", htmx=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and body.lstrip().startswith("<article")
    assert 'aria-pressed="true">Unfavourite' in body and "1 favourites" in body
    assert _count(Favourite, account_id=alice.id, status_id=post.id) == 1

    r = form_post(browser, f"/statuses/{post.id}/unfavourite", htmx=True)
    assert 'aria-pressed="false">Favourite' in r.get_data(as_text=True)
    assert _count(Favourite, account_id=alice.id) == 0


def test_plain_post_redirects_to_the_same_origin_referer(app, alice, post):
    browser = signed_in(app)
    r = form_post(
        browser, f"/statuses/{post.id}/reblog", headers={"Referer": "http://localhost/local?x=1"}
    )
    assert r.status_code == 303 and r.headers["Location"] == "/local?x=1"
    assert _count(Status, account_id=alice.id, reblog_of_id=post.id) == 1
    r = form_post(
        browser, f"/statuses/{post.id}/unreblog", headers={"Referer": "https://evil.example/x"}
    )
    assert r.status_code == 303 and r.headers["Location"] == "/home"


def test_a_boost_card_is_swapped_for_the_same_boost_card(app, alice, carol, post):
    from fedi.services import interactions

    boost = interactions.reblog(status=post, by=carol)
    browser = signed_in(app)
    r = form_post(browser, f"/statuses/{post.id}/favourite", {"card_id": boost.id}, htmx=True)
    body = r.get_data(as_text=True)
    assert f'id="status-{boost.id}"' in body and "boosted" in body and "Unfavourite" in body


def test_bookmark_pin_and_mute_conversation(app, alice, post):
    browser = signed_in(app)
    form_post(browser, f"/statuses/{post.id}/bookmark")
    assert _count(Bookmark, account_id=alice.id, status_id=post.id) == 1
    assert "A post worth liking" in page(browser, "/bookmarks")
    form_post(browser, f"/statuses/{post.id}/favourite")
    assert "A post worth liking" in page(browser, "/favourites")
    assert form_post(browser, f"/statuses/{post.id}/pin").status_code == 422  # not mine
    own = statuses.post_status(account=alice, text="pin me")
    assert form_post(browser, f"/statuses/{own.id}/pin").status_code == 303
    assert _count(StatusPin, account_id=alice.id, status_id=own.id) == 1
    r = form_post(browser, f"/statuses/{post.id}/mute", htmx=True)
    assert 'aria-pressed="true">Unmute conversation' in r.get_data(as_text=True)
    r = form_post(browser, f"/statuses/{post.id}/unmute", htmx=True)
    assert 'aria-pressed="false">Mute conversation' in r.get_data(as_text=True)
    assert form_post(browser, f"/statuses/{post.id}/nonsense").status_code == 404


def test_actions_need_a_csrf_token_and_a_session(app, client, alice, post):
    browser = signed_in(app)
    assert browser.post(f"/statuses/{post.id}/favourite").status_code == 403
    assert _count(Favourite) == 0
    r = client.post(f"/statuses/{post.id}/favourite", data={"csrf_token": "x"})
    assert r.status_code == 403


def test_follow_a_locked_account_and_approve_the_request(app, alice, bob):
    bob.locked = True
    db.session.commit()
    alices = signed_in(app, "alice")
    r = form_post(alices, f"/accounts/{bob.id}/follow", htmx=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Cancel follow request" in body and "Requested" in body
    assert _count(FollowRequest, account_id=alice.id, target_account_id=bob.id) == 1

    bobs = signed_in(app, "bob")
    requests = page(bobs, "/follow_requests")
    assert "@alice" in requests and 'aria-label="Approve @alice"' in requests
    r = form_post(bobs, f"/follow_requests/{alice.id}/authorize")
    assert r.status_code == 303
    assert _count(Follow, account_id=alice.id, target_account_id=bob.id) == 1
    assert "No pending requests" in page(bobs, "/follow_requests")

    r = form_post(alices, f"/accounts/{bob.id}/unfollow", htmx=True)
    assert ">Ask to follow<" in r.get_data(as_text=True)
    assert _count(Follow, account_id=alice.id) == 0


def test_reject_a_follow_request(app, alice, bob):
    bob.locked = True
    db.session.commit()
    form_post(signed_in(app, "alice"), f"/accounts/{bob.id}/follow")
    bobs = signed_in(app, "bob")
    assert form_post(bobs, f"/follow_requests/{alice.id}/reject", htmx=True).status_code == 200
    assert _count(FollowRequest) == 0 and _count(Follow) == 0


def test_follow_mute_block_and_add_to_list(app, alice, bob):
    browser = signed_in(app)
    form_post(browser, f"/accounts/{bob.id}/follow")
    assert _count(Follow, account_id=alice.id, target_account_id=bob.id) == 1
    friends = lists.create_list(owner=alice, title="Friends")
    r = form_post(browser, f"/accounts/{bob.id}/add_to_list", {"list_id": friends.id}, htmx=True)
    assert r.status_code == 200
    assert [m.id for m in lists.members(friends, None)] == [bob.id]
    assert "@bob" in page(browser, f"/lists/{friends.id}")

    r = form_post(browser, f"/accounts/{bob.id}/mute", htmx=True)
    assert 'aria-pressed="true">Unmute' in r.get_data(as_text=True)
    r = form_post(browser, f"/accounts/{bob.id}/block", htmx=True)
    assert ">Unblock<" in r.get_data(as_text=True)
    assert _count(Follow, account_id=alice.id) == 0  # blocking ends the follow


def test_search_finds_people_with_profile_actions(app, alice, bob):
    browser = signed_in(app)
    results = page(browser, "/search?q=bob")
    assert "@bob" in results and f'action="/accounts/{bob.id}/follow"' in results
    assert '<label for="q">' in results


def test_search_finds_a_known_remote_account_by_address(app, alice, remote_dave):
    body = page(signed_in(app), "/search?q=%40dave%40remote.example")
    assert "@dave@remote.example" in body
    assert f'action="/accounts/{remote_dave.id}/follow"' in body
