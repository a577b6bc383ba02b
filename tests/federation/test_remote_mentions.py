"""Mentions of remote accounts nobody here knows, in local posts: an account that cannot be
resolved stays plain text, addressed to nobody; known ones are linked at once. (Resolution of
an unknown account before delivery runs across real instances in test_two_instances.py.)"""

from __future__ import annotations

from sqlalchemy import select

from fedi.extensions import db
from fedi.federation import remote_mentions
from fedi.models import Mention, OutboxActivity
from fedi.services import statuses
from tests.helpers import make_remote


def test_unresolvable_mention_stays_plain_text(alice):
    post = statuses.post_status(account=alice, text="hello @ghost@nowhere.invalid")
    db.session.expire_all()
    assert "mention" not in post.content and "@ghost@nowhere.invalid" in post.content
    assert db.session.scalars(select(Mention)).all() == []
    assert db.session.scalars(select(OutboxActivity)).all() == []  # no remote audience


def test_only_unknown_remote_accounts_are_looked_up(alice, bob):
    make_remote("dave", "remote.example")
    text = "@bob @dave@remote.example @Eve@Other.example @eve@other.example @x@wren.test"
    assert remote_mentions.unknown_accts(text) == ["eve@other.example"]
    assert remote_mentions.unknown_accts("mail me: a@b.example") == []
    assert remote_mentions.unknown_accts("https://x.example/@u@y.example") == []


def test_at_most_ten_lookups_per_post():
    text = " ".join(f"@u{i}@host{i}.example" for i in range(15))
    assert len(remote_mentions.unknown_accts(text)) == remote_mentions.MAX_LOOKUPS


def test_a_resolved_mention_reaches_open_streams_as_a_status_update(alice, monkeypatch):
    from fedi.events import bus, channels
    from fedi.federation import resolve

    post = statuses.post_status(account=alice, text="hi @eve@other.example")  # not found yet
    assert "mention" not in post.content
    live = bus.subscribe([channels.user(alice.id), channels.PUBLIC_LOCAL])
    try:
        # WebFinger and the actor answer this time.
        monkeypatch.setattr(
            resolve, "resolve_account", lambda acct: make_remote("eve", "other.example")
        )
        assert remote_mentions.resolve_unknown_mentions(post) is True
        seen = [live.get(timeout=2), live.get(timeout=2)]
    finally:
        live.close()
    expected = {"event": "status.update", "status_id": str(post.id)}
    assert sorted(seen) == sorted(
        [(channels.PUBLIC_LOCAL, expected), (channels.user(alice.id), expected)]
    )
    assert "mention" in post.content
