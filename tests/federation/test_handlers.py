# ruff: noqa: F811  (pytest fixtures imported from remote_actor are parameters here)
"""Inbound activity handlers, end to end: a signed POST from a remote actor served on loopback,
the real task (immediate mode), then what local users see through the API and the database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fedi.extensions import db
from fedi.federation import resolve
from fedi.models import (
    Account,
    Block,
    Favourite,
    FeedEntry,
    Follow,
    FollowRequest,
    InboxItem,
    InboxState,
    MediaAttachment,
    MediaType,
    Mention,
    Notification,
    NotificationType,
    Status,
    Visibility,
)
from fedi.services import follows, polls, statuses
from tests.federation.remote_actor import (  # noqa: F401  (fixtures)
    AS_PUBLIC,
    RemoteActor,
    fixture,
    mallory,
    private_fetches,
    remote_keys,
    remote_server,
    rita,
)
from tests.helpers import bearer, make_local, token_for


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _notifications(account: Account, type_: NotificationType) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.account_id == account.id, Notification.type == type_
            )
        )
    )


def _values(rita: RemoteActor, alice: Account, **more: str) -> dict[str, str]:
    return {"REMOTE": rita.server.base, "ACTOR": rita.uri, "LOCAL_ACTOR": alice.uri,
            "LOCAL_PROFILE": alice.url or alice.uri, **more}  # fmt: skip


def _item() -> InboxItem:
    return db.session.scalars(select(InboxItem).order_by(InboxItem.id.desc())).first()


def _follows_rita(client, alice: Account, rita: RemoteActor) -> Account:
    """alice asks to follow rita; rita's Accept arrives through the inbox."""
    remote = resolve.resolve_account(rita.uri)
    request = follows.follow(account=alice, target=remote)
    assert isinstance(request, FollowRequest)
    accept = rita.activity("Accept", {"id": request.uri, "type": "Follow", "actor": alice.uri,
                                      "object": rita.uri})  # fmt: skip
    assert rita.post(client, "/users/alice/inbox", accept).status_code == 202
    return remote


def _home(client, account: Account) -> list[dict]:
    resp = client.get("/api/v1/timelines/home", headers=bearer(token_for(account)))
    assert resp.status_code == 200
    return resp.get_json()


# --- follows ------------------------------------------------------------------------------


def test_follow_of_unlocked_account_follows_notifies_and_accepts(client, alice, rita):
    activity = fixture("mastodon_follow.json", **_values(rita, alice))
    assert rita.post(client, "/users/alice/inbox", activity).status_code == 202
    follow = db.session.scalar(select(Follow))
    assert follow.target_account_id == alice.id and follow.uri == activity["id"]
    assert len(_notifications(alice, NotificationType.FOLLOW)) == 1
    (accept,) = rita.server.posted("Accept")
    assert accept["actor"] == alice.uri
    assert accept["object"]["id"] == activity["id"]
    assert accept["object"]["actor"] == rita.uri


def test_follow_of_locked_account_is_a_request(client, rita):
    carol = make_local("carol")
    carol.locked = True
    db.session.commit()
    activity = rita.activity("Follow", carol.uri)
    assert rita.post(client, "/users/carol/inbox", activity).status_code == 202
    assert _count(Follow) == 0
    request = db.session.scalar(select(FollowRequest))
    assert request.account.uri == rita.uri and request.uri == activity["id"]
    assert len(_notifications(carol, NotificationType.FOLLOW_REQUEST)) == 1
    assert rita.server.posted("Accept") == []


def test_undo_follow(client, alice, rita):
    follow = rita.activity("Follow", alice.uri)
    rita.post(client, "/inbox", follow)
    assert _count(Follow) == 1
    rita.post(client, "/inbox", rita.activity("Undo", follow))
    assert _count(Follow) == 0


def test_accept_turns_our_request_into_a_follow(client, alice, rita):
    remote = _follows_rita(client, alice, rita)
    assert _count(FollowRequest) == 0
    assert _count(Follow, Follow.account_id == alice.id, Follow.target_account_id == remote.id)


def test_reject_ends_our_request(client, alice, rita):
    remote = resolve.resolve_account(rita.uri)
    request = follows.follow(account=alice, target=remote)
    rita.post(client, "/inbox", rita.activity("Reject", request.uri))
    assert _count(FollowRequest) == 0 and _count(Follow) == 0


# --- statuses ------------------------------------------------------------------------------


def test_create_note_reaches_a_local_followers_home_with_a_mention(client, alice, rita):
    _follows_rita(client, alice, rita)
    activity = fixture("mastodon_create_note.json", **_values(rita, alice))
    assert rita.post(client, "/inbox", activity).status_code == 202
    status = db.session.scalar(select(Status).where(Status.uri == activity["object"]["id"]))
    assert status is not None and not status.local
    assert status.visibility == Visibility.PUBLIC and status.language == "en"
    assert status.created_at.isoformat().startswith("2026-11-20T10:00:00")
    (media,) = db.session.scalars(
        select(MediaAttachment).where(MediaAttachment.status_id == status.id)
    )
    assert media.type == MediaType.IMAGE and media.remote_url.endswith("/a.png")
    assert media.description == "A wren on a branch" and media.focus_x == 0.1
    home = _home(client, alice)
    assert [s["uri"] for s in home] == [status.uri]
    assert home[0]["tags"][0]["name"] == "wren"
    assert home[0]["mentions"][0]["acct"] == "alice"
    (mention,) = _notifications(alice, NotificationType.MENTION)
    assert mention.status_id == status.id


@pytest.mark.parametrize(
    "name", ["gotosocial_create_note.json", "pleroma_create_note.json", "misskey_create_note.json"]
)
def test_create_from_other_servers_mentions_alice(client, alice, rita, name):
    activity = fixture(name, **_values(rita, alice))
    assert rita.post(client, "/inbox", activity).status_code == 202
    status = db.session.scalar(select(Status).where(Status.uri == activity["object"]["id"]))
    assert status is not None, _item().error
    assert status.visibility == Visibility.PUBLIC
    assert _count(Mention, Mention.status_id == status.id, Mention.account_id == alice.id) == 1
    assert len(_notifications(alice, NotificationType.MENTION)) == 1


def test_create_of_an_object_on_another_host_is_ignored(client, alice, rita):
    _follows_rita(client, alice, rita)
    note = rita.note("forged")
    note["id"] = "https://elsewhere.example/notes/1"
    rita.post(client, "/inbox", rita.activity("Create", note))
    assert _item().state == InboxState.IGNORED
    assert _count(Status) == 0


def test_create_attributed_to_someone_else_is_ignored(client, alice, rita, mallory):
    _follows_rita(client, alice, rita)
    note = rita.note("not mine", attributedTo=mallory.uri)
    rita.post(client, "/inbox", rita.activity("Create", note))
    assert _count(Status) == 0


def test_unsolicited_create_is_ignored(client, alice, rita):
    rita.post(client, "/inbox", rita.activity("Create", rita.note("spam")))
    assert _item().state == InboxState.IGNORED and _count(Status) == 0


def test_hostile_html_is_removed(client, alice, rita):
    _follows_rita(client, alice, rita)
    html = (
        '<p onclick="steal()">hi<script>alert(1)</script><img src=x onerror=alert(1)>'
        '<a href="javascript:alert(1)">link</a><iframe src="https://evil.example"></iframe></p>'
    )
    rita.post(client, "/inbox", rita.activity("Create", rita.note(html, summary="<b>cw</b>")))
    status = db.session.scalar(select(Status))
    lowered = status.content.lower()
    for bad in ("script", "onerror", "onclick", "javascript:", "<img", "iframe", "alert"):
        assert bad not in lowered
    assert "hi" in status.content and "link" in status.content


def test_hostile_profile_html_is_removed(
    client, alice, remote_server, remote_keys, private_fetches
):
    evil = RemoteActor(
        remote_server, "evil", remote_keys[1],
        summary='<p>bio<script>x()</script><a href="javascript:x()" onmouseover="x()">y</a></p>',
        attachment=[{"type": "PropertyValue", "name": "site",
                     "value": '<a href="https://ok.example" onclick="x()">ok</a>'}],
    )  # fmt: skip
    evil.post(client, "/inbox", evil.activity("Follow", alice.uri))
    account = db.session.scalar(select(Account).where(Account.uri == evil.uri))
    for text in (account.note, account.fields[0]["value"]):
        assert "script" not in text and "javascript:" not in text and "on" + "click" not in text
        assert "onmouseover" not in text


def test_reply_fetches_its_ancestors(client, alice, rita):
    _follows_rita(client, alice, rita)
    parent = rita.server.serve(rita.note("the parent"))
    reply = rita.note("the reply", inReplyTo=parent["id"])
    rita.post(client, "/inbox", rita.activity("Create", reply))
    stored_parent = db.session.scalar(select(Status).where(Status.uri == parent["id"]))
    stored_reply = db.session.scalar(select(Status).where(Status.uri == reply["id"]))
    assert stored_reply.in_reply_to_id == stored_parent.id
    assert stored_reply.conversation_id == stored_parent.conversation_id


def test_visibility_from_addressing(client, alice, rita):
    _follows_rita(client, alice, rita)
    followers = f"{rita.uri}/followers"
    cases = {
        "public": ([AS_PUBLIC], [followers]),
        "unlisted": ([followers], [AS_PUBLIC]),
        "private": ([followers], []),
        "direct": ([alice.uri], []),
    }
    for expected, (to, cc) in cases.items():
        note = rita.note(expected, to=to, cc=cc)
        rita.post(client, "/inbox", rita.activity("Create", note))
        status = db.session.scalar(select(Status).where(Status.uri == note["id"]))
        assert status.visibility == expected


def test_update_edits_with_history(client, alice, rita):
    _follows_rita(client, alice, rita)
    note = rita.note("<p>first text</p>")
    rita.post(client, "/inbox", rita.activity("Create", note))
    update = fixture("mastodon_update_note.json", **_values(rita, alice, OBJECT=note["id"]))
    assert rita.post(client, "/inbox", update).status_code == 202
    status = db.session.scalar(select(Status))
    assert status.content == "<p>edited text</p>" and status.edited_at is not None
    resp = client.get(f"/api/v1/statuses/{status.id}/history", headers=bearer(token_for(alice)))
    assert [h["content"] for h in resp.get_json()] == ["<p>first text</p>", "<p>edited text</p>"]


def test_update_of_someone_elses_status_is_ignored(client, alice, rita, mallory):
    _follows_rita(client, alice, rita)
    note = rita.note("<p>mine</p>")
    rita.post(client, "/inbox", rita.activity("Create", note))
    forged = dict(note, content="<p>hijacked</p>", attributedTo=mallory.uri)
    mallory.post(client, "/inbox", mallory.activity("Update", forged))
    assert db.session.scalar(select(Status)).content == "<p>mine</p>"


def test_update_of_the_actor_refreshes_the_profile(client, alice, rita):
    rita.post(client, "/inbox", rita.activity("Follow", alice.uri))
    changed = dict(rita.doc, name="Rita Renamed", manuallyApprovesFollowers=True, type="Service")
    rita.post(client, "/inbox", rita.activity("Update", changed))
    account = db.session.scalar(select(Account).where(Account.uri == rita.uri))
    assert account.display_name == "Rita Renamed" and account.locked and account.bot


def test_delete_removes_the_status_from_feeds(client, alice, rita):
    _follows_rita(client, alice, rita)
    note = rita.note("<p>soon gone</p>")
    rita.post(client, "/inbox", rita.activity("Create", note))
    assert len(_home(client, alice)) == 1
    delete = fixture("mastodon_delete_note.json", **_values(rita, alice, OBJECT=note["id"]))
    assert rita.post(client, "/inbox", delete).status_code == 202
    assert _home(client, alice) == []
    assert _count(FeedEntry) == 0
    assert db.session.scalar(select(Status)).deleted_at is not None


def test_delete_by_another_actor_is_ignored(client, alice, rita, mallory):
    _follows_rita(client, alice, rita)
    note = rita.note("<p>stays</p>")
    rita.post(client, "/inbox", rita.activity("Create", note))
    mallory.post(client, "/inbox", mallory.activity("Delete", note["id"]))
    assert db.session.scalar(select(Status)).deleted_at is None


def test_delete_of_the_actor_removes_its_content(client, alice, rita):
    _follows_rita(client, alice, rita)
    rita.post(client, "/inbox", rita.activity("Create", rita.note("<p>one</p>")))
    rita.post(client, "/inbox", rita.activity("Delete", rita.uri))
    assert _home(client, alice) == [] and _count(Follow) == 0
    assert db.session.scalar(select(Status)).deleted_at is not None


# --- interactions --------------------------------------------------------------------------


def test_announce_fetches_the_original_from_its_origin(
    client, alice, rita, remote_server, remote_keys
):
    _follows_rita(client, alice, rita)
    otto = RemoteActor(remote_server, "otto", remote_keys[1])
    original = remote_server.serve(otto.note("<p>by otto</p>"))
    inline_lie = dict(original, content="<p>forged inline copy</p>")
    announce = rita.activity("Announce", inline_lie, to=[AS_PUBLIC])
    assert rita.post(client, "/inbox", announce).status_code == 202
    assert "/users/otto/statuses/1" in remote_server.gets
    stored = db.session.scalar(select(Status).where(Status.uri == original["id"]))
    assert stored.content == "<p>by otto</p>"
    boost = db.session.scalar(select(Status).where(Status.reblog_of_id == stored.id))
    assert boost.uri == announce["id"]
    home = _home(client, alice)
    assert home[0]["reblog"]["uri"] == original["id"]


def test_announce_of_a_local_status_notifies(client, alice, rita):
    status = statuses.post_status(account=alice, text="boost me")
    values = _values(rita, alice, OBJECT=status.uri, OBJECT_AUTHOR=alice.uri)
    assert (
        rita.post(client, "/inbox", fixture("mastodon_announce.json", **values)).status_code == 202
    )
    assert db.session.get(Status, status.id).reblogs_count == 1
    assert len(_notifications(alice, NotificationType.REBLOG)) == 1
    announce = fixture("mastodon_announce.json", **values)
    rita.post(client, "/inbox", rita.activity("Undo", announce))
    assert db.session.get(Status, status.id).reblogs_count == 0


def test_like_notifies_and_undo_removes_it(client, alice, rita):
    status = statuses.post_status(account=alice, text="like me")
    values = _values(rita, alice, OBJECT=status.uri)
    assert rita.post(client, "/inbox", fixture("mastodon_like.json", **values)).status_code == 202
    assert _count(Favourite) == 1
    assert db.session.get(Status, status.id).favourites_count == 1
    (note,) = _notifications(alice, NotificationType.FAVOURITE)
    assert note.status_id == status.id
    rita.post(client, "/inbox", fixture("mastodon_undo_like.json", **values))
    assert _count(Favourite) == 0
    assert db.session.get(Status, status.id).favourites_count == 0


def test_like_of_a_private_status_it_cannot_see_is_ignored(client, alice, rita):
    status = statuses.post_status(account=alice, text="followers only", visibility_="private")
    rita.post(client, "/inbox", rita.activity("Like", status.uri))
    assert _count(Favourite) == 0 and _item().state == InboxState.IGNORED


def test_block_ends_follows_and_undo_unblocks(client, alice, rita):
    remote = _follows_rita(client, alice, rita)
    block = fixture("mastodon_block.json", **_values(rita, alice))
    assert rita.post(client, "/inbox", block).status_code == 202
    assert _count(Block, Block.account_id == remote.id, Block.target_account_id == alice.id) == 1
    assert _count(Follow) == 0
    rita.post(client, "/inbox", rita.activity("Undo", block))
    assert _count(Block) == 0


def test_move_moves_local_followers_when_the_new_account_lists_the_old(
    client, alice, rita, remote_server, remote_keys
):
    old = _follows_rita(client, alice, rita)
    new = RemoteActor(remote_server, "rita2", remote_keys[1], alsoKnownAs=[rita.uri])
    rita.post(client, "/inbox", rita.activity("Move", rita.uri, target=new.uri))
    new_account = db.session.scalar(select(Account).where(Account.uri == new.uri))
    assert db.session.get(Account, old.id).moved_to_account_id == new_account.id
    assert _count(Follow, Follow.account_id == alice.id, Follow.target_account_id == old.id) == 0
    pending = _count(FollowRequest, FollowRequest.account_id == alice.id,
                     FollowRequest.target_account_id == new_account.id)  # fmt: skip
    assert pending == 1  # a remote follow waits for the new account's Accept


def test_move_without_alias_is_ignored(client, alice, rita, remote_server, remote_keys):
    old = _follows_rita(client, alice, rita)
    new = RemoteActor(remote_server, "stranger", remote_keys[1])
    rita.post(client, "/inbox", rita.activity("Move", rita.uri, target=new.uri))
    assert _count(Follow, Follow.account_id == alice.id, Follow.target_account_id == old.id) == 1
    assert _item().state == InboxState.IGNORED


def test_question_and_article_are_shown_as_posts(client, alice, rita):
    _follows_rita(client, alice, rita)
    options = [{"type": "Note", "name": "Wren"}, {"type": "Note", "name": "Robin"}]
    question = rita.note("<p>Which bird?</p>", type="Question", oneOf=options)
    article = rita.note("<p>Long text</p>", type="Article", name="On wrens",
                        url=f"{rita.server.base}/articles/wrens", summary="An excerpt")  # fmt: skip
    video = rita.note("", type="Video", name="Wren song", summary="<p>Listen</p>",
                      url=[{"type": "Link", "mediaType": "text/html",
                            "href": f"{rita.server.base}/videos/watch/1"}])  # fmt: skip
    for obj in (question, article, video):
        rita.post(client, "/inbox", rita.activity("Create", obj))
    by_uri = {s.uri: s for s in db.session.scalars(select(Status))}
    asked = by_uri[question["id"]]
    assert asked.content == "<p>Which bird?</p>"  # the options are its poll's
    assert polls.for_status(asked.id).options == ["Wren", "Robin"]
    shown = by_uri[article["id"]]
    assert "<strong>On wrens</strong>" in shown.content and "Long text" in shown.content
    assert f"{rita.server.base}/articles/wrens" in shown.content and shown.spoiler_text == ""
    clip = by_uri[video["id"]]
    assert "<strong>Wren song</strong>" in clip.content and "Listen" in clip.content
    assert clip.url == f"{rita.server.base}/videos/watch/1"
