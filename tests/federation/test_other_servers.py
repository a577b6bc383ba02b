# ruff: noqa: F811  (pytest fixtures imported from remote_actor are parameters here)
"""Recorded payloads from Pixelfed, PeerTube and Lemmy (tests/fixtures/activitypub/README.md
names their sources), delivered with real signatures to the inbox and read back through the
client API: a Pixelfed photo post with its images, a PeerTube video shown as a post with its
title and link, a Lemmy post (Page) and comment (Note) relayed by their community, and Lemmy's
Announce of a Create, which is recorded and ignored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fedi.extensions import db
from fedi.federation import resolve
from fedi.ids import new_id
from fedi.models import (
    FollowRequest,
    InboxItem,
    InboxState,
    MediaAttachment,
    Notification,
    NotificationType,
    Status,
    Visibility,
    utcnow,
)
from fedi.services import follows
from tests.federation.remote_actor import (  # noqa: F401  (fixtures)
    RemoteActor,
    fixture,
    private_fetches,
    remote_keys,
    remote_server,
    rita,
)
from tests.helpers import bearer, token_for


def _values(actor: RemoteActor, alice, **more: str) -> dict[str, str]:
    return {"REMOTE": actor.server.base, "ACTOR": actor.uri, "LOCAL_ACTOR": alice.uri,
            "LOCAL_PROFILE": alice.url or alice.uri, **more}  # fmt: skip


def _last_item() -> InboxItem:
    return db.session.scalars(select(InboxItem).order_by(InboxItem.id.desc())).first()


def _follow(client, alice, actor: RemoteActor) -> None:
    """alice follows the remote actor (its Accept arrives through the inbox)."""
    request = follows.follow(account=alice, target=resolve.resolve_account(actor.uri))
    assert isinstance(request, FollowRequest)
    accept = actor.activity("Accept", {"id": request.uri, "type": "Follow", "actor": alice.uri,
                                       "object": actor.uri})  # fmt: skip
    assert actor.post(client, "/users/alice/inbox", accept).status_code == 202


def _api_status(client, alice, uri: str) -> dict:
    status = db.session.scalar(select(Status).where(Status.uri == uri))
    assert status is not None, _last_item().error
    response = client.get(f"/api/v1/statuses/{status.id}", headers=bearer(token_for(alice)))
    assert response.status_code == 200
    return response.get_json()


def test_pixelfed_photo_post_with_images_and_a_mention(client, alice, rita):
    activity = fixture("pixelfed_create_note.json", **_values(rita, alice))

    assert rita.post(client, "/inbox", activity).status_code == 202

    body = _api_status(client, alice, activity["object"]["id"])
    assert body["visibility"] == "public" and body["sensitive"] is False
    assert body["url"] == activity["object"]["url"]
    assert "Morning light over the lake" in body["content"]
    assert [t["name"] for t in body["tags"]] == ["sunrise"]
    assert [m["acct"] for m in body["mentions"]] == ["alice"]
    first, second = body["media_attachments"]
    assert first["type"] == second["type"] == "image"
    assert first["url"].endswith("/lake-1.jpg") and second["url"].endswith("/lake-2.jpg")
    assert first["description"] == "A lake at sunrise, mist over the water"
    assert second["description"] is None
    assert first["blurhash"] == "U9Dvf.of00ay~qofM{ay00ay-;ofRjayofay"
    assert first["meta"]["original"]["width"] == 1080
    assert first["meta"]["original"]["height"] == 1350
    notes = db.session.scalars(
        select(Notification).where(Notification.type == NotificationType.MENTION)
    ).all()
    assert [n.account_id for n in notes] == [alice.id]


def test_peertube_video_is_a_post_with_title_and_link(client, alice, rita):
    _follow(client, alice, rita)
    activity = fixture("peertube_create_video.json", **_values(rita, alice))

    assert rita.post(client, "/inbox", activity).status_code == 202

    body = _api_status(client, alice, activity["object"]["id"])
    watch = f"{rita.server.base}/w/kkGMgK9ZtnKfYAgnEtQxbv"
    assert body["url"] == watch and body["language"] == "en"
    assert body["content"].startswith("<p><strong>Building a bird feeder</strong></p>")
    # The description is Markdown: shown as text, never parsed as HTML.
    assert "<p>How to build a **bird feeder** from scrap wood.</p>" in body["content"]
    assert "Parts list &lt;in the comments&gt;" in body["content"]
    assert f'<a href="{watch}"' in body["content"]
    assert sorted(t["name"] for t in body["tags"]) == ["birds", "diy"]
    home = client.get("/api/v1/timelines/home", headers=bearer(token_for(alice))).get_json()
    assert [s["uri"] for s in home] == [activity["object"]["id"]]


@pytest.fixture
def community(remote_server, remote_keys, private_fetches) -> RemoteActor:
    """A Lemmy community: a Group actor that relays its members' posts."""
    return RemoteActor(remote_server, "tenforward", remote_keys[1], type="Group")


def _lemmy_values(rita: RemoteActor, community: RemoteActor, alice) -> dict[str, str]:
    return _values(rita, alice, GROUP=community.uri)


def test_lemmy_post_and_comment_relayed_by_their_community(client, alice, rita, community):
    _follow(client, alice, community)
    values = _lemmy_values(rita, community, alice)
    page = rita.server.serve(fixture("lemmy_page.json", **values))
    comment = rita.server.serve(fixture("lemmy_note.json", **values))
    for n, obj in enumerate((page, comment)):
        announce = fixture("lemmy_announce_page.json", **values, OBJECT="", ANNOUNCE_ID=str(n))
        announce["object"] = obj  # Lemmy inlines it; we fetch it from its origin all the same
        assert community.post(client, "/inbox", announce).status_code == 202
        assert _last_item().state == InboxState.PROCESSED, _last_item().error

    post = _api_status(client, alice, page["id"])
    assert post["account"]["acct"].startswith("rita@") and post["language"] == "fr"
    assert post["content"].startswith("<p><strong>Post title</strong></p>")
    assert "This is a post in the /c/tenforward community" in post["content"]
    reply = _api_status(client, alice, comment["id"])
    assert reply["in_reply_to_id"] == post["id"] and "first comment!" in reply["content"]
    home = client.get("/api/v1/timelines/home", headers=bearer(token_for(alice))).get_json()
    boosted = [s["reblog"]["uri"] for s in home if s["reblog"]]
    assert boosted == [comment["id"], page["id"]]
    assert all(s["account"]["acct"].startswith("tenforward@") for s in home)


def test_lemmy_announce_of_a_create_is_recorded_and_ignored(client, alice, rita, community):
    _follow(client, alice, community)
    activity = fixture("lemmy_announce_create_page.json", **_lemmy_values(rita, community, alice))
    gets = len(rita.server.gets)

    assert community.post(client, "/inbox", activity).status_code == 202

    item = _last_item()
    assert item.activity_type == "Announce" and item.state == InboxState.IGNORED
    assert "announced activity" in item.error
    assert len(rita.server.gets) == gets  # nothing fetched for it
    assert db.session.scalars(select(Status)).all() == []
    assert db.session.scalars(select(MediaAttachment)).all() == []


def test_a_boost_never_shadows_its_original_in_a_url_lookup(remote_dave):
    """Found with Lemmy's posts (url = id): a boost copies its original's URL."""
    original = Status(
        id=new_id(utcnow()), uri="https://remote.example/post/1",
        url="https://remote.example/post/1", account_id=remote_dave.id, local=False,
        visibility=Visibility.PUBLIC, content="<p>post</p>",
    )  # fmt: skip
    boost = Status(
        id=original.id - 1000, uri="https://remote.example/announces/1", url=original.url,
        account_id=remote_dave.id, reblog_of_id=original.id, local=False,
        visibility=Visibility.PUBLIC,
    )  # fmt: skip
    db.session.add_all([original, boost])
    db.session.commit()
    assert resolve.find_status_by_uri(original.url).id == original.id
    assert resolve.find_status_by_uri(boost.uri).id == boost.id
