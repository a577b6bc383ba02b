"""Instance extras (rules, peers, activity, about texts), custom emoji and announcements."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import current_app

from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import (
    Announcement,
    AnnouncementReaction,
    CustomEmoji,
    InstanceRule,
    Status,
    User,
    utcnow,
)
from fedi.services import statuses
from tests.helpers import bearer, make_remote, token_for


def add(*rows):
    db.session.add_all(rows)
    db.session.commit()
    return rows[0] if len(rows) == 1 else rows


def test_rules_in_order_and_in_the_instance_entities(client):
    assert client.get("/api/v1/instance/rules").get_json() == []
    second = add(InstanceRule(text="Be kind", hint="Really.", priority=2))
    first = add(InstanceRule(text="No spam", priority=1))
    expected = [
        {"id": str(first.id), "text": "No spam", "hint": "", "translations": {}},
        {"id": str(second.id), "text": "Be kind", "hint": "Really.", "translations": {}},
    ]
    assert client.get("/api/v1/instance/rules").get_json() == expected
    assert client.get("/api/v1/instance").get_json()["rules"] == expected
    assert client.get("/api/v2/instance").get_json()["rules"] == expected


def test_peers_are_the_known_remote_domains(client, alice):
    make_remote("dave", domain="b.example")
    make_remote("erin", domain="a.example")
    make_remote("fay", domain="a.example")
    assert client.get("/api/v1/instance/peers").get_json() == ["a.example", "b.example"]


def test_activity_counts_twelve_weeks(client, alice, bob):
    statuses.post_status(account=alice, text="this week")
    statuses.post_status(account=bob, text="this week too")
    three_weeks = utcnow() - timedelta(days=21, hours=1)
    add(
        Status(
            id=new_id(three_weeks),
            account_id=alice.id,
            uri="https://wren.test/s/old",
            text="old",
            created_at=three_weeks,
        )
    )
    make_remote("dave")
    statuses_remote = Status(
        id=new_id(),
        account_id=make_remote("erin").id,
        local=False,
        uri="https://remote.example/s/1",
    )
    add(statuses_remote)
    alice.user.last_sign_in_at = utcnow()
    db.session.commit()

    weeks = client.get("/api/v1/instance/activity").get_json()
    assert len(weeks) == 12
    assert all(set(w) == {"week", "statuses", "logins", "registrations"} for w in weeks)
    assert all(isinstance(v, str) for w in weeks for v in w.values())
    starts = [int(w["week"]) for w in weeks]
    assert starts == sorted(starts, reverse=True) and starts[0] - starts[1] == 7 * 86400
    assert weeks[0] == {**weeks[0], "statuses": "2", "logins": "2", "registrations": "2"}
    assert weeks[3] == {**weeks[3], "statuses": "1", "logins": "1", "registrations": "0"}
    assert sum(int(w["statuses"]) for w in weeks) == 3
    assert db.session.query(User).count() == 2


def test_extended_description_and_privacy_policy(client):
    r = client.get("/api/v1/instance/extended_description").get_json()
    assert r == {"updated_at": None, "content": "<p>A small corner of the fediverse.</p>"}
    policy = client.get("/api/v1/instance/privacy_policy").get_json()
    assert policy["updated_at"] == "2026-11-26T00:00:00.000Z"
    assert "<h2>What this server stores</h2>" in policy["content"]

    folder = Path(current_app.config["FEDI"].INSTANCE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        (folder / "extended_description.html").write_text("<p>About <b>us</b></p>")
        (folder / "privacy_policy.html").write_text("<p>Our policy</p>")
        about = client.get("/api/v1/instance/extended_description").get_json()
        assert about["content"] == "<p>About <b>us</b></p>" and about["updated_at"].endswith("Z")
        assert client.get("/api/v1/instance/privacy_policy").json["content"] == "<p>Our policy</p>"
    finally:
        (folder / "extended_description.html").unlink()
        (folder / "privacy_policy.html").unlink()


def test_custom_emojis_lists_enabled_local_ones(client):
    assert client.get("/api/v1/custom_emojis").get_json() == []
    add(
        CustomEmoji(
            shortcode="wren",
            image_file="emoji/wren.png",
            static_file="emoji/wren_s.png",
            category="Birds",
        ),
        CustomEmoji(shortcode="blob", image_file="emoji/blob.gif", visible_in_picker=False),
        CustomEmoji(shortcode="off", image_file="emoji/off.png", disabled=True),
        CustomEmoji(
            shortcode="far",
            domain="remote.example",
            image_remote_url="https://remote.example/far.png",
        ),
    )
    assert client.get("/api/v1/custom_emojis").get_json() == [
        {
            "shortcode": "blob",
            "url": "https://wren.test/media/emoji/blob.gif",
            "static_url": "https://wren.test/media/emoji/blob.gif",
            "visible_in_picker": False,
        },
        {
            "shortcode": "wren",
            "url": "https://wren.test/media/emoji/wren.png",
            "static_url": "https://wren.test/media/emoji/wren_s.png",
            "visible_in_picker": True,
            "category": "Birds",
        },
    ]


def published(text: str) -> Announcement:
    return add(Announcement(text=text, published=True, published_at=utcnow()))


def test_active_announcements_with_what_they_refer_to(client, alice, bob):
    token = token_for(alice, "read")
    assert client.get("/api/v1/announcements").status_code == 401
    assert client.get("/api/v1/announcements", headers=bearer(token)).get_json() == []
    post = statuses.post_status(account=bob, text="see this #news")
    add(CustomEmoji(shortcode="wren", image_file="emoji/wren.png"))
    shown = published(f'<p>Hello @bob, #news :wren: <a href="{post.url}">{post.url}</a></p>')
    add(Announcement(text="<p>draft</p>", published=False))
    add(Announcement(text="<p>over</p>", published=True, ends_at=utcnow() - timedelta(days=1)))

    [body] = client.get("/api/v1/announcements", headers=bearer(token)).get_json()
    assert body["id"] == str(shown.id) and body["read"] is False and body["reactions"] == []
    assert body["published_at"].endswith("Z") and body["all_day"] is False
    assert body["starts_at"] is None and body["ends_at"] is None
    assert [m["acct"] for m in body["mentions"]] == ["bob"]
    assert body["tags"] == [{"name": "news", "url": "https://wren.test/tags/news"}]
    assert body["statuses"] == [{"id": str(post.id), "url": post.url}]
    assert [e["shortcode"] for e in body["emojis"]] == ["wren"]


def test_reactions_to_announcements(client, alice, bob):
    token = token_for(alice, "read write")
    add(CustomEmoji(shortcode="wren", image_file="emoji/wren.png"))
    path = f"/api/v1/announcements/{published('<p>hi</p>').id}"
    for name in ("%F0%9F%91%8D", "wren", "wren"):
        assert client.put(f"{path}/reactions/{name}", headers=bearer(token)).status_code == 200
    client.put(f"{path}/reactions/wren", headers=bearer(token_for(bob)))
    r = client.put(f"{path}/reactions/notanemoji", headers=bearer(token))
    assert r.status_code == 422
    assert r.get_json() == {"error": "Validation failed: Name is not a recognized emoji"}
    assert client.put(f"{path}/reactions/ab", headers=bearer(token)).status_code == 422
    r = client.put("/api/v1/announcements/1/reactions/wren", headers=bearer(token))
    assert r.status_code == 404
    r = client.put(f"{path}/reactions/wren", headers=bearer(token_for(alice, "read")))
    assert r.status_code == 403

    [body] = client.get("/api/v1/announcements", headers=bearer(token)).get_json()
    assert body["reactions"] == [
        {"name": "👍", "count": 1, "me": True},
        {
            "name": "wren",
            "count": 2,
            "me": True,
            "url": "https://wren.test/media/emoji/wren.png",
            "static_url": "https://wren.test/media/emoji/wren.png",
        },
    ]
    assert client.delete(f"{path}/reactions/wren", headers=bearer(token)).status_code == 200
    [body] = client.get("/api/v1/announcements", headers=bearer(token_for(bob))).get_json()
    assert body["reactions"][1] == {**body["reactions"][1], "count": 1, "me": True}
    assert db.session.query(AnnouncementReaction).count() == 2


def test_dismissing_announcements(client, alice):
    token = token_for(alice, "read write")
    path = f"/api/v1/announcements/{published('<p>hi</p>').id}"
    r = client.post(f"{path}/dismiss", headers=bearer(token))
    assert r.status_code == 200 and r.get_json() == {}
    assert client.post(f"{path}/dismiss", headers=bearer(token)).status_code == 200
    [body] = client.get("/api/v1/announcements", headers=bearer(token)).get_json()
    assert body["read"] is True
    r = client.get("/api/v1/announcements?with_dismissed=false", headers=bearer(token))
    assert r.get_json() == []
    r = client.post(f"{path}/dismiss", headers=bearer(token_for(alice, "read")))
    assert r.status_code == 403
    assert client.post("/api/v1/announcements/x/dismiss", headers=bearer(token)).status_code == 404


def test_emoji_names():
    from fedi.services.custom_emojis import is_unicode_emoji

    for ok in ["👍", "👍🏽", "❤️", "🇫🇷", "1️⃣", "👩‍👩‍👧", "🏳️‍🌈"]:
        assert is_unicode_emoji(ok), ok
    for bad in ["", "a", "ab", "👍👍", "1", "é", ":wren:"]:
        assert not is_unicode_emoji(bad), bad
