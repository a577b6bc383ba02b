# ruff: noqa: F811  (pytest fixtures imported from remote_actor are parameters here)
"""Inbound dialects other servers speak, delivered with real signatures to the inbox: types given
as arrays, objects that are not Notes (Image, Video, Audio, Article, Page, Event), a Note without
`attributedTo`, mentions named otherwise than `@user@host`, actors whose server has no
WebFinger, and times with fractional seconds."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from fedi.extensions import db
from fedi.models import (
    Account,
    InboxItem,
    InboxState,
    Mention,
    Notification,
    NotificationType,
    Status,
)
from tests.federation.remote_actor import (  # noqa: F401  (fixtures)
    AS_PUBLIC,
    RemoteActor,
    private_fetches,
    remote_keys,
    remote_server,
    rita,
)
from tests.helpers import bearer, make_local, token_for


def _last_item() -> InboxItem:
    return db.session.scalars(select(InboxItem).order_by(InboxItem.id.desc())).first()


def _status(uri: str) -> Status | None:
    return db.session.scalar(select(Status).where(Status.uri == uri))


def _api_status(client, viewer: Account, uri: str) -> dict:
    status = _status(uri)
    assert status is not None, _last_item().error
    response = client.get(f"/api/v1/statuses/{status.id}", headers=bearer(token_for(viewer)))
    assert response.status_code == 200
    return response.get_json()


def _create(client, actor: RemoteActor, obj, **fields) -> InboxItem:
    activity = actor.activity("Create", obj, **fields)
    assert actor.post(client, "/inbox", activity).status_code == 202
    return _last_item()


@pytest.fixture
def webfinger_reachable(app):
    """WebFinger of the loopback "remote server" goes over plain http (as in test_client)."""
    settings = app.config["FEDI"]
    saved, settings.LOCAL_HTTPS = settings.LOCAL_HTTPS, False
    try:
        yield
    finally:
        settings.LOCAL_HTTPS = saved


def _to(alice: Account) -> dict:
    """Addressed to alice (so it concerns someone here) and public."""
    return {"to": [AS_PUBLIC, alice.uri], "cc": []}


# --- 1. types given as arrays --------------------------------------------------------------


@pytest.mark.parametrize("kind", [["Note"], ["Note", "Article"]])
def test_an_object_typed_as_an_array_is_shown(client, alice, rita, kind):
    note = rita.note("<p>typed as a list</p>", type=kind, **_to(alice))

    item = _create(client, rita, note)

    assert item.state == InboxState.PROCESSED, item.error
    body = _api_status(client, alice, note["id"])
    assert "typed as a list" in body["content"]


def test_an_activity_typed_as_an_array_is_processed(client, alice, rita):
    note = rita.note("<p>both as lists</p>", type=["Note"], **_to(alice))
    activity = rita.activity(["Create"], note)

    assert rita.post(client, "/inbox", activity).status_code == 202

    item = _last_item()
    assert item.activity_type == "Create" and item.state == InboxState.PROCESSED, item.error
    assert _status(note["id"]) is not None


def test_a_fetched_object_typed_as_an_array_is_shown(client, alice, rita):
    note = rita.server.serve(rita.note("<p>fetched</p>", type=["Note"], **_to(alice)))

    item = _create(client, rita, note["id"])

    assert item.state == InboxState.PROCESSED, item.error
    assert _status(note["id"]) is not None


# --- 2. objects that are not Notes -------------------------------------------------------------


def test_image_is_a_post_with_the_image_as_attachment(client, alice, rita):
    image = f"{rita.server.base}/media/sunset.jpg"
    obj = rita.note(None, type="Image", name="Sunset over the bay", url=image,
                    mediaType="image/jpeg", **_to(alice))  # fmt: skip
    del obj["content"]

    _create(client, rita, obj)

    body = _api_status(client, alice, obj["id"])
    assert "Sunset over the bay" in body["content"]
    (media,) = body["media_attachments"]
    assert media["type"] == "image" and media["url"] == image


def test_video_is_a_post_with_the_video_as_attachment_and_a_link_to_its_page(client, alice, rita):
    page, mp4 = f"{rita.server.base}/w/1", f"{rita.server.base}/media/1-720.mp4"
    links = [{"type": "Link", "mediaType": "video/mp4", "href": mp4},
             {"type": "Link", "mediaType": "text/html", "href": page}]  # fmt: skip
    obj = rita.note("<p>About birds</p>", type="Video", name="Bird feeder", url=links, **_to(alice))

    _create(client, rita, obj)

    body = _api_status(client, alice, obj["id"])
    assert body["url"] == page
    assert "Bird feeder" in body["content"] and "About birds" in body["content"]
    assert f'href="{page}"' in body["content"]
    (media,) = body["media_attachments"]
    assert media["type"] == "video" and media["url"] == mp4


def test_audio_is_a_post_with_the_audio_as_attachment(client, alice, rita):
    ogg = f"{rita.server.base}/media/track.ogg"
    obj = rita.note(None, type="Audio", name="Morning song", summary="Recorded at dawn",
                    url={"type": "Link", "mediaType": "audio/ogg", "href": ogg},
                    **_to(alice))  # fmt: skip
    del obj["content"]

    _create(client, rita, obj)

    body = _api_status(client, alice, obj["id"])
    assert "Morning song" in body["content"] and "Recorded at dawn" in body["content"]
    assert body["spoiler_text"] == ""
    (media,) = body["media_attachments"]
    assert media["type"] == "audio" and media["url"] == ogg


@pytest.mark.parametrize("kind", ["Article", "Page", "Event"])
def test_article_page_and_event_are_their_name_and_a_link(client, alice, rita, kind):
    page = f"{rita.server.base}/things/1"
    obj = rita.note("<p>The whole text</p>", type=kind, name="A long read", url=page,
                    **_to(alice))  # fmt: skip

    _create(client, rita, obj)

    body = _api_status(client, alice, obj["id"])
    assert "A long read" in body["content"] and f'<a href="{page}"' in body["content"]
    assert body["url"] == page and body["media_attachments"] == []


# --- 3. a Note without attributedTo ----------------------------------------------------------


def test_a_note_without_attributed_to_is_the_signers(client, alice, rita):
    note = rita.note("<p>whose?</p>", **_to(alice))
    del note["attributedTo"]

    item = _create(client, rita, note)

    assert item.state == InboxState.PROCESSED, item.error
    assert _status(note["id"]).account.uri == rita.uri


def test_a_fetched_note_without_attributed_to_is_the_signers(client, alice, rita):
    note = rita.note("<p>whose, fetched?</p>", **_to(alice))
    del note["attributedTo"]
    rita.server.serve(note)

    _create(client, rita, note["id"])

    assert _status(note["id"]).account.uri == rita.uri


def test_a_note_without_attributed_to_from_another_host_is_still_refused(client, alice, rita):
    note = rita.note("<p>not yours</p>", id="https://elsewhere.example/notes/1", **_to(alice))
    del note["attributedTo"]

    item = _create(client, rita, note)

    assert item.state == InboxState.IGNORED and _status(note["id"]) is None


# --- 4. mentions by href ---------------------------------------------------------------------


def _mentioned(uri: str) -> set[str]:
    status = _status(uri)
    assert status is not None, _last_item().error
    ids = db.session.scalars(select(Mention.account_id).where(Mention.status_id == status.id))
    return {db.session.get(Account, i).uri for i in ids}


def _notified(account: Account) -> int:
    return len(
        db.session.scalars(
            select(Notification).where(
                Notification.account_id == account.id,
                Notification.type == NotificationType.MENTION,
            )
        ).all()
    )


def test_a_mention_is_matched_by_its_href_whatever_its_name(client, alice, rita):
    bob = make_local("bob")
    tags = [{"type": "Mention", "href": alice.uri, "name": "@actor@test_server"},
            {"type": "Mention", "href": bob.url}]  # fmt: skip
    note = rita.note("<p>hi both</p>", tag=tags)

    _create(client, rita, note)

    assert _mentioned(note["id"]) == {alice.uri, bob.uri}
    assert _notified(alice) == 1 and _notified(bob) == 1


def test_a_mention_of_an_unknown_account_fetches_it(client, alice, rita, remote_keys):
    carl = RemoteActor(rita.server, "carl", remote_keys[1])
    tags = [{"type": "Mention", "href": alice.uri, "name": "@alice"},
            {"type": "Mention", "href": carl.uri, "name": "@someone"}]  # fmt: skip
    note = rita.note("<p>meet carl</p>", tag=tags)

    _create(client, rita, note)

    assert _mentioned(note["id"]) == {alice.uri, carl.uri}
    body = _api_status(client, alice, note["id"])
    assert sorted(m["username"] for m in body["mentions"]) == ["alice", "carl"]


def test_a_mention_without_href_falls_back_to_its_name(client, alice, rita):
    note = rita.note("<p>hi @alice</p>", tag=[{"type": "Mention", "name": "@alice@wren.test"}])

    item = _create(client, rita, note)

    assert item.state == InboxState.PROCESSED, item.error
    assert _mentioned(note["id"]) == {alice.uri} and _notified(alice) == 1


def test_a_mention_without_href_of_an_unknown_account_asks_webfinger(
    client, alice, rita, remote_keys, webfinger_reachable
):
    erin = RemoteActor(rita.server, "erin", remote_keys[1])
    host = rita.server.base.split("//")[1]
    rita.server.docs["/.well-known/webfinger"] = {
        "subject": f"acct:erin@{host}",
        "links": [{"rel": "self", "type": "application/activity+json", "href": erin.uri}],
    }
    try:
        note = rita.note("<p>hi erin</p>", tag=[{"type": "Mention", "name": f"@erin@{host}"}],
                         **_to(alice))  # fmt: skip
        _create(client, rita, note)
    finally:
        rita.server.docs.pop("/.well-known/webfinger", None)

    assert "/.well-known/webfinger" in rita.server.gets
    assert erin.uri in _mentioned(note["id"])


def test_an_edit_mentioning_an_unknown_account_fetches_it(client, alice, rita, remote_keys):
    note = rita.note("<p>v1</p>", **_to(alice))
    _create(client, rita, note)
    dora = RemoteActor(rita.server, "dora", remote_keys[1])
    edited = {**note, "content": "<p>v2 with dora</p>", "updated": "2026-11-21T10:00:00Z",
              "tag": [{"type": "Mention", "href": dora.uri, "name": "@dora"}]}  # fmt: skip

    assert rita.post(client, "/inbox", rita.activity("Update", edited)).status_code == 202

    assert dora.uri in _mentioned(note["id"])


# --- 5. actors whose server has no WebFinger ---------------------------------------------------


@pytest.mark.parametrize("webfinger", ["missing", "elsewhere"])
def test_an_actor_without_webfinger_delivers(
    client, alice, rita, remote_keys, webfinger_reachable, webfinger
):
    """GoToSocial and Akkoma take such actors as preferredUsername@host; so do we (and never
    ask WebFinger for an actor fetched by its id: that host owns the key)."""
    server, host = rita.server, rita.server.base.split("//")[1]
    gts = RemoteActor(server, f"gts_{webfinger}", remote_keys[0])
    if webfinger == "elsewhere":  # WebFinger answers, but names another actor
        server.docs["/.well-known/webfinger"] = {
            "subject": f"acct:{gts.doc['preferredUsername']}@{host}",
            "links": [{"rel": "self", "type": "application/activity+json",
                       "href": f"{server.base}/users/someone"}],
        }  # fmt: skip
    try:
        note = gts.note("<p>no webfinger here</p>", **_to(alice))
        item = _create(client, gts, note)
    finally:
        server.docs.pop("/.well-known/webfinger", None)

    assert item.state == InboxState.PROCESSED, item.error
    author = _status(note["id"]).account
    assert author.uri == gts.uri and (author.username, author.domain) == (f"gts_{webfinger}", host)


# --- 6. fractional seconds ---------------------------------------------------------------------


def test_published_and_updated_with_fractional_seconds(client, alice, rita):
    note = rita.note("<p>v1</p>", published="2026-11-20T10:00:00.789Z", **_to(alice))
    _create(client, rita, note)
    status = _status(note["id"])
    assert status.created_at.replace(tzinfo=None) == datetime(2026, 11, 20, 10, 0, 0, 789_000)

    edited = {**note, "content": "<p>v2</p>", "updated": "2026-11-20T10:05:00.123456Z"}
    assert rita.post(client, "/inbox", rita.activity("Update", edited)).status_code == 202

    db.session.expire_all()
    status = _status(note["id"])
    assert "v2" in status.content
    assert status.edited_at.replace(tzinfo=None) == datetime(2026, 11, 20, 10, 5, 0, 123_456)
