"""POST/GET/DELETE /api/v1/statuses: every parameter shape, idempotency, visibility, media."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fedi.extensions import db
from fedi.models import (
    IdempotencyKey,
    MediaAttachment,
    MediaType,
    ProcessingState,
    Status,
)
from fedi.services import blocks, follows, interactions, statuses
from tests.helpers import bearer, token_for


def make_media(account, *, type_=MediaType.IMAGE, processing=ProcessingState.DONE, **kwargs):
    media = MediaAttachment(
        account_id=account.id, type=type_, processing=processing,
        file_path=f"media/{account.username}.png", file_content_type="image/png",
        description=kwargs.pop("description", "alt text"), **kwargs,
    )  # fmt: skip
    db.session.add(media)
    db.session.commit()
    return media


def count_statuses() -> int:
    return db.session.scalar(select(func.count()).select_from(Status))


def test_posting_needs_a_user_token_with_write_scope(client, alice):
    assert client.post("/api/v1/statuses", data={"status": "hi"}).status_code == 401
    r = client.post("/api/v1/statuses", data={"status": "hi"}, headers=bearer("nope"))
    assert r.status_code == 401 and r.get_json() == {"error": "The access token is invalid"}
    r = client.post(
        "/api/v1/statuses", data={"status": "hi"}, headers=bearer(token_for(alice, "read"))
    )
    assert r.status_code == 403
    assert r.get_json() == {"error": "This action is outside the authorized scopes"}
    r = client.post(
        "/api/v1/statuses", data={"status": "hi"}, headers=bearer(token_for(None, "write"))
    )
    assert r.status_code == 422
    assert r.get_json() == {"error": "This method requires an authenticated user"}
    assert count_statuses() == 0


@pytest.mark.parametrize("shape", ["form", "json", "multipart", "query"])
def test_post_in_every_body_shape(client, alice, shape):
    headers = bearer(token_for(alice, "write:statuses"))
    fields = {"status": f"Hello via {shape} #Wren", "visibility": "unlisted", "sensitive": "1"}
    if shape == "form":
        r = client.post("/api/v1/statuses", data=fields, headers=headers)
    elif shape == "json":
        r = client.post("/api/v1/statuses", json={**fields, "sensitive": True}, headers=headers)
    elif shape == "multipart":
        r = client.post(
            "/api/v1/statuses", data=fields, headers=headers, content_type="multipart/form-data"
        )
    else:
        r = client.post("/api/v1/statuses", query_string=fields, headers=headers)

    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["content"] == (
        f'<p>Hello via {shape} <a href="https://wren.test/tags/Wren" class="mention hashtag" '
        'rel="tag">#<span>Wren</span></a></p>'
    )
    assert body["visibility"] == "unlisted" and body["sensitive"] is True
    assert body["tags"] == [{"name": "wren", "url": "https://wren.test/tags/wren"}]
    assert body["application"] == {"name": "Test client", "website": "https://client.example"}
    assert body["account"]["id"] == str(alice.id) and body["language"] == "en"
    assert body["favourited"] is False and body["pinned"] is False and body["muted"] is False
    assert body["uri"] == f"https://wren.test/users/alice/statuses/{body['id']}"
    assert body["edited_at"] is None and body["media_attachments"] == []


@pytest.mark.parametrize("shape", ["form", "json", "multipart"])
def test_post_with_every_parameter(client, alice, bob, shape):
    parent = statuses.post_status(account=bob, text="parent")
    first, second = make_media(alice, description="one"), make_media(alice, description="two")
    fields = {
        "status": "@bob replying",
        "in_reply_to_id": str(parent.id),
        "spoiler_text": "cw",
        "sensitive": "false",
        "visibility": "private",
        "language": "de",
    }
    media = [str(second.id), str(first.id)]
    headers = bearer(token_for(alice))
    if shape == "json":
        r = client.post("/api/v1/statuses", json={**fields, "media_ids": media}, headers=headers)
    else:
        data = {**fields, "media_ids[]": media}
        kind = "multipart/form-data" if shape == "multipart" else None
        r = client.post("/api/v1/statuses", data=data, headers=headers, content_type=kind)

    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["in_reply_to_id"] == str(parent.id)
    assert body["in_reply_to_account_id"] == str(bob.id)
    assert body["spoiler_text"] == "cw" and body["sensitive"] is True  # a warning implies it
    assert body["visibility"] == "private" and body["language"] == "de"
    assert [m["description"] for m in body["media_attachments"]] == ["two", "one"]
    assert body["media_attachments"][0]["id"] == str(second.id)
    assert body["mentions"] == [
        {"id": str(bob.id), "username": "bob", "url": "https://wren.test/@bob", "acct": "bob"}
    ]
    db.session.refresh(parent)
    assert parent.replies_count == 0  # private replies are not counted


def test_media_rules(client, alice, bob):
    headers = bearer(token_for(alice))

    def post(ids, text="with media"):
        return client.post(
            "/api/v1/statuses", json={"status": text, "media_ids": [str(i) for i in ids]},
            headers=headers,
        )  # fmt: skip

    five = [make_media(alice).id for _ in range(5)]
    r = post(five)
    assert r.status_code == 422 and r.get_json() == {"error": "Cannot attach more than 4 files"}
    theirs = make_media(bob)
    r = post([five[0], theirs.id])
    assert r.status_code == 422
    assert r.get_json() == {
        "error": f"Media {theirs.id} not found or already attached to another post"
    }
    pending = make_media(alice, processing=ProcessingState.PROCESSING)
    r = post([pending.id])
    assert r.status_code == 422
    assert r.get_json()["error"].startswith("Cannot attach files that have not finished")
    video = make_media(alice, type_=MediaType.VIDEO)
    r = post([five[0], video.id])
    assert r.get_json() == {"error": "Cannot attach a video to a post that already contains images"}
    assert count_statuses() == 0

    r = post(five[:4], text="")  # media alone need no text
    assert r.status_code == 200 and len(r.get_json()["media_attachments"]) == 4
    r = post([five[0]])  # already attached
    assert r.status_code == 422 and "already attached" in r.get_json()["error"]
    r = post(["nonsense"])
    assert r.get_json() == {"error": "Media 0 not found or already attached to another post"}


def test_idempotency_key_returns_the_first_status(client, alice, bob):
    headers = {**bearer(token_for(alice)), "Idempotency-Key": "abc-123"}

    first = client.post("/api/v1/statuses", data={"status": "once"}, headers=headers)
    again = client.post("/api/v1/statuses", data={"status": "once"}, headers=headers)

    assert first.status_code == again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert count_statuses() == 1
    # Another key, or another account with the same key, posts anew.
    other = client.post(
        "/api/v1/statuses", data={"status": "twice"},
        headers={**bearer(token_for(alice)), "Idempotency-Key": "abc-124"},
    )  # fmt: skip
    theirs = client.post(
        "/api/v1/statuses", data={"status": "once"},
        headers={**bearer(token_for(bob)), "Idempotency-Key": "abc-123"},
    )  # fmt: skip
    assert len({first.get_json()["id"], other.get_json()["id"], theirs.get_json()["id"]}) == 3
    # A day later the key is forgotten.
    key = db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.key == "abc-123", IdempotencyKey.account_id == alice.id
        )
    )
    key.created_at = key.created_at - timedelta(hours=25)
    db.session.commit()
    later = client.post("/api/v1/statuses", data={"status": "once"}, headers=headers)
    assert later.status_code == 200 and later.get_json()["id"] != first.get_json()["id"]
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 3


def test_idempotency_key_of_a_deleted_status_is_not_found(client, alice):
    headers = {**bearer(token_for(alice)), "Idempotency-Key": "k" * 300}  # long keys are hashed
    first = client.post("/api/v1/statuses", data={"status": "gone soon"}, headers=headers)
    assert client.delete(f"/api/v1/statuses/{first.get_json()['id']}", headers=headers)
    r = client.post("/api/v1/statuses", data={"status": "gone soon"}, headers=headers)
    assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}


def test_validation_errors_use_mastodon_wording(client, alice):
    headers = bearer(token_for(alice))
    r = client.post("/api/v1/statuses", data={"status": "   "}, headers=headers)
    assert r.status_code == 422
    assert r.get_json() == {"error": "Validation failed: Text can't be blank"}
    assert client.post("/api/v1/statuses", data={}, headers=headers).status_code == 422
    r = client.post("/api/v1/statuses", data={"status": "x" * 501}, headers=headers)
    assert r.status_code == 422
    assert r.get_json() == {"error": "Validation failed: Text character limit of 500 exceeded"}
    r = client.post(
        "/api/v1/statuses", data={"status": "x" * 490, "spoiler_text": "y" * 11}, headers=headers
    )
    assert r.status_code == 422
    r = client.post(
        "/api/v1/statuses", data={"status": "hi", "visibility": "friends"}, headers=headers
    )
    assert r.get_json() == {"error": "Validation failed: Visibility is not included in the list"}
    r = client.post("/api/v1/statuses", data="{not json", headers=headers,
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 422
    assert count_statuses() == 0
    # A lone content warning becomes the text, as in Mastodon; an odd language falls back.
    r = client.post(
        "/api/v1/statuses", data={"spoiler_text": "only a warning", "language": "klingon!"},
        headers=headers,
    )  # fmt: skip
    body = r.get_json()
    assert r.status_code == 200 and body["content"] == "<p>only a warning</p>"
    assert body["spoiler_text"] == "" and body["sensitive"] is True and body["language"] == "en"


def test_reply_to_a_post_you_cannot_see_is_not_found(client, alice, bob):
    secret = statuses.post_status(account=bob, text="followers only", visibility_="private")
    headers = bearer(token_for(alice))
    expected = {"error": "The post you are trying to reply to does not appear to exist."}
    for target in (secret.id, 12345, "abc"):
        r = client.post(
            "/api/v1/statuses", data={"status": "hi", "in_reply_to_id": target}, headers=headers
        )
        assert r.status_code == 404 and r.get_json() == expected
    assert count_statuses() == 1


def test_get_one_status_hides_what_the_viewer_may_not_see(client, alice, bob, carol):
    follows.follow(account=bob, target=alice)
    public = statuses.post_status(account=alice, text="hello")
    private = statuses.post_status(account=alice, text="friends", visibility_="private")

    r = client.get(f"/api/v1/statuses/{public.id}")
    assert r.status_code == 200 and "favourited" not in r.get_json()
    for headers in ({}, bearer(token_for(carol))):
        r = client.get(f"/api/v1/statuses/{private.id}", headers=headers)
        assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}
    r = client.get(f"/api/v1/statuses/{private.id}", headers=bearer(token_for(bob, "read")))
    assert r.status_code == 200 and r.get_json()["visibility"] == "private"
    r = client.get(f"/api/v1/statuses/{private.id}", headers=bearer(token_for(bob, "write")))
    assert r.status_code == 403
    for bad in ("abc", "99999999999999999999999", "1"):
        r = client.get(f"/api/v1/statuses/{bad}")
        assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}
    blocks.block(account=alice, target=carol)
    r = client.get(f"/api/v1/statuses/{public.id}", headers=bearer(token_for(carol)))
    assert r.status_code == 404


def test_get_many_skips_what_the_viewer_may_not_see(client, alice, bob):
    older = statuses.post_status(account=alice, text="older")
    private = statuses.post_status(account=alice, text="secret", visibility_="private")
    newer = statuses.post_status(account=bob, text="newer")
    query = f"id[]={older.id}&id[]={private.id}&id[]={newer.id}&id[]=nope&id[]={older.id}"

    r = client.get(f"/api/v1/statuses?{query}", headers=bearer(token_for(bob)))

    assert r.status_code == 200
    assert [s["id"] for s in r.get_json()] == [str(newer.id), str(older.id)]
    mine = client.get(f"/api/v1/statuses?{query}", headers=bearer(token_for(alice))).get_json()
    assert [s["id"] for s in mine] == [str(newer.id), str(private.id), str(older.id)]
    assert client.get("/api/v1/statuses").get_json() == []
    many = "&".join(f"id[]={i}" for i in range(1, 22))
    r = client.get(f"/api/v1/statuses?{many}")
    assert r.status_code == 422 and r.get_json() == {"error": "Mastodon::ValidationError"}


def test_delete_answers_with_the_source_and_keeps_media_for_a_redraft(client, alice, bob):
    follows.follow(account=bob, target=alice)
    media = make_media(alice)
    headers = bearer(token_for(alice))
    posted = client.post(
        "/api/v1/statuses", headers=headers,
        json={"status": "draft *one*", "spoiler_text": "cw", "media_ids": [str(media.id)]},
    ).get_json()  # fmt: skip
    interactions.reblog(status=db.session.get(Status, int(posted["id"])), by=bob)

    r = client.delete(f"/api/v1/statuses/{posted['id']}", headers=headers)

    assert r.status_code == 200
    body = r.get_json()
    assert body["id"] == posted["id"] and body["text"] == "draft *one*"
    assert "content" not in body and body["spoiler_text"] == "cw"
    assert [m["id"] for m in body["media_attachments"]] == [str(media.id)]
    assert client.get(f"/api/v1/statuses/{posted['id']}", headers=headers).status_code == 404
    assert client.delete(f"/api/v1/statuses/{posted['id']}", headers=headers).status_code == 404
    db.session.refresh(alice)
    assert alice.statuses_count == 0
    redraft = client.post(
        "/api/v1/statuses", headers=headers,
        json={"status": body["text"], "media_ids": [m["id"] for m in body["media_attachments"]]},
    )  # fmt: skip
    assert redraft.status_code == 200
    assert [m["id"] for m in redraft.get_json()["media_attachments"]] == [str(media.id)]


def test_only_the_author_deletes(client, alice, bob):
    post = statuses.post_status(account=alice, text="mine")
    r = client.delete(f"/api/v1/statuses/{post.id}", headers=bearer(token_for(bob)))
    assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}
    r = client.delete(f"/api/v1/statuses/{post.id}", headers=bearer(token_for(alice, "read")))
    assert r.status_code == 403
    assert client.delete(f"/api/v1/statuses/{post.id}").status_code == 401
    assert db.session.get(Status, post.id).deleted_at is None
    boost = interactions.reblog(status=post, by=bob)
    r = client.delete(f"/api/v1/statuses/{boost.id}", headers=bearer(token_for(bob)))
    assert r.status_code == 200 and r.get_json()["reblog"]["id"] == str(post.id)
    db.session.refresh(post)
    assert post.reblogs_count == 0
