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
    # The card's buttons submit the page's one action form, which holds the CSRF token.
    assert '<form id=f method=post action=/statuses hidden><input type="hidden"' in home
    assert f"<button form=f name=favourite value={post.id}>Favourite</button>" in home
    r = form_post(browser, "/statuses", {"favourite": post.id}, htmx=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and body.lstrip().startswith("<article")
    assert r.headers["HX-Retarget"] == f"#status-{post.id}"
    assert r.headers["HX-Reswap"] == "outerHTML show:none" and r.headers["HX-Push-Url"] == "false"
    assert f"name=unfavourite value={post.id}>Unfavourite<" in body and "1 favourite<" in body
    assert _count(Favourite, account_id=alice.id, status_id=post.id) == 1

    r = form_post(browser, "/statuses", {"unfavourite": post.id}, htmx=True)
    assert f"name=favourite value={post.id}>Favourite<" in r.get_data(as_text=True)
    assert _count(Favourite, account_id=alice.id) == 0


def test_the_per_action_urls_still_work(app, alice, post):
    browser = signed_in(app)
    r = form_post(browser, f"/statuses/{post.id}/favourite", htmx=True)
    assert r.status_code == 200 and ">Unfavourite<" in r.get_data(as_text=True)
    assert r.headers["HX-Retarget"] == f"#status-{post.id}"
    assert _count(Favourite, account_id=alice.id, status_id=post.id) == 1


def test_the_action_form_needs_a_known_action_and_card(app, alice, post):
    browser = signed_in(app)
    assert form_post(browser, "/statuses", {"nonsense": post.id}).status_code == 400
    assert form_post(browser, "/statuses", {"favourite": "abc"}).status_code == 404
    assert form_post(browser, "/statuses", {"favourite": "1"}).status_code == 404
    assert _count(Favourite) == 0


def test_plain_post_redirects_to_the_same_origin_referer(app, alice, post):
    browser = signed_in(app)
    r = form_post(
        browser, "/statuses", {"reblog": post.id}, headers={"Referer": "http://localhost/local?x=1"}
    )
    assert r.status_code == 303 and r.headers["Location"] == "/local?x=1"
    assert _count(Status, account_id=alice.id, reblog_of_id=post.id) == 1
    r = form_post(
        browser, "/statuses", {"unreblog": post.id}, headers={"Referer": "https://evil.example/x"}
    )
    assert r.status_code == 303 and r.headers["Location"] == "/home"


def test_a_boost_card_is_swapped_for_the_same_boost_card(app, alice, carol, post):
    from fedi.services import interactions

    boost = interactions.reblog(status=post, by=carol)
    browser = signed_in(app)
    r = form_post(browser, "/statuses", {"favourite": boost.id}, htmx=True)
    body = r.get_data(as_text=True)
    assert r.headers["HX-Retarget"] == f"#status-{boost.id}"
    assert f'id="status-{boost.id}"' in body and "boosted" in body and "Unfavourite" in body
    assert _count(Favourite, account_id=alice.id, status_id=post.id) == 1
    # the older per-action URL with card_id does the same
    r = form_post(browser, f"/statuses/{post.id}/unfavourite", {"card_id": boost.id}, htmx=True)
    assert f'id="status-{boost.id}"' in r.get_data(as_text=True)


def test_unboosting_ones_own_boost_card_shows_the_post(app, alice, post):
    from fedi.services import interactions

    boost = interactions.reblog(status=post, by=alice)
    browser = signed_in(app)
    r = form_post(browser, "/statuses", {"unreblog": boost.id}, htmx=True)
    assert r.headers["HX-Retarget"] == f"#status-{boost.id}"  # where the boost card was
    body = r.get_data(as_text=True)
    assert f'id="status-{post.id}"' in body and f"name=reblog value={post.id}>Boost<" in body


def test_bookmark_pin_and_mute_conversation(app, alice, post):
    browser = signed_in(app)
    form_post(browser, "/statuses", {"bookmark": post.id})
    assert _count(Bookmark, account_id=alice.id, status_id=post.id) == 1
    assert "A post worth liking" in page(browser, "/bookmarks")
    form_post(browser, "/statuses", {"favourite": post.id})
    assert "A post worth liking" in page(browser, "/favourites")
    assert form_post(browser, "/statuses", {"pin": post.id}).status_code == 422  # not mine
    own = statuses.post_status(account=alice, text="pin me")
    assert form_post(browser, "/statuses", {"pin": own.id}).status_code == 303
    assert _count(StatusPin, account_id=alice.id, status_id=own.id) == 1
    r = form_post(browser, "/statuses", {"mute": post.id}, htmx=True)
    assert ">Unmute conversation<" in r.get_data(as_text=True)
    r = form_post(browser, "/statuses", {"unmute": post.id}, htmx=True)
    assert ">Mute conversation<" not in r.get_data(as_text=True)  # offered on the post's page
    assert form_post(browser, f"/statuses/{post.id}/nonsense").status_code == 404


def test_timeline_cards_offer_bookmark_and_mute_only_to_undo_them(app, alice, bob, post):
    from fedi.services import interactions

    browser = signed_in(app)
    local = page(browser, "/local")
    assert f"name=bookmark value={post.id}" not in local and "name=mute" not in local
    interactions.bookmark(status=post, by=alice)
    assert f"name=unbookmark value={post.id}>Unbookmark<" in page(browser, "/local")
    thread = page(browser, f"/@bob/{post.id}")  # the post's own page offers everything
    assert f"name=unbookmark value={post.id}" in thread
    assert f"name=mute value={post.id}>Mute conversation<" in thread


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


def test_an_action_on_the_threads_focused_post_keeps_it_focused(app, alice, post):
    browser = signed_in(app)
    here = {"HX-Current-URL": f"http://localhost/@bob/{post.id}"}
    r = form_post(browser, "/statuses", {"favourite": post.id}, htmx=True, headers=here)
    body = r.get_data(as_text=True)
    assert "class=focused" in body and ">Mute conversation<" in body and ">Bookmark<" in body
    r = form_post(browser, "/statuses", {"unfavourite": post.id}, htmx=True)  # from a timeline
    assert "class=focused" not in r.get_data(as_text=True)
