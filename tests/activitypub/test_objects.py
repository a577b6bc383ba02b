"""Notes and activities as ActivityStreams: shape (against a Mastodon Note), audience per
visibility, private objects only to signed allowed actors, deleted ones 410 with a Tombstone."""

from __future__ import annotations

from fedi.extensions import db
from fedi.federation import addressing, serializers
from fedi.federation.addressing import PUBLIC
from fedi.models import Follow, MediaAttachment, MediaType, ProcessingState
from fedi.services import blocks, follows, interactions, status_edits, statuses
from tests.activitypub.conftest import AS2

# A Note as Mastodon 4.x serves it (docs.joinmastodon.org/spec/activitypub, "Note"; the
# properties of a status fetched from mastodon.social with an AS2 Accept), trimmed.
MASTODON_NOTE = {
    "id": "https://mastodon.social/users/Gargron/statuses/1",
    "type": "Note",
    "summary": None,
    "inReplyTo": None,
    "published": "2024-01-01T12:00:00Z",
    "url": "https://mastodon.social/@Gargron/1",
    "attributedTo": "https://mastodon.social/users/Gargron",
    "to": ["https://www.w3.org/ns/activitystreams#Public"],
    "cc": ["https://mastodon.social/users/Gargron/followers"],
    "sensitive": False,
    "atomUri": "https://mastodon.social/users/Gargron/statuses/1",
    "inReplyToAtomUri": None,
    "conversation": "tag:mastodon.social,2024-01-01:objectId=1:objectType=Conversation",
    "content": "<p>Hello</p>",
    "contentMap": {"en": "<p>Hello</p>"},
    "attachment": [],
    "tag": [],
    "replies": {
        "id": "https://mastodon.social/users/Gargron/statuses/1/replies",
        "type": "Collection",
        "first": {
            "type": "CollectionPage",
            "next": "https://mastodon.social/users/Gargron/statuses/1/replies?only_other_accounts=true&page=true",
            "partOf": "https://mastodon.social/users/Gargron/statuses/1/replies",
            "items": [],
        },
    },
}  # fmt: skip


def _path(status) -> str:
    return status.uri.removeprefix("https://wren.test")


def test_note_has_mastodons_shape(client, alice):
    status = statuses.post_status(account=alice, text="Hello", language="en")

    r = client.get(_path(status), headers=AS2)

    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/activity+json; charset=utf-8"
    body = r.get_json()
    assert set(MASTODON_NOTE) <= set(body)
    assert body["@context"][0] == "https://www.w3.org/ns/activitystreams"
    assert body["id"] == status.uri == f"https://wren.test/users/alice/statuses/{status.id}"
    assert body["type"] == "Note"
    assert body["url"] == f"https://wren.test/@alice/{status.id}"
    assert body["attributedTo"] == alice.uri
    assert body["to"] == [PUBLIC] and body["cc"] == ["https://wren.test/users/alice/followers"]
    assert body["content"] == "<p>Hello</p>" and body["contentMap"] == {"en": "<p>Hello</p>"}
    assert body["summary"] is None and body["sensitive"] is False and body["inReplyTo"] is None
    assert body["published"].endswith("Z") and "updated" not in body
    assert body["conversation"].startswith("tag:wren.test,")
    assert (
        body["replies"]["first"]["next"]
        == f"{status.uri}/replies?only_other_accounts=true&page=true"
    )


def test_reply_mentions_tags_spoiler_and_self_replies(client, alice, bob):
    parent = statuses.post_status(account=bob, text="question")
    reply = statuses.post_status(
        account=alice, text="@bob answer #Python", in_reply_to=parent, spoiler_text="cw"
    )
    thread = statuses.post_status(account=alice, text="and more", in_reply_to=reply)

    body = client.get(_path(reply), headers=AS2).get_json()

    assert body["inReplyTo"] == parent.uri == body["inReplyToAtomUri"]
    assert body["summary"] == "cw" and body["sensitive"] is True
    assert {"type": "Mention", "href": bob.uri, "name": "@bob"} in body["tag"]
    assert {"type": "Hashtag", "href": "https://wren.test/tags/python", "name": "#Python"} in body[
        "tag"
    ]
    assert body["cc"] == [alice.followers_url, bob.uri]
    assert body["replies"]["first"]["items"] == [thread.uri]
    page = client.get(f"{_path(reply)}/replies?page=true", headers=AS2).get_json()
    assert page["type"] == "CollectionPage" and page["items"] == [thread.uri]
    others = client.get(
        f"{_path(parent)}/replies?only_other_accounts=true&page=true", headers=AS2
    ).get_json()
    assert others["items"] == [reply.uri]


def test_attachments_as_documents(client, alice):
    media = MediaAttachment(
        account_id=alice.id, type=MediaType.IMAGE, file_path="1/a.png",
        file_content_type="image/png", description="a cat", blurhash="LKO2?U%2Tw=w",
        focus_x=0.5, focus_y=-0.25, processing=ProcessingState.DONE,
        meta={"original": {"width": 640, "height": 480}},
    )  # fmt: skip
    db.session.add(media)
    db.session.commit()
    status = statuses.post_status(account=alice, text="look", media_ids=[media.id])

    attachment = client.get(_path(status), headers=AS2).get_json()["attachment"]

    assert attachment == [
        {"type": "Document", "mediaType": "image/png", "url": "https://wren.test/media/1/a.png",
         "name": "a cat", "blurhash": "LKO2?U%2Tw=w", "focalPoint": [0.5, -0.25],
         "width": 640, "height": 480}
    ]  # fmt: skip


def test_audience_per_visibility(alice, bob, remote_dave):
    followers = alice.followers_url
    cases = {
        "public": ([PUBLIC], [followers, remote_dave.uri]),
        "unlisted": ([followers], [PUBLIC, remote_dave.uri]),
        "private": ([followers], [remote_dave.uri]),
        "direct": ([remote_dave.uri], []),
    }
    for visibility, expected in cases.items():
        status = statuses.post_status(
            account=alice, text="hi @dave@remote.example", visibility_=visibility
        )
        assert addressing.audience(status) == expected, visibility


def test_boost_audience_and_activity(client, alice, bob):
    original = statuses.post_status(account=bob, text="boost me")
    boost = interactions.reblog(status=original, by=alice, visibility_="unlisted")

    activity = client.get(_path(boost), headers=AS2).get_json()

    assert activity["id"] == boost.uri and activity["type"] == "Announce"
    assert activity["actor"] == alice.uri and activity["object"] == original.uri
    assert activity["to"] == [alice.followers_url]
    assert activity["cc"] == [PUBLIC, bob.uri]
    assert activity["published"].endswith("Z")


def test_create_activity_endpoint(client, alice):
    status = statuses.post_status(account=alice, text="hi")
    body = client.get(f"{_path(status)}/activity", headers=AS2).get_json()
    assert body["id"] == f"{status.uri}/activity"
    assert body["type"] == "Create" and body["actor"] == alice.uri
    assert body["object"]["id"] == status.uri and "@context" not in body["object"]
    assert body["to"] == body["object"]["to"] and body["cc"] == body["object"]["cc"]


def test_browser_gets_redirected_to_the_status_page(client, alice):
    status = statuses.post_status(account=alice, text="hi")
    r = client.get(_path(status), headers={"Accept": "text/html"})
    assert r.status_code == 302
    assert r.headers["Location"] == f"https://wren.test/@alice/{status.id}"


def test_unlisted_is_served_private_and_direct_are_not_unsigned(client, alice):
    unlisted = statuses.post_status(account=alice, text="u", visibility_="unlisted")
    private = statuses.post_status(account=alice, text="p", visibility_="private")
    direct = statuses.post_status(account=alice, text="d", visibility_="direct")
    assert client.get(_path(unlisted), headers=AS2).status_code == 200
    for status in (private, direct):
        assert client.get(_path(status), headers=AS2).status_code == 404
        assert client.get(f"{_path(status)}/activity", headers=AS2).status_code == 404
    assert client.get("/users/alice/statuses/12345", headers=AS2).status_code == 404
    assert client.get(f"/users/bob{_path(unlisted)[12:]}", headers=AS2).status_code == 404


def test_private_note_to_a_signed_follower_only(alice, remote_signer, signed_get):
    erin, _pem = remote_signer
    private = statuses.post_status(account=alice, text="followers only", visibility_="private")

    assert signed_get(_path(private)).status_code == 404  # erin does not follow alice

    db.session.add(Follow(account_id=erin.id, target_account_id=alice.id))
    db.session.commit()
    r = signed_get(_path(private))
    assert r.status_code == 200
    assert r.get_json()["to"] == [alice.followers_url]


def test_direct_note_to_a_signed_mentioned_actor(alice, remote_signer, signed_get):
    direct = statuses.post_status(
        account=alice, text="hi @erin@remote.example", visibility_="direct"
    )
    r = signed_get(_path(direct))
    assert r.status_code == 200
    assert r.get_json()["to"] == [remote_signer[0].uri]


def test_blocked_signer_sees_nothing(alice, remote_signer, signed_get):
    status = statuses.post_status(account=alice, text="public")
    blocks.block(account=alice, target=remote_signer[0])
    assert signed_get(_path(status)).status_code == 404


def test_deleted_status_is_gone_with_a_tombstone(client, alice):
    status = statuses.post_status(account=alice, text="bye")
    statuses.delete_status(status=status, by=alice)

    r = client.get(_path(status), headers=AS2)

    assert r.status_code == 410
    body = r.get_json()
    assert body["type"] == "Tombstone" and body["id"] == status.uri
    assert client.get(f"{_path(status)}/activity", headers=AS2).status_code == 410


def test_edited_note_has_updated_and_update_activity(client, alice):
    status = statuses.post_status(account=alice, text="first")
    status_edits.edit_status(status=status, by=alice, text="second")

    body = client.get(_path(status), headers=AS2).get_json()
    assert body["content"] == "<p>second</p>" and body["updated"].endswith("Z")
    update = serializers.update(status)
    assert update["type"] == "Update" and update["object"]["content"] == "<p>second</p>"
    assert update["id"].startswith(f"{status.uri}#updates/")


def test_activity_builders_have_stable_ids(alice, bob, remote_dave):
    status = statuses.post_status(account=alice, text="hi")
    fav = interactions.favourite(status=status, by=bob)
    like = serializers.like(fav)
    assert like == serializers.like(fav)
    assert like["id"] == fav.uri and like["object"] == status.uri and like["actor"] == bob.uri

    undo = serializers.undo(like, bob)
    assert undo["id"] == f"{fav.uri}/undo" and undo["object"]["id"] == fav.uri
    assert "@context" not in undo["object"]

    request = follows.follow(account=alice, target=remote_dave)
    follow = serializers.follow(request)
    assert follow["id"] == request.uri and follow["object"] == remote_dave.uri

    incoming = Follow(account_id=remote_dave.id, target_account_id=alice.id,
                      uri="https://remote.example/follows/1")  # fmt: skip
    db.session.add(incoming)
    db.session.commit()
    accept = serializers.accept(incoming)
    assert accept["type"] == "Accept" and accept["actor"] == alice.uri
    assert accept["object"]["id"] == "https://remote.example/follows/1"
    assert accept["id"] == f"{alice.uri}#accepts/follows/{incoming.id}"
    assert serializers.reject(incoming)["type"] == "Reject"

    block = blocks.block(account=alice, target=remote_dave)
    activity = serializers.block(block)
    assert activity["type"] == "Block" and activity["object"] == remote_dave.uri
    assert activity["id"] == serializers.block(block)["id"]

    delete = serializers.delete(status)
    assert delete["id"] == f"{status.uri}#delete" and delete["to"] == [PUBLIC]
    assert delete["object"] == {"id": status.uri, "type": "Tombstone", "atomUri": status.uri}
    assert serializers.create(status)["id"] == f"{status.uri}/activity"


def test_replies_pages_walk_self_replies_then_others(client, alice, bob):
    root = statuses.post_status(account=alice, text="thread")
    own = [statuses.post_status(account=alice, text=f"{i}", in_reply_to=root) for i in range(6)]
    other = statuses.post_status(account=bob, text="me too", in_reply_to=root)

    first = client.get(_path(root), headers=AS2).get_json()["replies"]["first"]
    assert first["items"] == [s.uri for s in own[:5]]
    path = first["next"].removeprefix("https://wren.test")
    second = client.get(path, headers=AS2).get_json()
    assert second["items"] == [own[5].uri]
    third = client.get(second["next"].removeprefix("https://wren.test"), headers=AS2).get_json()
    assert third["items"] == [other.uri]


def test_authorized_fetch_on_objects(app, client, alice, signed_get):
    status = statuses.post_status(account=alice, text="hi")
    app.config["FEDI"].AUTHORIZED_FETCH = True
    try:
        assert client.get(_path(status), headers=AS2).status_code == 401
        assert signed_get(_path(status)).status_code == 200
    finally:
        app.config["FEDI"].AUTHORIZED_FETCH = False


def test_authorized_fetch_refuses_unsigned_fetches_of_followers_only(
    app, client, alice, remote_signer, signed_get
):
    """Under AUTHORIZED_FETCH an unsigned GET of a followers-only status, its activity or its
    replies collection is 401 (not 404: the signature is what is missing), while the signed
    fetch of a follower's server gets them."""
    erin, _pem = remote_signer
    db.session.add(Follow(account_id=erin.id, target_account_id=alice.id))
    db.session.commit()
    private = statuses.post_status(account=alice, text="followers only", visibility_="private")
    paths = [_path(private), f"{_path(private)}/activity", f"{_path(private)}/replies"]
    app.config["FEDI"].AUTHORIZED_FETCH = True
    try:
        for path in paths:
            assert client.get(path, headers=AS2).status_code == 401, path
            assert signed_get(path).status_code == 200, path
        note = signed_get(_path(private)).get_json()
        assert note["id"] == private.uri and note["to"] == [alice.followers_url]
        assert signed_get(f"{_path(private)}/activity").get_json()["type"] == "Create"
    finally:
        app.config["FEDI"].AUTHORIZED_FETCH = False


def test_authorized_fetch_fails_closed_when_verification_breaks(
    app, client, alice, signed_get, monkeypatch
):
    """A signature that cannot be checked (here: the key lookup itself fails) counts as none."""
    status = statuses.post_status(account=alice, text="hi")

    def broken(key_id: str, refresh: bool = False) -> str | None:
        raise RuntimeError("key store unavailable")

    monkeypatch.setattr("fedi.activitypub.signed_fetch.public_key_for", broken)
    app.config["FEDI"].AUTHORIZED_FETCH = True
    try:
        assert signed_get(_path(status)).status_code == 401
    finally:
        app.config["FEDI"].AUTHORIZED_FETCH = False


MILLISECONDS = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"


def test_published_and_updated_carry_milliseconds(client, alice, bob):
    """As Mastodon writes them (`2026-12-06T12:34:56.789Z`): posts in the same second keep
    their order on the receiving side."""
    import re

    status = statuses.post_status(account=alice, text="first")
    status.created_at = status.created_at.replace(microsecond=789_123)
    db.session.commit()
    status_edits.edit_status(status=status, by=alice, text="second")
    boost = interactions.reblog(status=status, by=bob)
    note = client.get(_path(status), headers=AS2).get_json()
    actor = client.get("/users/alice", headers=AS2).get_json()

    assert note["published"].endswith(".789Z")
    stamps = [
        note["published"], note["updated"], serializers.create(status)["published"],
        serializers.update(status)["object"]["updated"], serializers.announce(boost)["published"],
        actor["published"],
    ]  # fmt: skip
    assert all(re.match(MILLISECONDS, s) for s in stamps), stamps
