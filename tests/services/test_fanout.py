"""Fan-out to home feeds: replies, boosts, notifications and live events."""

from __future__ import annotations

from sqlalchemy import select

from fedi.events import bus, channels
from fedi.extensions import db
from fedi.models import Notification, NotificationType, Status
from fedi.services import follows, interactions, statuses, timelines
from fedi.services.pagination import PageParams


def home_ids(account) -> list[int]:
    return [s.id for s in timelines.home(account, PageParams(limit=40))]


def test_replies_reach_only_those_following_both_sides(alice, bob, carol):
    follows.follow(account=carol, target=alice)  # carol follows alice only
    follows.follow(account=bob, target=alice)
    follows.follow(account=bob, target=carol)  # bob follows both
    parent = statuses.post_status(account=carol, text="a thought")
    reply = statuses.post_status(account=alice, text="@carol agreed", in_reply_to=parent)
    bob_ids = home_ids(bob)
    assert reply.id in bob_ids and parent.id in bob_ids
    assert reply.id in home_ids(carol)  # the replied-to account sees it


def test_reply_to_a_stranger_stays_out_of_followers_feeds(alice, bob, carol):
    follows.follow(account=bob, target=alice)
    parent = statuses.post_status(account=carol, text="hello world")
    reply = statuses.post_status(account=alice, text="@carol hi", in_reply_to=parent)
    assert reply.id not in home_ids(bob)


def test_boosts_reach_followers_once_and_notify_the_author(alice, bob, carol):
    follows.follow(account=carol, target=bob)
    post = statuses.post_status(account=alice, text="boost me")
    boost = interactions.reblog(status=post, by=bob)
    again = interactions.reblog(status=boost, by=bob)  # boosting a boost boosts the original

    assert again.id == boost.id and boost.reblog_of_id == post.id
    assert home_ids(carol) == [boost.id]
    db.session.refresh(post)
    assert post.reblogs_count == 1
    notes = db.session.scalars(select(Notification).where(Notification.account_id == alice.id))
    assert [(n.type, n.status_id) for n in notes] == [(NotificationType.REBLOG, post.id)]

    # A follower who already has the original does not get the boost too.
    follows.follow(account=carol, target=alice)
    post2 = statuses.post_status(account=alice, text="seen already")
    boost2 = interactions.reblog(status=post2, by=bob)
    assert post2.id in home_ids(carol) and boost2.id not in home_ids(carol)

    interactions.unreblog(status=post, by=bob)
    assert boost.id not in home_ids(carol)
    db.session.refresh(post)
    assert post.reblogs_count == 0


def test_boosts_hidden_when_the_follow_says_so(alice, bob, carol):
    follows.follow(account=carol, target=bob, reblogs=False)
    post = statuses.post_status(account=alice, text="x")
    interactions.reblog(status=post, by=bob)
    assert home_ids(carol) == []


def test_private_and_direct_posts_cannot_be_boosted(alice, bob):
    import pytest

    from fedi.errors import Forbidden, NotFound

    follows.follow(account=bob, target=alice)
    private = statuses.post_status(account=alice, text="p", visibility_="private")
    direct = statuses.post_status(account=alice, text="@bob d", visibility_="direct")
    with pytest.raises(Forbidden):
        interactions.reblog(status=private, by=bob)
    with pytest.raises(Forbidden):
        interactions.reblog(status=direct, by=bob)
    stranger_direct = statuses.post_status(account=alice, text="d", visibility_="direct")
    with pytest.raises(NotFound):
        interactions.reblog(status=stranger_direct, by=bob)
    assert interactions.reblog(status=private, by=alice).reblog_of_id == private.id


def test_favourite_bookmark_pin(alice, bob):
    post = statuses.post_status(account=alice, text="like me")
    fav = interactions.favourite(status=post, by=bob)
    assert interactions.favourite(status=post, by=bob).id == fav.id
    interactions.bookmark(status=post, by=bob)
    interactions.pin(status=post, by=alice)
    db.session.refresh(post)
    assert post.favourites_count == 1
    flags = interactions.viewer_flags(bob, [post.id])
    assert post.id in flags["favourited"] and post.id in flags["bookmarked"]
    assert post.id in interactions.viewer_flags(alice, [post.id])["pinned"]
    notes = db.session.scalars(select(Notification).where(Notification.account_id == alice.id))
    assert [n.type for n in notes] == [NotificationType.FAVOURITE]

    interactions.unfavourite(status=post, by=bob)
    interactions.unbookmark(status=post, by=bob)
    db.session.refresh(post)
    assert post.favourites_count == 0
    assert interactions.viewer_flags(bob, [post.id])["favourited"] == set()


def test_status_notifications_for_subscribers(alice, bob):
    follows.follow(account=bob, target=alice, notify=True)
    post = statuses.post_status(account=alice, text="news")
    notes = db.session.scalars(select(Notification).where(Notification.account_id == bob.id))
    assert [(n.type, n.status_id) for n in notes] == [(NotificationType.STATUS, post.id)]


def test_fan_out_publishes_live_events(alice, bob):
    follows.follow(account=bob, target=alice)
    sub = bus.subscribe([channels.user(bob.id), channels.PUBLIC_LOCAL, channels.hashtag("wren")])
    try:
        post = statuses.post_status(account=alice, text="live #Wren @bob")
        received = []
        while (item := sub.get(timeout=2)) is not None:
            received.append(item)
            if len(received) == 4:
                break
    finally:
        sub.close()
    sid = str(post.id)
    assert (channels.user(bob.id), {"event": "update", "status_id": sid}) in received
    assert (channels.PUBLIC_LOCAL, {"event": "update", "status_id": sid}) in received
    assert (channels.hashtag("wren"), {"event": "update", "status_id": sid}) in received
    assert any(ch == channels.user(bob.id) and ev["event"] == "notification" for ch, ev in received)


def test_home_pagination_is_newest_first_and_stable(alice, bob):
    follows.follow(account=bob, target=alice)
    posted = [statuses.post_status(account=alice, text=f"post {i}").id for i in range(7)]
    newest_first = list(reversed(posted))

    page1 = [s.id for s in timelines.home(bob, PageParams(limit=3))]
    page2 = [s.id for s in timelines.home(bob, PageParams(limit=3, max_id=page1[-1]))]
    since = [s.id for s in timelines.home(bob, PageParams(limit=3, since_id=posted[2]))]
    after = [s.id for s in timelines.home(bob, PageParams(limit=3, min_id=posted[2]))]

    assert page1 == newest_first[:3] and page2 == newest_first[3:6]
    assert since == newest_first[:3]  # since_id: the newest page above it
    assert after == [posted[5], posted[4], posted[3]]  # min_id: the page right after it
    assert all(isinstance(db.session.get(Status, i), Status) for i in posted)
