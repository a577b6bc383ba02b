"""Favourite, boost, bookmark, pin and conversation mute (and undo), and who favourited or
boosted a status: counts and flags in the answers, Mastodon's errors and Link headers."""

from __future__ import annotations

import pytest

from fedi.extensions import db
from fedi.models import ConversationMute
from fedi.services import blocks, follows, interactions, statuses
from tests.helpers import bearer, make_local, token_for


def act(client, account, status_id, action, scopes="read write", **kwargs):
    return client.post(
        f"/api/v1/statuses/{status_id}/{action}", headers=bearer(token_for(account, scopes)),
        **kwargs,
    )  # fmt: skip


def test_favourite_and_unfavourite(client, alice, bob):
    post = statuses.post_status(account=alice, text="like me")

    r = act(client, bob, post.id, "favourite")
    assert r.status_code == 200
    assert r.get_json()["favourited"] is True and r.get_json()["favourites_count"] == 1
    assert act(client, bob, post.id, "favourite").get_json()["favourites_count"] == 1
    r = act(client, bob, post.id, "unfavourite")
    assert r.get_json()["favourited"] is False and r.get_json()["favourites_count"] == 0
    r = act(client, bob, post.id, "unfavourite")
    assert r.status_code == 200 and r.get_json()["favourites_count"] == 0


def test_undo_works_on_a_post_hidden_since(client, alice, bob):
    follows.follow(account=bob, target=alice)
    secret = statuses.post_status(account=alice, text="friends", visibility_="private")
    act(client, bob, secret.id, "favourite")
    act(client, bob, secret.id, "bookmark")
    follows.unfollow(account=bob, target=alice)

    assert act(client, bob, secret.id, "favourite").status_code == 404
    r = act(client, bob, secret.id, "unfavourite")
    assert r.status_code == 200 and r.get_json()["favourited"] is False
    assert act(client, bob, secret.id, "unbookmark").get_json()["bookmarked"] is False
    assert act(client, bob, secret.id, "unbookmark").status_code == 404


@pytest.mark.parametrize(
    ("action", "scope"),
    [("favourite", "write:favourites"), ("reblog", "write:statuses"),
     ("bookmark", "write:bookmarks"), ("pin", "write:accounts"), ("mute", "write:mutes")],
)  # fmt: skip
def test_each_action_needs_its_scope_and_a_visible_status(client, alice, bob, action, scope):
    post = statuses.post_status(account=bob, text="ok")
    other = "write:lists"
    assert client.post(f"/api/v1/statuses/{post.id}/{action}").status_code == 401
    r = act(client, bob, post.id, action, scopes=other)
    assert r.status_code == 403
    assert r.get_json() == {"error": "This action is outside the authorized scopes"}
    assert act(client, bob, post.id, action, scopes=scope).status_code == 200
    secret = statuses.post_status(account=bob, text="d", visibility_="direct")
    for status_id in (secret.id, 1, "abc"):
        r = act(client, alice, status_id, action, scopes=scope)
        assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}


def test_reblog_with_visibility_and_unreblog(client, alice, bob):
    post = statuses.post_status(account=alice, text="boost me")

    r = act(client, bob, post.id, "reblog", data={"visibility": "unlisted"})

    assert r.status_code == 200
    body = r.get_json()
    assert body["reblog"]["id"] == str(post.id) and body["visibility"] == "unlisted"
    assert body["reblog"]["reblogged"] is True and body["reblog"]["reblogs_count"] == 1
    assert body["account"]["acct"] == "bob" and body["reblogged"] is False
    again = act(client, bob, post.id, "reblog").get_json()
    assert again["id"] == body["id"]
    r = act(client, bob, post.id, "unreblog")
    assert r.status_code == 200 and r.get_json()["id"] == str(post.id)
    assert r.get_json()["reblogged"] is False and r.get_json()["reblogs_count"] == 0
    r = act(client, bob, post.id, "reblog", json={"visibility": "nonsense"})
    assert r.status_code == 422


def test_private_posts_cannot_be_boosted_by_others(client, alice, bob):
    follows.follow(account=bob, target=alice)
    private = statuses.post_status(account=alice, text="p", visibility_="private")
    r = act(client, bob, private.id, "reblog")
    assert r.status_code == 403 and r.get_json() == {"error": "This action is not allowed"}
    r = act(client, alice, private.id, "reblog")
    assert r.status_code == 200 and r.get_json()["visibility"] == "private"


def test_bookmark_and_unbookmark(client, alice, bob):
    post = statuses.post_status(account=alice, text="save me")
    assert act(client, bob, post.id, "bookmark").get_json()["bookmarked"] is True
    assert act(client, bob, post.id, "unbookmark").get_json()["bookmarked"] is False


def test_pin_rules_and_messages(client, alice, bob):
    mine = statuses.post_status(account=alice, text="pin me")
    r = act(client, alice, mine.id, "pin")
    assert r.status_code == 200 and r.get_json()["pinned"] is True
    r = act(client, alice, mine.id, "pin")
    assert r.status_code == 422 and r.get_json() == {"error": "Duplicate record"}
    assert act(client, alice, mine.id, "unpin").get_json()["pinned"] is False

    theirs = statuses.post_status(account=bob, text="not yours")
    r = act(client, alice, theirs.id, "pin")
    assert r.status_code == 422
    assert r.get_json() == {"error": "Validation failed: Someone else's post cannot be pinned"}
    direct = statuses.post_status(account=alice, text="@bob psst", visibility_="direct")
    r = act(client, alice, direct.id, "pin")
    assert r.get_json() == {
        "error": "Validation failed: Posts that are only visible to mentioned users cannot be "
        "pinned"
    }
    assert "pinned" not in act(client, alice, direct.id, "bookmark").get_json()
    boost = interactions.reblog(status=theirs, by=alice)
    r = act(client, alice, boost.id, "pin")
    assert r.get_json() == {"error": "Validation failed: A boost cannot be pinned"}
    r = act(client, bob, direct.id, "pin")  # bob, mentioned, sees it: every reason is given
    assert r.get_json() == {
        "error": "Validation failed: Someone else's post cannot be pinned, Posts that are only "
        "visible to mentioned users cannot be pinned"
    }
    for i in range(5):
        act(client, alice, statuses.post_status(account=alice, text=f"p{i}").id, "pin")
    r = act(client, alice, mine.id, "pin")
    assert r.get_json() == {
        "error": "Validation failed: You have already pinned the maximum number of posts"
    }


def test_mute_and_unmute_a_conversation(client, alice, bob):
    post = statuses.post_status(account=alice, text="thread")
    reply = statuses.post_status(account=bob, text="@alice reply", in_reply_to=post)

    r = act(client, alice, reply.id, "mute")

    assert r.status_code == 200 and r.get_json()["muted"] is True
    assert act(client, alice, reply.id, "mute").get_json()["muted"] is True
    r = client.get(f"/api/v1/statuses/{post.id}", headers=bearer(token_for(alice)))
    assert r.get_json()["muted"] is True  # the whole thread
    assert db.session.query(ConversationMute).count() == 1
    assert act(client, alice, post.id, "unmute").get_json()["muted"] is False
    assert db.session.query(ConversationMute).count() == 0


def test_reblogged_by_and_favourited_by_page_with_link_headers(client, alice, bob, carol):
    post = statuses.post_status(account=alice, text="popular")
    dave = make_local("dave")
    for who in (bob, carol, dave):
        interactions.favourite(status=post, by=who)
        interactions.reblog(status=post, by=who)
    interactions.reblog(status=post, by=alice)

    for path in ("favourited_by", "reblogged_by"):
        r = client.get(f"/api/v1/statuses/{post.id}/{path}?limit=2")
        assert r.status_code == 200
        first = [a["acct"] for a in r.get_json()]
        assert len(first) == 2
        links = r.headers["Link"]
        assert f"/api/v1/statuses/{post.id}/{path}?limit=2&max_id=" in links
        assert 'rel="next"' in links and "since_id=" in links and 'rel="prev"' in links
        next_url = links.split(">")[0].lstrip("<").replace("https://wren.test", "")
        second = client.get(next_url)
        rest = [a["acct"] for a in second.get_json()]
        # `next` only while pages are full (Mastodon's records_continue?).
        assert ('rel="next"' in second.headers["Link"]) == (len(rest) == 2)
        expected = ["alice", "dave", "carol", "bob"] if path == "reblogged_by" else [
            "dave", "carol", "bob"]  # fmt: skip
        assert first + rest == expected

    # Blocked accounts are left out for the viewer; anonymous callers see everyone.
    blocks.block(account=bob, target=carol)
    r = client.get(f"/api/v1/statuses/{post.id}/favourited_by", headers=bearer(token_for(bob)))
    assert [a["acct"] for a in r.get_json()] == ["dave", "bob"]
    r = client.get(f"/api/v1/statuses/{post.id}/favourited_by?limit=40")
    assert [a["acct"] for a in r.get_json()] == ["dave", "carol", "bob"]
    assert 'rel="next"' not in r.headers["Link"] and 'rel="prev"' in r.headers["Link"]


def test_reblogged_by_hides_private_boosts_and_invisible_statuses(client, alice, bob):
    private = statuses.post_status(account=alice, text="own boost", visibility_="private")
    interactions.reblog(status=private, by=alice)
    r = client.get(f"/api/v1/statuses/{private.id}/reblogged_by", headers=bearer(token_for(alice)))
    assert r.status_code == 200 and r.get_json() == [] and "Link" not in r.headers
    for path in ("reblogged_by", "favourited_by"):
        assert client.get(f"/api/v1/statuses/{private.id}/{path}").status_code == 404
        r = client.get(f"/api/v1/statuses/{private.id}/{path}", headers=bearer(token_for(bob)))
        assert r.status_code == 404
        r = client.get(
            f"/api/v1/statuses/{private.id}/{path}", headers=bearer(token_for(alice, "write"))
        )
        assert r.status_code == 403
