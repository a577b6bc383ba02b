"""Server-Sent Events streaming over real HTTP, read with httpx: Mastodon's exact framing, paths,
errors and heartbeats."""

from __future__ import annotations

import json

import httpx
import pytest

from fedi.events import channels
from fedi.extensions import db
from fedi.models import List, ListAccount, MediaAttachment, MediaType, ProcessingState
from fedi.services import follows, statuses
from tests.helpers import token_for


def test_health(live_server):
    response = httpx.get(f"http://{live_server}/api/v1/streaming/health")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "OK"


def test_user_stream_framing(event_stream, alice, bob):
    follows.follow(account=alice, target=bob)
    stream = event_stream("/api/v1/streaming/user", token_for(alice))
    assert stream.response.status_code == 200
    assert stream.response.headers["content-type"].startswith("text/event-stream")
    assert stream.response.headers["cache-control"] == "no-store"
    stream.read_until(lambda: stream.text.startswith(":)\n"), 2, "opening comment")

    status = statuses.post_status(account=bob, text="Hello, SSE")
    event, data = stream.next()

    assert event == "update"
    entity = json.loads(data)
    assert entity["id"] == str(status.id) and entity["account"]["acct"] == "bob"
    assert f"event: update\ndata: {data}\n\n" in stream.text  # exactly Mastodon's framing

    statuses.delete_status(status=status, by=bob)
    assert stream.next() == ("delete", str(status.id))
    assert f"event: delete\ndata: {status.id}\n\n" in stream.text


def test_heartbeat_comments(event_stream, alice):
    stream = event_stream("/api/v1/streaming/public", token_for(alice))
    stream.read_until(lambda: stream.text.count(":thump\n") >= 2, 3, "two heartbeats")
    assert stream.text.startswith(":)\n:thump\n")
    assert stream.events() == []


def test_notification_stream(event_stream, alice, bob):
    stream = event_stream("/api/v1/streaming/user/notification", token_for(alice))
    stream.read_until(lambda: stream.text.startswith(":)"), 2, "opening comment")

    mention = statuses.post_status(account=bob, text="@alice ping")
    event, data = stream.next()

    assert event == "notification"
    entity = json.loads(data)
    assert entity["type"] == "mention" and entity["status"]["id"] == str(mention.id)
    stream.quiet()


def test_filters_changed_has_an_undefined_payload(event_stream, alice):
    stream = event_stream("/api/v1/streaming/user", token_for(alice))
    stream.read_until(lambda: stream.text.startswith(":)"), 2, "opening comment")
    channels.publish_filters_changed(alice.id)
    assert stream.next() == ("filters_changed", "undefined")


@pytest.mark.parametrize(
    ("path", "text", "delivered"),
    [
        ("/api/v1/streaming/public", "Everyone #Wren", True),
        ("/api/v1/streaming/public/local", "Local #Wren", True),
        ("/api/v1/streaming/public/remote", "Not remote", False),
        ("/api/v1/streaming/hashtag?tag=wren", "Tagged #Wren", True),
        ("/api/v1/streaming/hashtag/local?tag=WREN", "Tagged #wren", True),
        ("/api/v1/streaming/hashtag?tag=other", "Tagged #wren", False),
    ],
)
def test_public_and_hashtag_paths(event_stream, alice, bob, path, text, delivered):
    stream = event_stream(path, token_for(alice))
    stream.read_until(lambda: stream.text.startswith(":)"), 2, "opening comment")
    status = statuses.post_status(account=bob, text=text)
    if delivered:
        event, data = stream.next()
        assert event == "update" and json.loads(data)["id"] == str(status.id)
    stream.quiet()


def test_only_media_variant(event_stream, alice, bob):
    stream = event_stream("/api/v1/streaming/public/local?only_media=true", token_for(alice))
    stream.read_until(lambda: stream.text.startswith(":)"), 2, "opening comment")
    statuses.post_status(account=bob, text="Just words")
    media = MediaAttachment(
        account_id=bob.id, type=MediaType.IMAGE, processing=ProcessingState.DONE,
        remote_url="https://cdn.example/picture.png",
    )  # fmt: skip
    db.session.add(media)
    db.session.commit()
    pictured = statuses.post_status(account=bob, text="A picture", media_ids=[media.id])

    event, data = stream.next()
    assert event == "update" and json.loads(data)["id"] == str(pictured.id)
    stream.quiet()


def test_list_and_direct_paths(event_stream, alice, bob):
    follows.follow(account=alice, target=bob)
    friends = List(account_id=alice.id, title="Friends")
    db.session.add(friends)
    db.session.flush()
    db.session.add(ListAccount(list_id=friends.id, account_id=bob.id))
    db.session.commit()
    listed = event_stream(f"/api/v1/streaming/list?list={friends.id}", token_for(alice))
    direct = event_stream("/api/v1/streaming/direct", token_for(alice))
    for stream in (listed, direct):
        stream.read_until(lambda s=stream: s.text.startswith(":)"), 2, "opening comment")

    member = statuses.post_status(account=bob, text="For the list")
    message = statuses.post_status(account=bob, text="@alice psst", visibility_="direct")

    # The list shows its member's posts, the direct message to its owner included.
    for expected in (member, message):
        event, data = listed.next()
        assert event == "update" and json.loads(data)["id"] == str(expected.id)
    event, data = direct.next()
    assert event == "conversation" and json.loads(data)["last_status"]["id"] == str(message.id)
    listed.quiet(), direct.quiet()


SCOPES = "Access token does not have the required scopes"


@pytest.mark.parametrize(
    ("path", "token_scopes", "status", "error"),
    [
        ("/api/v1/streaming/user", None, 401, "Missing access token"),
        ("/api/v1/streaming/user", "bogus", 401, "Invalid access token"),
        ("/api/v1/streaming/user", "write", 401, SCOPES),
        ("/api/v1/streaming/user/notification", "read:statuses", 401, SCOPES),
        ("/api/v1/streaming/direct", "write", 401, SCOPES),
        ("/api/v1/streaming/nope", "read", 400, "Unknown channel requested"),
        ("/api/v1/streaming", "read", 400, "Unknown channel requested"),
        ("/api/v1/streaming/hashtag", "read", 400, "Missing tag name parameter"),
        ("/api/v1/streaming/list", "read", 400, "Missing list name parameter"),
        ("/api/v1/streaming/list?list=1", "read", 401, "Not authorized to stream this list"),
    ],
)  # fmt: skip
def test_errors(live_server, alice, path, token_scopes, status, error):
    headers = {}
    if token_scopes == "bogus":
        headers["Authorization"] = "Bearer not-a-token"
    elif token_scopes:
        headers["Authorization"] = f"Bearer {token_for(alice, token_scopes)}"
    response = httpx.get(f"http://{live_server}{path}", headers=headers, timeout=5)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"error": error}


def test_public_streams_need_no_scope_and_accept_the_token_as_a_parameter(event_stream, alice):
    token = token_for(alice, "write")
    stream = event_stream(f"/api/v1/streaming/public?access_token={token}")
    assert stream.response.status_code == 200
    stream.read_until(lambda: stream.text.startswith(":)"), 2, "opening comment")
    status = statuses.post_status(account=alice, text="Public")
    assert json.loads(stream.next()[1])["id"] == str(status.id)
