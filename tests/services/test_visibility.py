"""Who may see a status: one rule, asked status by status (`can_see`) or for a page at once
(`visible_ids`), with the same answers and a fixed number of queries."""

from __future__ import annotations

import pytest

from fedi.extensions import db
from fedi.models import Account, Status, utcnow
from fedi.services import blocks, follows, interactions, statuses, visibility
from tests.helpers import count_queries, make_local


@pytest.fixture
def world(alice: Account, bob: Account, carol: Account) -> dict:
    """alice posts in every visibility (the direct one to carol); bob follows and boosts her;
    dan is a stranger; alice blocks eve and bob blocks frank; gone posts are deleted or by a
    suspended author."""
    dan, eve, frank, sam = (make_local(n) for n in ("dan", "eve", "frank", "sam"))
    follows.follow(account=bob, target=alice)
    posts = {
        vis: statuses.post_status(
            account=alice, text=f"{vis} @carol" if vis == "direct" else vis, visibility_=vis
        )
        for vis in ("public", "unlisted", "private", "direct")
    }
    posts["bob's boost"] = interactions.reblog(status=posts["public"], by=bob)
    posts["alice's own boost"] = interactions.reblog(status=posts["private"], by=alice)
    posts["bob's private"] = statuses.post_status(account=bob, text="b", visibility_="private")
    deleted = statuses.post_status(account=alice, text="gone")
    statuses.delete_status(status=deleted, by=alice)
    posts["deleted"] = db.session.get(Status, deleted.id)
    posts["suspended"] = statuses.post_status(account=sam, text="suspended")
    sam.suspended_at = utcnow()
    blocks.block(account=alice, target=eve)
    blocks.block(account=bob, target=frank)
    db.session.commit()
    for status in posts.values():  # loaded, as the pages load them
        assert status.account is not None and (status.reblog is None or status.reblog.account)
    viewers = {"nobody": None, "alice": alice, "bob": bob, "carol": carol, "dan": dan}
    viewers |= {"eve": eve, "frank": frank}
    assert all(viewer is None or viewer.id for viewer in viewers.values())
    return {"posts": posts, "viewers": viewers}


def test_one_status_at_a_time_and_a_page_at_once_agree(world):
    posts = world["posts"]
    seen = {
        name: {label for label, s in posts.items() if visibility.can_see(viewer, s)}
        for name, viewer in world["viewers"].items()
    }
    for name, viewer in world["viewers"].items():
        page = visibility.visible_ids(viewer, list(posts.values()))
        assert page == {posts[label].id for label in seen[name]}, name

    everyone = {"public", "unlisted", "bob's boost"}
    assert seen["nobody"] == seen["dan"] == everyone
    assert seen["alice"] == {*everyone, "private", "direct", "alice's own boost"}
    assert seen["bob"] == {*everyone, "private", "alice's own boost", "bob's private"}
    assert seen["carol"] == {*everyone, "direct"}
    assert seen["eve"] == set()  # alice blocks her: none of alice's, nor a boost of one
    assert seen["frank"] == {"public", "unlisted"}  # bob blocks him: not bob's boost


def test_one_status_asks_only_what_the_rule_needs(world):
    posts, viewers = world["posts"], world["viewers"]

    def queries(viewer: str, label: str) -> int:
        with count_queries() as seen:
            visibility.can_see(viewers[viewer], posts[label])
        return len(seen)

    assert queries("nobody", "public") == queries("alice", "private") == 0
    assert queries("bob", "deleted") == queries("bob", "suspended") == 0
    assert queries("dan", "public") == 1  # does the author block the viewer?
    assert queries("bob", "private") == 2  # ... and does the viewer follow the author?
    assert queries("carol", "private") == 3  # ... or is the viewer mentioned?
    assert queries("dan", "bob's boost") == 2  # the original's author, then the booster


def test_a_page_takes_at_most_three_queries(world):
    page = list(world["posts"].values())
    for viewer in world["viewers"].values():
        with count_queries() as seen:
            visibility.visible_ids(viewer, page)
        assert len(seen) <= 3
