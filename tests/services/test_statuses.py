"""Posting, visibility, deleting: through the services, with real tasks and a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fedi import queue
from fedi.errors import Forbidden, NotFound, Unprocessable
from fedi.extensions import db
from fedi.models import (
    Account,
    FeedEntry,
    Mention,
    Notification,
    NotificationType,
    Status,
    StatusTag,
    Tag,
    Visibility,
)
from fedi.services import follows, statuses, timelines, visibility
from fedi.services.pagination import PageParams


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def home_ids(account: Account) -> list[int]:
    return [s.id for s in timelines.home(account, PageParams(limit=40))]


def test_post_renders_mentions_hashtags_and_links(alice, bob, remote_dave):
    status = statuses.post_status(
        account=alice,
        text="Hi @bob and @dave@remote.example, read https://example.com/x #Fediverse #fediverse",
    )

    assert status.local and status.visibility == Visibility.PUBLIC
    assert status.uri == f"https://wren.test/users/alice/statuses/{status.id}"
    assert status.url == f"https://wren.test/@alice/{status.id}"
    assert 'href="https://wren.test/@bob" class="u-url mention"' in status.content
    assert 'href="https://remote.example/@dave"' in status.content
    assert 'href="https://example.com/x"' in status.content
    assert 'href="https://wren.test/tags/Fediverse" class="mention hashtag"' in status.content
    mentioned = set(
        db.session.scalars(select(Mention.account_id).where(Mention.status_id == status.id))
    )
    assert mentioned == {bob.id, remote_dave.id}
    tag_names = db.session.scalars(
        select(Tag.name)
        .join(StatusTag, StatusTag.tag_id == Tag.id)
        .where(StatusTag.status_id == status.id)
    ).all()
    assert tag_names == ["fediverse"]  # one tag, case-insensitively
    db.session.refresh(alice)
    assert alice.statuses_count == 1 and alice.last_status_at is not None
    # The mention notified bob (a real task ran), not the remote account.
    notes = db.session.scalars(
        select(Notification).where(Notification.status_id == status.id)
    ).all()
    assert [(n.account_id, n.type) for n in notes] == [(bob.id, NotificationType.MENTION)]


def test_unknown_mention_stays_plain_text(alice):
    status = statuses.post_status(account=alice, text="Hello @nobody and @ghost@nowhere.example")
    assert "mention" not in status.content
    assert "@nobody" in status.content
    assert count(Mention, Mention.status_id == status.id) == 0


def test_html_in_text_is_escaped(alice):
    status = statuses.post_status(account=alice, text='<script>alert(1)</script> & "x"')
    assert "<script>" not in status.content
    assert "&lt;script&gt;" in status.content


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_empty_status_is_rejected_and_nothing_is_written(alice, text):
    with pytest.raises(Unprocessable, match="Text can't be blank"):
        statuses.post_status(account=alice, text=text)
    assert count(Status) == 0


def test_too_long_status_is_rejected_and_nothing_is_written(alice, bob):
    with pytest.raises(Unprocessable, match="character limit of 500"):
        statuses.post_status(account=alice, text="@bob #tag " + "x" * 500)
    assert count(Status) == count(Mention) == count(Tag) == 0
    db.session.refresh(alice)
    assert alice.statuses_count == 0


def test_links_count_as_23_characters(alice):
    text = "y" * 470 + " https://example.com/" + "z" * 200
    status = statuses.post_status(account=alice, text=text)
    assert status.text == text


def test_invalid_visibility_is_rejected(alice):
    with pytest.raises(Unprocessable, match="Visibility"):
        statuses.post_status(account=alice, text="hi", visibility_="friends")
    assert count(Status) == 0


def test_the_author_sees_the_post_at_home_before_fan_out(alice, bob, monkeypatch):
    """A form post redirects to /home at once: the author's row must not wait for the task."""
    follows.follow(account=bob, target=alice)
    monkeypatch.setitem(queue.registry, "fan_out_status", lambda status_id: None)

    status = statuses.post_status(account=alice, text="Mine, right away")

    assert home_ids(alice) == [status.id]
    assert status.id not in home_ids(bob)  # followers still wait for the fan-out


def test_reply_joins_the_thread_and_counts(alice, bob):
    parent = statuses.post_status(account=alice, text="Question?")
    reply = statuses.post_status(account=bob, text="@alice Answer.", in_reply_to=parent)

    assert reply.in_reply_to_id == parent.id
    assert reply.in_reply_to_account_id == alice.id
    assert reply.conversation_id == parent.conversation_id
    db.session.refresh(parent)
    assert parent.replies_count == 1


def test_reply_to_a_post_you_cannot_see_is_not_found(alice, bob):
    secret = statuses.post_status(account=alice, text="followers only", visibility_="private")
    with pytest.raises(NotFound):
        statuses.post_status(account=bob, text="hi", in_reply_to=secret)
    assert count(Status) == 1


def test_each_visibility_reaches_the_right_people(alice, bob, carol):
    # bob follows alice; carol does not; carol is mentioned in the direct message.
    follows.follow(account=bob, target=alice)
    posts = {
        vis: statuses.post_status(
            account=alice, text=f"{vis} @carol" if vis == "direct" else vis, visibility_=vis
        )
        for vis in ("public", "unlisted", "private", "direct")
    }

    def seen_by(viewer):
        return {v for v, s in posts.items() if visibility.can_see(viewer, s)}

    assert seen_by(None) == {"public", "unlisted"}
    assert seen_by(alice) == {"public", "unlisted", "private", "direct"}
    assert seen_by(bob) == {"public", "unlisted", "private"}
    assert seen_by(carol) == {"public", "unlisted", "direct"}

    # Home feeds: followers get public, unlisted and private; the direct message goes only to
    # mentioned followers (carol does not follow alice).
    assert set(home_ids(bob)) == {posts[v].id for v in ("public", "unlisted", "private")}
    assert home_ids(carol) == []
    assert set(home_ids(alice)) == {s.id for s in posts.values()}
    # Public timelines show only the public post.
    assert [s.id for s in timelines.public(None, PageParams())] == [posts["public"].id]
    # get_visible never leaks: 404, not 403.
    with pytest.raises(NotFound):
        statuses.get_visible(posts["private"].id, carol)
    with pytest.raises(NotFound):
        statuses.get_visible(posts["direct"].id, bob)
    assert statuses.get_visible(str(posts["direct"].id), carol).id == posts["direct"].id


def test_blocked_viewer_cannot_see_public_posts(alice, bob):
    from fedi.services import blocks

    post = statuses.post_status(account=alice, text="hello")
    blocks.block(account=alice, target=bob)
    assert not visibility.can_see(bob, post)
    with pytest.raises(NotFound):
        statuses.get_visible(post.id, bob)


def test_delete_removes_the_status_and_its_boosts_everywhere(alice, bob, carol):
    from fedi.services import interactions

    follows.follow(account=bob, target=alice)
    follows.follow(account=carol, target=bob)
    post = statuses.post_status(account=alice, text="soon gone #bye")
    boost = interactions.reblog(status=post, by=bob)
    assert post.id in home_ids(bob) and boost.id in home_ids(carol)

    returned = statuses.delete_status(status=post, by=alice)

    assert returned.text == "soon gone #bye"  # the API answers with the source text
    assert count(FeedEntry) == 0
    assert db.session.get(Status, boost.id).deleted_at is not None
    assert home_ids(bob) == home_ids(carol) == []
    assert timelines.public(None, PageParams()) == []
    with pytest.raises(NotFound):
        statuses.get_visible(post.id, alice)
    db.session.refresh(alice)
    db.session.refresh(bob)
    assert alice.statuses_count == 0 and bob.statuses_count == 0


def test_only_the_author_may_delete(alice, bob):
    post = statuses.post_status(account=alice, text="mine")
    with pytest.raises(Forbidden):
        statuses.delete_status(status=post, by=bob)
    assert db.session.get(Status, post.id).deleted_at is None
