"""Hashtags: the Tag entity with real history, following, and followed tags in the home feed."""

from __future__ import annotations

from datetime import timedelta

from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import Status, StatusTag, utcnow
from fedi.services import blocks, statuses, tags
from tests.helpers import bearer, make_remote, token_for


def midnight(days_ago: int) -> int:
    day = utcnow().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    return int(day.timestamp())


def remote_post(author, tag_name, *, days_ago: int, visibility="public"):
    """A remote status published `days_ago` days ago (ids follow `published`)."""
    at = utcnow() - timedelta(days=days_ago)
    status = Status(
        id=new_id(at),
        account_id=author.id,
        uri=f"{author.uri}/s/{new_id()}",
        text="",
        content=f"<p>#{tag_name}</p>",
        visibility=visibility,
        local=False,
        created_at=at,
    )
    db.session.add(status)
    db.session.flush()
    [tag] = tags.find_or_create([tag_name])
    db.session.add(StatusTag(status_id=status.id, tag_id=tag.id))
    db.session.commit()
    return status


def test_show_a_tag_with_seven_days_of_real_history(client, alice, bob):
    statuses.post_status(account=alice, text="#Caturday one")
    statuses.post_status(account=alice, text="#caturday two")
    statuses.post_status(account=bob, text="#CATURDAY three")
    statuses.post_status(account=bob, text="#caturday quiet", visibility_="private")
    dave = make_remote("dave")
    remote_post(dave, "caturday", days_ago=2)
    remote_post(dave, "caturday", days_ago=9)

    r = client.get("/api/v1/tags/Caturday")
    assert r.status_code == 200
    body = r.get_json()
    assert body["name"] == "Caturday" and body["url"] == "https://wren.test/tags/caturday"
    assert body["id"].isdigit() and "following" not in body
    history = body["history"]
    assert [h["day"] for h in history] == [str(midnight(i)) for i in range(7)]
    assert history[0] == {"day": str(midnight(0)), "uses": "3", "accounts": "2"}
    assert history[2] == {"day": str(midnight(2)), "uses": "1", "accounts": "1"}
    assert all(h["uses"] == "0" for i, h in enumerate(history) if i not in (0, 2))


def test_unknown_and_invalid_tags(client, alice):
    r = client.get("/api/v1/tags/neverused", headers=bearer(token_for(alice, "read")))
    assert r.status_code == 200
    body = r.get_json()
    assert body["name"] == "neverused" and body["id"] == "" and body["following"] is False
    assert [h["uses"] for h in body["history"]] == ["0"] * 7
    assert client.get("/api/v1/tags/no-dashes").status_code == 404
    assert client.get("/api/v1/tags/123").status_code == 404
    r = client.post("/api/v1/tags/bad-name/follow", headers=bearer(token_for(alice)))
    assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}


def test_follow_and_unfollow(client, alice):
    assert client.post("/api/v1/tags/wren/follow").status_code == 401
    r = client.post("/api/v1/tags/wren/follow", headers=bearer(token_for(alice, "read")))
    assert r.status_code == 403
    token = token_for(alice, "write:follows read:follows")
    r = client.post("/api/v1/tags/Wren/follow", headers=bearer(token))
    assert r.status_code == 200 and r.get_json()["following"] is True
    assert r.get_json()["name"] == "Wren"
    again = client.post("/api/v1/tags/wren/follow", headers=bearer(token))  # idempotent
    assert again.status_code == 200 and again.get_json()["following"] is True
    assert client.get("/api/v1/tags/wren", headers=bearer(token)).json["following"] is True
    r = client.post("/api/v1/tags/wren/unfollow", headers=bearer(token))
    assert r.status_code == 200 and r.get_json()["following"] is False
    r = client.post("/api/v1/tags/nothere/unfollow", headers=bearer(token))
    assert r.status_code == 200 and r.get_json()["following"] is False


def test_followed_tags_pages_by_the_follow(client, alice):
    token = token_for(alice, "read:follows write:follows")
    for name in ("zeta", "alpha", "mid"):
        client.post(f"/api/v1/tags/{name}/follow", headers=bearer(token))
    assert client.get("/api/v1/followed_tags").status_code == 401
    r = client.get("/api/v1/followed_tags?limit=2", headers=bearer(token))
    assert [t["name"] for t in r.get_json()] == ["mid", "alpha"]
    assert all(t["following"] is True for t in r.get_json())
    next_url = r.headers["Link"].split(">;")[0].lstrip("<")
    assert "max_id=" in next_url
    older = client.get(next_url.replace("https://wren.test", ""), headers=bearer(token)).json
    assert [t["name"] for t in older] == ["zeta"]
    app_only = client.get("/api/v1/followed_tags", headers=bearer(token_for(None, "read")))
    assert app_only.status_code == 422


def test_public_posts_with_a_followed_tag_reach_the_home_feed(client, alice, bob, carol):
    token = token_for(alice, "read write")
    client.post("/api/v1/tags/birds/follow", headers=bearer(token))
    tagged = statuses.post_status(account=bob, text="look #Birds")
    statuses.post_status(account=bob, text="quiet #birds", visibility_="unlisted")
    statuses.post_status(account=bob, text="no tag here")
    blocks.block(account=alice, target=carol)
    statuses.post_status(account=carol, text="blocked #birds")
    home = client.get("/api/v1/timelines/home", headers=bearer(token)).json
    assert [s["id"] for s in home] == [str(tagged.id)]
