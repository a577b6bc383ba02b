"""What of a bus event reaches a viewer's streams (fedi/hub/viewing.py), decided once below the
faces for the streaming API and the web's live timelines, without rendering any entity."""

from __future__ import annotations

from sqlalchemy import event as sa_event

from fedi.events import channels
from fedi.extensions import db
from fedi.hub import viewing
from fedi.hub.streams import STATUS_EVENTS, Stream
from fedi.hub.viewing import Delivery
from fedi.services import blocks, statuses
from tests.helpers import make_local


def _public() -> Stream:
    return Stream("public", ["public"], {channels.PUBLIC: STATUS_EVENTS}, filtered=True)


def _update(status_id: int) -> dict:
    return {"event": "update", "status_id": str(status_id)}


def test_a_post_mentioning_someone_the_viewer_blocks_does_not_reach_a_public_stream(
    alice, bob, carol
):
    blocks.block(account=alice, target=carol)
    mentioning = statuses.post_status(account=bob, text="Hello @carol")
    plain = statuses.post_status(account=bob, text="Hello")
    stream = _public()

    hidden = viewing.deliveries(alice.id, channels.PUBLIC, _update(mentioning.id), [stream])
    shown = viewing.deliveries(alice.id, channels.PUBLIC, _update(plain.id), [stream])

    assert hidden == []
    assert shown == [(stream, Delivery("update", str(plain.id)))]


def test_the_mentions_of_a_post_are_looked_up_once_for_every_viewer(alice, bob, carol):
    dan = make_local("dan")
    status = statuses.post_status(account=bob, text="Hello @carol")
    db.session.commit()
    shared: dict = {}
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        for viewer in (alice, dan):
            got = viewing.deliveries(
                viewer.id, channels.PUBLIC, _update(status.id), [_public()], shared
            )
            assert [d.ref for _, d in got] == [str(status.id)]
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)

    assert sum("FROM mentions" in s for s in statements) == 1
    assert not any("media_attachments" in s for s in statements)  # no entity was rendered
