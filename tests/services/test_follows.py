"""Following, locked accounts, blocks and mutes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fedi.errors import Forbidden, NotFound
from fedi.extensions import db
from fedi.models import FeedEntry, Follow, FollowRequest, Notification, NotificationType
from fedi.services import blocks, follows, statuses, timelines
from fedi.services.pagination import PageParams
from tests.helpers import make_local


def notifications_of(account) -> list[tuple[NotificationType, int]]:
    rows = db.session.scalars(
        select(Notification).where(Notification.account_id == account.id).order_by(Notification.id)
    )
    return [(n.type, n.from_account_id) for n in rows]


def home_ids(account) -> list[int]:
    return [s.id for s in timelines.home(account, PageParams(limit=40))]


def test_follow_an_unlocked_account(alice, bob):
    earlier = statuses.post_status(account=alice, text="before the follow")

    follow = follows.follow(account=bob, target=alice)

    assert isinstance(follow, Follow)
    db.session.refresh(alice)
    db.session.refresh(bob)
    assert (alice.followers_count, bob.following_count) == (1, 1)
    assert notifications_of(alice) == [(NotificationType.FOLLOW, bob.id)]
    assert home_ids(bob) == [earlier.id]  # recent posts are merged into the new follower's feed


def test_follow_a_locked_account_needs_approval(bob):
    locked = make_local("lockedlou")
    locked.locked = True
    db.session.commit()
    private = statuses.post_status(account=locked, text="only for followers", visibility_="private")

    request = follows.follow(account=bob, target=locked)

    assert isinstance(request, FollowRequest)
    assert db.session.scalar(select(func.count(Follow.id))) == 0
    assert notifications_of(locked) == [(NotificationType.FOLLOW_REQUEST, bob.id)]
    with pytest.raises(NotFound):
        statuses.get_visible(private.id, bob)

    follow = follows.authorize_request(target=locked, requester=bob)

    assert follow.account_id == bob.id and follow.target_account_id == locked.id
    assert db.session.scalar(select(func.count(FollowRequest.id))) == 0
    assert statuses.get_visible(private.id, bob).id == private.id
    assert home_ids(bob) == [private.id]
    later = statuses.post_status(account=locked, text="hello followers", visibility_="private")
    assert home_ids(bob) == [later.id, private.id]


def test_reject_a_follow_request(bob):
    locked = make_local("lockedlou")
    locked.locked = True
    db.session.commit()
    follows.follow(account=bob, target=locked)
    follows.reject_request(target=locked, requester=bob)
    assert db.session.scalar(select(func.count(FollowRequest.id))) == 0
    with pytest.raises(NotFound):
        follows.reject_request(target=locked, requester=bob)


def test_following_twice_updates_options(alice, bob):
    first = follows.follow(account=bob, target=alice)
    second = follows.follow(account=bob, target=alice, reblogs=False, notify=True)
    assert first.id == second.id
    assert (second.show_reblogs, second.notify) == (False, True)
    db.session.refresh(alice)
    assert alice.followers_count == 1


def test_follow_a_remote_account_waits_for_accept(bob, remote_dave):
    request = follows.follow(account=bob, target=remote_dave)
    assert isinstance(request, FollowRequest)
    assert request.uri.startswith("https://wren.test/users/bob#follows/")


def test_cannot_follow_yourself_or_a_blocker(alice, bob):
    with pytest.raises(Forbidden):
        follows.follow(account=alice, target=alice)
    blocks.block(account=alice, target=bob)
    with pytest.raises(Forbidden):
        follows.follow(account=bob, target=alice)


def test_unfollow_removes_their_posts_from_home(alice, bob):
    follows.follow(account=bob, target=alice)
    statuses.post_status(account=alice, text="one")
    own = statuses.post_status(account=bob, text="mine")
    assert len(home_ids(bob)) == 2

    follows.unfollow(account=bob, target=alice)

    assert home_ids(bob) == [own.id]
    db.session.refresh(alice)
    assert alice.followers_count == 0


def test_block_severs_follows_both_ways(alice, bob):
    follows.follow(account=bob, target=alice)
    follows.follow(account=alice, target=bob)
    statuses.post_status(account=alice, text="hi")

    blocks.block(account=alice, target=bob)

    assert db.session.scalar(select(func.count(Follow.id))) == 0
    assert (
        db.session.scalar(
            select(func.count()).select_from(FeedEntry).where(FeedEntry.account_id == bob.id)
        )
        == 0
    )
    db.session.refresh(alice)
    assert alice.followers_count == alice.following_count == 0


def test_mute_hides_from_home_and_notifications_until_it_expires(alice, bob):
    follows.follow(account=bob, target=alice)
    blocks.mute(account=bob, target=alice)
    statuses.post_status(account=alice, text="hello @bob")
    assert home_ids(bob) == []
    assert notifications_of(bob) == []

    mute = blocks.mute(account=bob, target=alice, duration=60)
    mute.expires_at = mute.expires_at.replace(year=2000)  # expired
    db.session.commit()
    later = statuses.post_status(account=alice, text="again @bob")
    assert home_ids(bob) == [later.id]
    assert notifications_of(bob) == [(NotificationType.MENTION, alice.id)]


def test_domain_block_hides_remote_authors(bob, remote_dave):
    blocks.block_domain(account=bob, domain="Remote.Example.")
    assert blocks.block_domain(account=bob, domain="remote.example").domain == "remote.example"
