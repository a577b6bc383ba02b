"""The WebSocket streaming API over real connections: Mastodon's frames, streams, subscriptions,
errors and the viewer's rules (visibility, blocks, mutes, domain blocks)."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest
from flask import Flask
from simple_websocket import ConnectionClosed, ConnectionError
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Ping, Request

from fedi.events import bus, channels
from fedi.extensions import db
from fedi.models import (
    Account,
    List,
    ListAccount,
    MediaAttachment,
    MediaType,
    ProcessingState,
    Status,
    Visibility,
)
from fedi.services import blocks, follows, statuses
from tests.helpers import count_queries, make_local, token_for


def post(author: Account, text: str, **kwargs) -> Status:
    return statuses.post_status(account=author, text=text, **kwargs)


def upload(owner: Account) -> MediaAttachment:
    media = MediaAttachment(
        account_id=owner.id, type=MediaType.IMAGE, processing=ProcessingState.DONE,
        remote_url="https://cdn.example/picture.png",
    )  # fmt: skip
    db.session.add(media)
    db.session.commit()
    return media


def payload(frame: dict) -> dict:
    assert isinstance(frame["payload"], str), frame  # Mastodon sends the entity as a string
    return json.loads(frame["payload"])


# --- the user stream, tokens and frames -----------------------------------------------------


def test_user_stream_delivers_a_followed_post_rendered_for_the_viewer(websocket, alice, bob):
    follows.follow(account=alice, target=bob)
    ws = websocket(f"?stream=user&access_token={token_for(alice, 'read')}")
    ws.sync()

    started = time.monotonic()
    status = post(bob, "Hello, stream")
    frame = ws.next()

    assert time.monotonic() - started < 2
    assert list(frame) == ["stream", "event", "payload"]
    assert frame["stream"] == ["user"] and frame["event"] == "update"
    entity = payload(frame)
    assert entity["id"] == str(status.id)
    assert entity["account"]["acct"] == "bob"
    assert "Hello, stream" in entity["content"]
    assert entity["favourited"] is False and entity["reblogged"] is False  # the viewer's view
    ws.quiet()


@pytest.mark.parametrize("how", ["header", "protocol"])
def test_token_in_authorization_header_or_websocket_protocol(websocket, alice, how):
    token = token_for(alice, "read")
    if how == "header":
        ws = websocket("?stream=user", headers={"Authorization": f"Bearer {token}"})
    else:
        ws = websocket("?stream=user", subprotocols=[token])
        assert ws.ws.subprotocol == token  # echoed back, as browsers require
    ws.sync()
    status = post(alice, "Mine")
    assert payload(ws.next())["id"] == str(status.id)


def test_notification_frames(websocket, alice, bob):
    notifications = websocket(f"?stream=user:notification&access_token={token_for(alice)}")
    notifications.sync()
    # A token without read:notifications gets the user stream without notifications.
    statuses_only = websocket(f"?stream=user&access_token={token_for(alice, 'read:statuses')}")
    statuses_only.sync()

    mention = post(bob, "@alice are you there?")
    frame = notifications.next()

    assert frame["stream"] == ["user:notification"] and frame["event"] == "notification"
    entity = payload(frame)
    assert entity["type"] == "mention"
    assert entity["account"]["acct"] == "bob"
    assert entity["status"]["id"] == str(mention.id)
    notifications.quiet()
    statuses_only.quiet()


def test_delete_frame_carries_the_id_as_a_string(websocket, alice, bob):
    follows.follow(account=alice, target=bob)
    ws = websocket(f"?stream=user&access_token={token_for(alice)}")
    ws.sync()
    status = post(bob, "Soon gone")
    assert ws.next()["event"] == "update"

    statuses.delete_status(status=status, by=bob)

    assert ws.next() == {"stream": ["user"], "event": "delete", "payload": str(status.id)}


def test_status_update_and_filters_changed_frames(websocket, alice):
    ws = websocket(f"?stream=user&access_token={token_for(alice)}")
    ws.sync()
    status = post(alice, "First draft")
    assert ws.next()["event"] == "update"

    channels.publish_update([channels.user(alice.id)], status.id, event="status.update")
    frame = ws.next()
    assert frame["event"] == "status.update" and payload(frame)["id"] == str(status.id)

    channels.publish_filters_changed(alice.id)
    assert ws.next() == {"stream": ["user"], "event": "filters_changed"}  # no payload


# --- the viewer's rules -----------------------------------------------------------------------


def test_private_post_reaches_followers_only(websocket, alice, bob, carol):
    follows.follow(account=alice, target=bob)
    follower = websocket(f"?stream=user&access_token={token_for(alice)}")
    stranger = websocket(f"?stream=user&access_token={token_for(carol)}")
    stranger.send(type="subscribe", stream="public")
    follower.sync(), stranger.sync()

    private = post(bob, "Followers only", visibility_="private")
    # Even an event routed to the stranger's channels must not reveal the post.
    bus.publish(channels.user(carol.id), {"event": "update", "status_id": str(private.id)})
    bus.publish(channels.PUBLIC, {"event": "update", "status_id": str(private.id)})
    marker = post(bob, "Public marker")

    assert payload(follower.next())["id"] == str(private.id)
    frame = stranger.next()
    assert frame["stream"] == ["public"] and payload(frame)["id"] == str(marker.id)
    stranger.quiet()


def test_blocked_muted_and_domain_blocked_authors_are_dropped(websocket, alice, bob, carol):
    dan = make_local("dan")
    blocks.block(account=alice, target=bob)
    blocks.mute(account=alice, target=dan)
    viewer = websocket(f"?stream=public&access_token={token_for(alice)}")
    other = websocket(f"?stream=public&access_token={token_for(carol)}")
    viewer.sync(), other.sync()

    hidden = [
        post(bob, "From a blocked account"),
        post(dan, "From a muted account"),
        post(carol, "Mentioning @bob, whom the viewer blocks"),
    ]
    remote = _remote_public_status(alice)
    marker = post(carol, "Visible to everyone")

    assert payload(viewer.next())["id"] == str(marker.id)
    viewer.quiet()
    seen = [payload(other.next())["id"] for _ in range(len(hidden) + 2)]
    assert seen == [str(s.id) for s in [*hidden, remote, marker]]


def _remote_public_status(viewer: Account) -> Status:
    """A remote public post from a domain the viewer blocks, published as the fan-out would."""
    from tests.helpers import make_remote

    blocks.block_domain(account=viewer, domain="remote.example")
    author = make_remote("dave")
    status = Status(
        uri="https://remote.example/notes/1", account_id=author.id, content="<p>Remote</p>",
        visibility=Visibility.PUBLIC, local=False,
    )  # fmt: skip
    db.session.add(status)
    db.session.commit()
    channels.publish_update([channels.PUBLIC, channels.PUBLIC_REMOTE], status.id)
    return status


def test_public_streams_skip_replies_to_others_and_filter_media(websocket, alice, bob):
    local = websocket(f"?stream=public:local&access_token={token_for(alice)}")
    media = websocket(f"?stream=public:media&access_token={token_for(alice)}")
    local.sync(), media.sync()

    original = post(alice, "A thread")
    reply = post(bob, "@alice a reply", in_reply_to=original)
    self_reply = post(alice, "continued", in_reply_to=original)
    assert [payload(local.next())["id"] for _ in range(2)] == [str(original.id), str(self_reply.id)]
    assert reply.id  # not on public timelines: a reply to someone else

    pictured = post(alice, "With a picture", media_ids=[upload(alice).id])
    frame = media.next()
    assert frame["stream"] == ["public:media"] and payload(frame)["id"] == str(pictured.id)
    media.quiet()


# --- subscriptions ----------------------------------------------------------------------------


def test_subscribe_and_unsubscribe_messages(websocket, alice, bob):
    ws = websocket(f"?access_token={token_for(alice)}")
    ws.send(type="subscribe", stream="hashtag", tag="Wren")
    ws.send(type="subscribe", stream="public:local")
    ws.send(type="subscribe", stream="hashtag", tag="wren")  # the same stream: no second copy
    assert ws.sync() == []

    tagged = post(bob, "Hello #wren")
    frames = [ws.next(), ws.next()]
    assert sorted(f["stream"][0] for f in frames) == ["hashtag", "public:local"]
    assert {payload(f)["id"] for f in frames} == {str(tagged.id)}
    assert [f["stream"] for f in frames if f["stream"][0] == "hashtag"] == [["hashtag", "Wren"]]

    ws.send(type="unsubscribe", stream="hashtag", tag="Wren")
    assert ws.sync() == []
    again = post(bob, "Again #wren")
    frame = ws.next()
    assert frame["stream"] == ["public:local"] and payload(frame)["id"] == str(again.id)
    ws.quiet()


def test_list_stream_shows_members_only(websocket, alice, bob, carol):
    follows.follow(account=alice, target=bob)
    follows.follow(account=alice, target=carol)
    friends = List(account_id=alice.id, title="Friends")
    db.session.add(friends)
    db.session.flush()
    db.session.add(ListAccount(list_id=friends.id, account_id=bob.id))
    db.session.commit()
    ws = websocket(f"?stream=list&list={friends.id}&access_token={token_for(alice)}")
    ws.sync()

    post(carol, "Not on the list")
    member = post(bob, "On the list")

    frame = ws.next()
    assert frame["stream"] == ["list", str(friends.id)]
    assert payload(frame)["id"] == str(member.id)
    # The same status on the list's own channel is not sent twice.
    channels.publish_update([channels.list_(friends.id)], member.id)
    ws.quiet()


def test_direct_stream_sends_conversations(websocket, alice, bob, carol):
    ws = websocket(f"?stream=direct&access_token={token_for(alice)}")
    outsider = websocket(f"?stream=direct&access_token={token_for(carol)}")
    ws.sync(), outsider.sync()

    message = post(bob, "@alice just between us", visibility_="direct")
    frame = ws.next()
    assert frame["stream"] == ["direct"] and frame["event"] == "conversation"
    conversation = payload(frame)
    assert conversation["unread"] is True
    assert [a["acct"] for a in conversation["accounts"]] == ["bob"]
    assert conversation["last_status"]["id"] == str(message.id)

    statuses.delete_status(status=message, by=bob)
    assert ws.next() == {"stream": ["direct"], "event": "delete", "payload": str(message.id)}
    outsider.quiet()


# --- errors and connection life ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?stream=user", "Missing access token"),
        ("?stream=user&access_token=nope", "Invalid access token"),
    ],
)
def test_bad_token_refuses_the_upgrade(live_server, query, message):
    with pytest.raises(ConnectionError) as refused:
        from simple_websocket import Client

        Client.connect(f"ws://{live_server}/api/v1/streaming{query}")
    assert refused.value.status_code == 401

    upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}  # fmt: skip
    response = httpx.get(f"http://{live_server}/api/v1/streaming{query}", headers=upgrade)
    assert response.status_code == 401
    assert response.headers["X-Error-Message"] == message


def test_scope_error_frame_keeps_the_connection(websocket, alice):
    ws = websocket(f"?stream=user&access_token={token_for(alice, 'write push')}")
    scope_error = {"error": "Access token does not have the required scopes", "status": 401}
    assert ws.next() == scope_error
    ws.send(type="subscribe", stream="nope")  # scopes are checked first, as Mastodon does
    assert ws.next() == scope_error

    ws.send(type="subscribe", stream="public")  # public streams need no scope
    ws.sync(scope_error)
    status = post(alice, "Still connected")
    assert payload(ws.next())["id"] == str(status.id)


def test_subscription_parameter_errors(websocket, alice, bob):
    others = List(account_id=bob.id, title="Bob's")
    db.session.add(others)
    db.session.commit()
    ws = websocket(f"?access_token={token_for(alice, 'read')}")
    not_yours = {"error": "Not authorized to stream this list", "status": 401}
    for message, answer in [
        ({"stream": "hashtag"}, {"error": "Missing tag name parameter", "status": 400}),
        ({"stream": "hashtag:local", "tag": ""},
         {"error": "Missing tag name parameter", "status": 400}),
        ({"stream": "list"}, {"error": "Missing list name parameter", "status": 400}),
        ({"stream": "list", "list": str(others.id)}, not_yours),
        ({"stream": "list", "list": "x1"}, not_yours),
        ({"stream": ["nope", "user"]}, {"error": "Unknown stream type", "status": 400}),
    ]:  # fmt: skip
        ws.send(type="subscribe", **message)
        assert ws.next() == answer, message


def test_unknown_stream_and_bad_messages(websocket, alice):
    ws = websocket(f"?stream=nope&access_token={token_for(alice)}")
    assert ws.next() == {"error": "Unknown stream type", "status": 400}
    ws.ws.send("not json")
    ws.ws.send("[1, 2]")
    ws.send(type="dance", stream="user")
    ws.send(type="subscribe", stream={"name": "user"})
    assert ws.next() == {"error": "Unknown stream type", "status": 400}
    ws.send(type="unsubscribe", stream="nope")
    assert ws.next() == {"error": "Error unsubscribing from channel"}
    ws.ws.send(b"\x00binary")
    with pytest.raises(ConnectionClosed):
        ws.next()


def test_revoked_token_closes_its_streams(websocket, alice):
    from fedi.models import OAuthToken

    token = token_for(alice)
    ws = websocket(f"?stream=user&access_token={token}")
    ws.sync()
    token_id = db.session.query(OAuthToken.id).filter_by(access_token=token).scalar()

    channels.publish_kill(token_id)

    with pytest.raises(ConnectionClosed):
        ws.next()


def test_server_pings_and_drops_clients_that_never_answer(
    app: Flask, live_server, alice, monkeypatch
):
    monkeypatch.setitem(app.config, "STREAMING_PING_INTERVAL", 0.2)
    host, port = live_server.split(":")
    conn = WSConnection(ConnectionType.CLIENT)
    target = f"/api/v1/streaming?stream=user&access_token={token_for(alice)}"
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(conn.send(Request(host=live_server, target=target)))
        seen: list[type] = []
        deadline = time.monotonic() + 5
        while CloseConnection not in seen and time.monotonic() < deadline:
            data = sock.recv(65536)
            if not data:
                break
            conn.receive_data(data)
            seen += [type(e) for e in conn.events()]  # pings deliberately left unanswered
    assert seen[0] is AcceptConnection
    assert Ping in seen and CloseConnection in seen


def test_idle_streams_hold_no_database_connection(websocket, alice, bob):
    follows.follow(account=alice, target=bob)
    clients = [websocket(f"?stream=user&access_token={token_for(alice)}") for _ in range(4)]
    for client in clients:
        client.sync()
    status = post(bob, "To every tab")
    for client in clients:
        assert payload(client.next())["id"] == str(status.id)
    db.session.commit()
    db.session.close()

    assert db.engine.pool.checkedout() == 0


def test_a_viewer_with_several_streams_gets_each_post_rendered_for_them_once(alice, bob, carol):
    """(Delivery to each of a viewer's sockets: test_idle_streams_hold_no_database_connection.)"""

    from fedi.hub.streams import STATUS_EVENTS, Stream
    from fedi.services import interactions
    from fedi.streaming import render

    follows.follow(account=alice, target=bob)
    follows.follow(account=carol, target=bob)
    status = post(bob, "Seen on every device")
    interactions.favourite(status=status, by=alice)
    db.session.commit()

    def user_stream(viewer) -> Stream:
        return Stream("user", ["user"], {channels.user(viewer.id): STATUS_EVENTS})

    streams = [user_stream(alice) for _ in range(3)]
    event = {"event": "update", "status_id": str(status.id)}
    shared: dict = {}

    first = render.frames(alice.id, channels.user(alice.id), event, streams[:1], shared)
    with count_queries() as statements:
        again = render.frames(alice.id, channels.user(alice.id), event, streams[1:], shared)
    other = render.frames(carol.id, channels.user(carol.id), event, [user_stream(carol)], shared)

    assert statements == []  # alice's other streams reuse her rendering
    assert [f.payload for _, f in again] == [first[0][1].payload] * 2
    assert json.loads(first[0][1].payload)["favourited"] is True
    assert json.loads(other[0][1].payload)["favourited"] is False  # carol's own rendering
