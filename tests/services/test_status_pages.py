"""The page loader both faces render from: a fixed number of queries for a page of statuses."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from fedi.extensions import db
from fedi.services import interactions, status_pages, statuses
from tests.web.pages import attach_image


@contextmanager
def counting():
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_a_page_with_replies_loads_their_authors_with_the_mentioned_accounts(alice, bob, carol):
    parent = statuses.post_status(account=bob, text="hello #wren")
    reply = statuses.post_status(account=alice, text="hi @carol", in_reply_to=parent)
    attach_image(reply)
    interactions.favourite(status=reply, by=bob)
    rows = [parent, reply]
    for row in (alice, bob, *rows):
        db.session.refresh(row)  # loaded, as a page's rows and their authors are

    with counting() as seen:
        page = status_pages.load(bob, rows, reply_authors=True)

    # the page's facts, the accounts it names, its media, the viewer's filters (kept after); no
    # custom emoji query, as no text names one
    assert len(seen) == 4
    assert "carol" in [a.username for a in page.mentions[reply.id]]
    assert page.reply_authors == {bob.id: bob}
    assert page.tags[parent.id] == ["wren"] and len(page.media[reply.id]) == 1
    assert page.flag("favourited", reply.id) and not page.flag("favourited", parent.id)


def test_an_anonymous_page_has_no_viewer_flags_and_no_reply_authors_unless_asked(alice, bob):
    parent = statuses.post_status(account=bob, text="hello")
    reply = statuses.post_status(account=alice, text="hi", in_reply_to=parent)
    interactions.favourite(status=reply, by=bob)

    page = status_pages.load(None, [reply])

    assert page.viewer_id is None and page.reply_authors == {}
    assert not any(page.flags.values()) and not page.muted(reply)


def test_an_empty_page_costs_no_query(bob):
    bob_id = bob.id
    with counting() as seen:
        page = status_pages.load(bob_id, [], reply_authors=True)
    assert seen == [] and page.viewer_id == bob_id
