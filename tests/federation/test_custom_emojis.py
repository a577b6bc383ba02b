# ruff: noqa: F811  (pytest fixtures imported from remote_actor are parameters here)
"""Custom emoji across federation and on every surface: remote `Emoji` tags on statuses and
actors are stored by shortcode and domain (refreshed when they change) and fill `emojis` in the
API; the web UI shows them as images in content, content warnings, names and bios, escaping
kept; disabled ones are not shown; local emoji in local posts and profiles fill `emojis` and go
out as `Emoji` tags; a page with many emoji costs the same queries as a page with few."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from fedi.extensions import db
from fedi.models import Account, CustomEmoji, InboxItem, Status
from fedi.services import follows, statuses
from fedi.ttl_cache import TTLCache
from tests.federation.remote_actor import (  # noqa: F401  (fixtures)
    AS_PUBLIC,
    RemoteActor,
    private_fetches,
    remote_keys,
    remote_server,
    rita,
)
from tests.helpers import bearer, count_queries, token_for
from tests.web.signed_in import page, signed_in

FOX = "https://cdn.remote.example/emoji/blobfox.png"


def emoji_tag(server_base: str, shortcode: str, url: str, updated: str = "2026-11-01T00:00:00Z"):
    return {
        "id": f"{server_base}/emojis/{shortcode}",
        "type": "Emoji",
        "name": f":{shortcode}:",
        "updated": updated,
        "icon": {"type": "Image", "mediaType": "image/png", "url": url},
    }


def _last_item() -> InboxItem:
    return db.session.scalars(select(InboxItem).order_by(InboxItem.id.desc())).first()


def _deliver(client, actor: RemoteActor, kind: str, obj: dict) -> None:
    assert actor.post(client, "/inbox", actor.activity(kind, obj)).status_code == 202
    assert _last_item().error is None, _last_item().error


def _status(uri: str) -> Status:
    status = db.session.scalar(select(Status).where(Status.uri == uri))
    assert status is not None, _last_item().error
    return status


@pytest.fixture
def fox_actor(remote_server, remote_keys, private_fetches) -> RemoteActor:
    """A remote actor whose display name, bio and a profile field use :blobfox:."""
    base = remote_server.base
    return RemoteActor(
        remote_server, "foxy", remote_keys[1], name="Foxy :blobfox:",
        summary="<p>I like :blobfox: &lt;b&gt;not bold&lt;/b&gt;</p>",
        attachment=[{"type": "PropertyValue", "name": "Fav :blobfox:", "value": "<p>yes</p>"}],
        tag=[emoji_tag(base, "blobfox", FOX)],
    )  # fmt: skip


def test_a_remote_post_shows_its_emoji_in_the_api_and_the_web_ui(client, alice, rita, app):
    tag = emoji_tag(rita.server.base, "blobfox", FOX)
    note = rita.note(
        "<p>Hello :blobfox: and :unknown: &lt;script&gt;</p>", summary="cw :blobfox:",
        tag=[tag], to=[AS_PUBLIC, alice.uri],
    )  # fmt: skip
    _deliver(client, rita, "Create", note)
    status = _status(note["id"])
    domain = status.account.domain
    stored = db.session.scalar(select(CustomEmoji).where(CustomEmoji.shortcode == "blobfox"))
    assert (stored.domain, stored.image_remote_url, stored.uri) == (domain, FOX, tag["id"])

    body = client.get(f"/api/v1/statuses/{status.id}", headers=bearer(token_for(alice))).get_json()
    assert body["emojis"] == [
        {"shortcode": "blobfox", "url": FOX, "static_url": FOX, "visible_in_picker": True}
    ]

    html = page(client, f"/@{status.account.acct}/{status.id}")
    img = f'<img class=emoji alt=":blobfox:" title=":blobfox:" src="{FOX}" draggable=false>'
    assert f"Hello {img} and :unknown: &lt;script&gt;" in html
    assert f"<summary>cw {img}</summary>" in html

    # a local emoji of the same name is not the remote author's
    db.session.add(CustomEmoji(shortcode="unknown", image_file="custom_emojis/u.png"))
    db.session.commit()
    body = client.get(f"/api/v1/statuses/{status.id}").get_json()
    assert [e["shortcode"] for e in body["emojis"]] == ["blobfox"]

    # disabled: neither listed nor shown
    stored.disabled = True
    db.session.commit()
    assert client.get(f"/api/v1/statuses/{status.id}").get_json()["emojis"] == []
    assert "class=emoji" not in page(client, f"/@{status.account.acct}/{status.id}")


def test_an_edit_refreshes_a_changed_emoji(client, alice, rita):
    tag = emoji_tag(rita.server.base, "blobfox", FOX)
    note = rita.note("<p>:blobfox:</p>", tag=[tag], to=[AS_PUBLIC, alice.uri])
    _deliver(client, rita, "Create", note)
    new = "https://cdn.remote.example/emoji/blobfox-2.png"
    tag = emoji_tag(rita.server.base, "blobfox", new, "2026-11-21T09:00:00Z")
    edited = dict(note, content="<p>:blobfox: again</p>", updated="2026-11-21T10:00:00Z", tag=[tag])
    _deliver(client, rita, "Update", edited)
    rows = db.session.scalars(select(CustomEmoji)).all()
    assert [(e.shortcode, e.image_remote_url) for e in rows] == [("blobfox", new)]
    status = _status(note["id"])
    assert client.get(f"/api/v1/statuses/{status.id}").get_json()["emojis"][0]["url"] == new


def test_a_remote_actor_shows_emoji_in_its_name_bio_and_fields(client, alice, fox_actor):
    note = fox_actor.note("<p>plain</p>", to=[AS_PUBLIC, alice.uri])
    _deliver(client, fox_actor, "Create", note)
    status = _status(note["id"])
    account = db.session.get(Account, status.account_id)
    expected = [{"shortcode": "blobfox", "url": FOX, "static_url": FOX, "visible_in_picker": True}]

    body = client.get(f"/api/v1/statuses/{status.id}").get_json()
    assert body["emojis"] == [] and body["account"]["emojis"] == expected
    assert client.get(f"/api/v1/accounts/{account.id}").get_json()["emojis"] == expected

    img = f'<img class=emoji alt=":blobfox:" title=":blobfox:" src="{FOX}" draggable=false>'
    profile = page(client, f"/@{account.acct}")
    assert f'<h1 id="account-name">Foxy {img}</h1>' in profile
    assert f"I like {img} &lt;b&gt;not bold&lt;/b&gt;" in profile
    assert f"<dt>Fav {img}</dt>" in profile
    card = page(client, f"/@{account.acct}/{status.id}")
    assert f"Foxy {img} <small>" in card


def test_a_local_post_and_profile_use_local_emoji_and_send_them_as_tags(client, alice):
    emoji = CustomEmoji(shortcode="blobcat", image_file="custom_emojis/cat.png", category="Cats")
    db.session.add(emoji)
    db.session.commit()
    token = token_for(alice)
    r = client.post("/api/v1/statuses", headers=bearer(token),
                    json={"status": "Hi :blobcat: :nope:", "spoiler_text": "cats"})  # fmt: skip
    assert r.status_code == 200
    url = "https://wren.test/media/custom_emojis/cat.png"
    expected = [{"shortcode": "blobcat", "url": url, "static_url": url,
                 "visible_in_picker": True, "category": "Cats"}]  # fmt: skip
    assert r.get_json()["emojis"] == expected

    status = db.session.get(Status, int(r.get_json()["id"]))
    as2 = {"Accept": "application/activity+json"}
    note = client.get(status.uri.removeprefix("https://wren.test"), headers=as2).get_json()
    emoji_tags = [t for t in note["tag"] if t["type"] == "Emoji"]
    assert emoji_tags == [
        {"id": f"https://wren.test/emojis/{emoji.id}", "type": "Emoji", "name": ":blobcat:",
         "updated": emoji_tags[0]["updated"],
         "icon": {"type": "Image", "mediaType": "image/png", "url": url}}
    ]  # fmt: skip

    served = client.get(f"/emojis/{emoji.id}", headers=as2)
    assert served.status_code == 200 and served.get_json()["name"] == ":blobcat:"
    assert served.get_json()["icon"]["url"] == url

    r = client.patch("/api/v1/accounts/update_credentials", headers=bearer(token),
                     data={"display_name": "Alice :blobcat:"})  # fmt: skip
    assert r.status_code == 200 and r.get_json()["emojis"] == expected
    verified = client.get("/api/v1/accounts/verify_credentials", headers=bearer(token)).get_json()
    assert verified["emojis"] == expected
    actor = client.get("/users/alice", headers=as2).get_json()
    assert [t["name"] for t in actor["tag"] if t["type"] == "Emoji"] == [":blobcat:"]

    browser = signed_in(app_of(client), "alice")
    html = page(browser, f"/@alice/{status.id}")
    assert 'alt=":blobcat:" title=":blobcat:" src="/media/custom_emojis/cat.png"' in html


def app_of(client):
    return client.application


def _timeline_queries(client, token: str, path: str) -> int:
    client.get(path, headers=bearer(token))
    TTLCache.clear_all()
    with count_queries() as seen:
        r = client.get(path, headers=bearer(token))
    assert r.status_code == 200
    return len(seen)


def test_a_page_with_many_emoji_costs_no_more_queries(client, alice, bob):
    follows.follow(account=bob, target=alice)
    for i in range(60):
        db.session.add(CustomEmoji(shortcode=f"e{i:02d}", image_file=f"custom_emojis/{i}.png"))
    alice.display_name = "Alice :e00:"  # the author's name uses one too
    db.session.commit()
    token = token_for(bob, "read")
    browser = signed_in(app_of(client), "bob")

    def post(start: int, n: int) -> None:
        for i in range(start, start + n):
            codes = " ".join(f":e{(i + k) % 60:02d}:" for k in range(3))
            statuses.post_status(
                account=alice, text=f"post {i} {codes}", spoiler_text=f":e{i % 60:02d}:"
            )

    def web_queries(emoji: int) -> int:
        page(browser, "/home")
        TTLCache.clear_all()
        with count_queries() as seen:
            html = page(browser, "/home")
        assert len(re.findall(r"class=emoji", html)) >= emoji
        return len(seen)

    post(0, 2)
    api_small = _timeline_queries(client, token, "/api/v1/timelines/home?limit=40")
    web_small = web_queries(2 * 4)
    post(2, 38)
    api_large = _timeline_queries(client, token, "/api/v1/timelines/home?limit=40")
    web_large = web_queries(20 * 4)
    body = client.get("/api/v1/timelines/home?limit=40", headers=bearer(token)).get_json()
    assert len(body) == 40 and all(len(s["emojis"]) >= 3 for s in body)
    assert body[0]["account"]["emojis"][0]["shortcode"] == "e00"
    assert api_small == api_large
    assert web_small == web_large


def test_notifications_show_the_senders_emoji(client, alice, bob):
    """A follow from someone whose name uses an emoji: the notification's account has it, in v1
    and in the grouped v2 notifications."""
    db.session.add(CustomEmoji(shortcode="blobcat", image_file="custom_emojis/cat.png"))
    bob.display_name = "Bob :blobcat:"
    db.session.commit()
    follows.follow(account=bob, target=alice)
    headers = bearer(token_for(alice))
    [row] = client.get("/api/v1/notifications", headers=headers).get_json()
    assert row["type"] == "follow"
    assert [e["shortcode"] for e in row["account"]["emojis"]] == ["blobcat"]
    grouped = client.get("/api/v2/notifications", headers=headers).get_json()
    assert [e["shortcode"] for e in grouped["accounts"][0]["emojis"]] == ["blobcat"]


def test_edit_history_shows_the_emoji_of_each_revision(client, alice):
    db.session.add(CustomEmoji(shortcode="blobcat", image_file="custom_emojis/cat.png"))
    db.session.commit()
    headers = bearer(token_for(alice))
    posted = client.post("/api/v1/statuses", headers=headers, json={"status": "Plain"}).get_json()
    r = client.put(f"/api/v1/statuses/{posted['id']}", headers=headers,
                   json={"status": "Now with :blobcat:"})  # fmt: skip
    assert r.status_code == 200
    history = client.get(f"/api/v1/statuses/{posted['id']}/history", headers=headers).get_json()
    assert [[e["shortcode"] for e in rev["emojis"]] for rev in history] == [[], ["blobcat"]]
