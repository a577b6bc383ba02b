"""PUT /api/v1/statuses/:id with its history and source, as Mastodon keeps them."""

from __future__ import annotations

from sqlalchemy import select

from fedi.events import bus, channels
from fedi.extensions import db
from fedi.models import Mention, Notification, NotificationType, StatusEdit
from fedi.services import follows, interactions, statuses
from tests.api.v1.test_statuses import make_media
from tests.helpers import bearer, token_for


def notes(account, type_):
    return db.session.scalars(
        select(Notification).where(
            Notification.account_id == account.id, Notification.type == type_
        )
    ).all()


def test_edit_keeps_history_and_tells_boosters_and_streams(client, alice, bob, carol):
    follows.follow(account=bob, target=alice)
    post = statuses.post_status(account=alice, text="first draft #old")
    interactions.reblog(status=post, by=bob)
    headers = bearer(token_for(alice))
    live = bus.subscribe([channels.user(bob.id), channels.PUBLIC])
    try:
        r = client.put(
            f"/api/v1/statuses/{post.id}", headers=headers,
            json={"status": "second draft @carol #new", "spoiler_text": "cw", "language": "fr"},
        )  # fmt: skip
        events = []
        while (item := live.get(timeout=1)) is not None:
            events.append(item)
    finally:
        live.close()

    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["id"] == str(post.id) and body["edited_at"] is not None
    assert "second draft" in body["content"] and body["spoiler_text"] == "cw"
    assert body["sensitive"] is True and body["language"] == "fr"
    assert [t["name"] for t in body["tags"]] == ["new"]
    assert [m["acct"] for m in body["mentions"]] == ["carol"]
    # carol is newly mentioned; bob, who boosted it, hears of the edit.
    assert len(notes(carol, NotificationType.MENTION)) == 1
    assert [n.status_id for n in notes(bob, NotificationType.UPDATE)] == [post.id]
    update = {"event": "status.update", "status_id": str(post.id)}
    assert (channels.user(bob.id), update) in events and (channels.PUBLIC, update) in events

    history = client.get(f"/api/v1/statuses/{post.id}/history").get_json()
    assert [h["content"] for h in history] == [
        '<p>first draft <a href="https://wren.test/tags/old" class="mention hashtag" '
        'rel="tag">#<span>old</span></a></p>',
        body["content"],
    ]
    assert [h["spoiler_text"] for h in history] == ["", "cw"]
    assert [h["sensitive"] for h in history] == [False, True]
    assert (
        history[0]["created_at"]
        == client.get(f"/api/v1/statuses/{post.id}").get_json()["created_at"]
    )
    assert history[1]["created_at"] == body["edited_at"]
    assert history[0]["account"]["acct"] == "alice" and history[1]["media_attachments"] == []
    assert set(history[0]) == {
        "content", "spoiler_text", "sensitive", "created_at", "account", "media_attachments",
        "emojis",
    }  # fmt: skip

    source = client.get(f"/api/v1/statuses/{post.id}/source", headers=headers).get_json()
    assert source == {"id": str(post.id), "text": "second draft @carol #new", "spoiler_text": "cw"}


def test_each_further_edit_adds_one_revision_and_no_change_adds_none(client, alice, carol):
    post = statuses.post_status(account=alice, text="v1 @carol")
    headers = bearer(token_for(alice))
    url = f"/api/v1/statuses/{post.id}"

    assert client.put(url, data={"status": "v2"}, headers=headers).status_code == 200
    assert client.put(url, data={"status": "v3"}, headers=headers).status_code == 200
    unchanged = client.put(url, data={"status": "v3"}, headers=headers)

    assert unchanged.status_code == 200
    history = client.get(f"{url}/history").get_json()
    assert [h["content"] for h in history] == ["<p>v1 <span class=\"h-card\" translate=\"no\">"
        '<a href="https://wren.test/@carol" class="u-url mention">@<span>carol</span></a>'
        "</span></p>", "<p>v2</p>", "<p>v3</p>"]  # fmt: skip
    # The dropped mention stays (silent, still granting access) but is no longer shown.
    assert unchanged.get_json()["mentions"] == []
    mention = db.session.scalar(select(Mention).where(Mention.status_id == post.id))
    assert mention.account_id == carol.id and mention.silent is True
    assert len(notes(carol, NotificationType.MENTION)) == 1


def test_edit_media_and_history_show_each_revision_s_media(client, alice):
    first, second = make_media(alice, description="a"), make_media(alice, description="b")
    headers = bearer(token_for(alice))
    posted = client.post(
        "/api/v1/statuses", json={"status": "pics", "media_ids": [str(first.id)]},
        headers=headers,
    ).get_json()  # fmt: skip

    r = client.put(
        f"/api/v1/statuses/{posted['id']}", headers=headers,
        json={"status": "pics", "media_ids": [str(second.id), str(first.id)]},
    )  # fmt: skip

    assert [m["id"] for m in r.get_json()["media_attachments"]] == [str(second.id), str(first.id)]
    history = client.get(f"/api/v1/statuses/{posted['id']}/history").get_json()
    assert [[m["description"] for m in h["media_attachments"]] for h in history] == [
        ["a"], ["b", "a"]
    ]  # fmt: skip
    # Leaving media_ids out removes the media (Mastodon's edit replaces the whole set).
    r = client.put(f"/api/v1/statuses/{posted['id']}", json={"status": "no pics"}, headers=headers)
    assert r.get_json()["media_attachments"] == []
    db.session.refresh(first)
    assert first.status_id is None
    assert len(client.get(f"/api/v1/statuses/{posted['id']}/history").get_json()) == 3


def test_media_attributes_change_descriptions_and_focus_as_a_revision(client, alice):
    """Mastodon's `media_attributes[]`, as JSON and as Rails-style form fields."""
    first, second = make_media(alice, description="old"), make_media(alice, description="b")
    headers = bearer(token_for(alice))
    ids = [str(first.id), str(second.id)]
    posted = client.post(
        "/api/v1/statuses", json={"status": "pics", "media_ids": ids}, headers=headers
    ).get_json()
    url = f"/api/v1/statuses/{posted['id']}"

    r = client.put(url, headers=headers, json={
        "status": "pics", "media_ids": ids,
        "media_attributes": [{"id": ids[0], "description": "A red kite", "focus": "0.5,-0.25"},
                             {"id": "12345", "description": "not on this status"}],
    })  # fmt: skip
    assert r.status_code == 200, r.get_json()
    media = r.get_json()["media_attachments"]
    assert [m["description"] for m in media] == ["A red kite", "b"]
    assert media[0]["meta"]["focus"] == {"x": 0.5, "y": -0.25}
    assert r.get_json()["edited_at"] is not None  # a new description alone is an edit
    history = client.get(f"{url}/history").get_json()
    assert [[m["description"] for m in h["media_attachments"]] for h in history] == [
        ["old", "b"], ["A red kite", "b"]
    ]  # fmt: skip

    form = (
        f"status=pics&media_ids[]={ids[0]}&media_ids[]={ids[1]}"
        f"&media_attributes[][id]={ids[0]}&media_attributes[][description]=Kite"
        f"&media_attributes[][id]={ids[1]}&media_attributes[][description]=Nest"
    )
    r = client.put(url, headers=headers, data=form,
                   content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert [m["description"] for m in r.get_json()["media_attachments"]] == ["Kite", "Nest"]

    too_long = {"id": ids[0], "description": "x" * 1501}
    body = {"status": "changed", "media_ids": ids, "media_attributes": [too_long]}
    r = client.put(url, headers=headers, json=body)
    assert r.status_code == 422
    db.session.expire_all()
    assert (
        client.get(url, headers=headers).get_json()["content"] == "<p>pics</p>"
    )  # nothing half-done
    assert len(client.get(f"{url}/history").get_json()) == 3


def test_edit_rules(client, alice, bob):
    post = statuses.post_status(account=alice, text="mine")
    url = f"/api/v1/statuses/{post.id}"
    r = client.put(url, data={"status": "theirs now"}, headers=bearer(token_for(bob)))
    assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}
    r = client.put(url, data={"status": "x"}, headers=bearer(token_for(alice, "read")))
    assert r.status_code == 403
    assert client.put(url, data={"status": "x"}).status_code == 401
    headers = bearer(token_for(alice))
    r = client.put(url, data={"status": "x" * 501}, headers=headers)
    assert r.get_json() == {"error": "Validation failed: Text character limit of 500 exceeded"}
    r = client.put(url, data={"status": ""}, headers=headers)
    assert r.get_json() == {"error": "Validation failed: Text can't be blank"}
    boost = interactions.reblog(status=post, by=alice)
    r = client.put(f"/api/v1/statuses/{boost.id}", data={"status": "x"}, headers=headers)
    assert r.status_code == 403 and r.get_json() == {"error": "This action is not allowed"}
    r = client.put("/api/v1/statuses/123", data={"status": "x"}, headers=headers)
    assert r.status_code == 404
    assert db.session.scalars(select(StatusEdit)).all() == []
    db.session.refresh(post)
    assert post.text == "mine" and post.edited_at is None


def test_history_and_source_of_an_unedited_status(client, alice, bob):
    post = statuses.post_status(account=alice, text="as posted", visibility_="private")
    headers = bearer(token_for(alice))
    history = client.get(f"/api/v1/statuses/{post.id}/history", headers=headers).get_json()
    assert len(history) == 1 and history[0]["content"] == "<p>as posted</p>"
    for path in ("history", "source"):
        r = client.get(f"/api/v1/statuses/{post.id}/{path}", headers=bearer(token_for(bob)))
        assert r.status_code == 404
    assert client.get(f"/api/v1/statuses/{post.id}/source").status_code == 401
    public = statuses.post_status(account=alice, text="open")
    r = client.get(f"/api/v1/statuses/{public.id}/source", headers=bearer(token_for(None, "read")))
    assert r.get_json() == {"id": str(public.id), "text": "open", "spoiler_text": ""}
