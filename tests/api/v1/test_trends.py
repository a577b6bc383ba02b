"""Trends (tags, statuses, links) and follow suggestions, from real recent activity."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import Account, Status, SuggestionDismissal, utcnow
from fedi.services import blocks, follows, interactions, statuses, tags
from tests.helpers import bearer, make_local, make_remote, token_for


def test_everything_is_empty_without_activity(client, alice):
    for path in (
        "/api/v1/trends",
        "/api/v1/trends/tags",
        "/api/v1/trends/statuses",
        "/api/v1/trends/links",
    ):
        r = client.get(path)
        assert r.status_code == 200 and r.get_json() == [] and "Link" not in r.headers


def test_tags_trend_by_distinct_accounts(client, alice, bob, carol):
    for i in range(5):
        statuses.post_status(account=alice, text=f"#solo post {i}")
    for author in (alice, bob, carol):
        statuses.post_status(account=author, text="#together")
    statuses.post_status(account=bob, text="#solo too")
    statuses.post_status(account=carol, text="#hidden", visibility_="private")

    body = client.get("/api/v1/trends/tags").get_json()
    assert [t["name"] for t in body] == ["together", "solo"]
    assert body[0]["history"][0]["accounts"] == "3" and body[0]["history"][0]["uses"] == "3"
    assert body[1]["history"][0] == {**body[1]["history"][0], "uses": "6", "accounts": "2"}

    r = client.get("/api/v1/trends/tags?limit=1")
    assert [t["name"] for t in r.get_json()] == ["together"]
    assert (
        r.headers["Link"] == '<https://wren.test/api/v1/trends/tags?limit=1&offset=1>; rel="next"'
    )
    r = client.get("/api/v1/trends/tags?limit=1&offset=1")
    assert [t["name"] for t in r.get_json()] == ["solo"]
    assert 'offset=0>; rel="prev"' in r.headers["Link"]
    assert client.get("/api/v1/trends/tags?offset=-1").status_code == 400


def test_old_posts_do_not_trend(client, bob):
    old = utcnow() - timedelta(days=8)
    post = Status(
        id=new_id(old),
        account_id=bob.id,
        uri="https://wren.test/users/bob/statuses/old",
        text="#vintage",
        content="<p>#vintage</p>",
        created_at=old,
        favourites_count=9,
    )
    db.session.add(post)
    db.session.flush()
    tags.attach(post, ["vintage"])
    db.session.commit()
    assert client.get("/api/v1/trends/tags").get_json() == []
    assert client.get("/api/v1/trends/statuses").get_json() == []


def test_statuses_trend_by_boosts_and_favourites(client, alice, bob, carol):
    quiet = statuses.post_status(account=bob, text="nobody cares")
    liked = statuses.post_status(account=bob, text="liked once")
    popular = statuses.post_status(account=carol, text="liked and boosted")
    reply = statuses.post_status(account=carol, text="a reply", in_reply_to=liked)
    interactions.favourite(status=liked, by=alice)
    interactions.favourite(status=popular, by=alice)
    interactions.reblog(status=popular, by=bob)
    interactions.favourite(status=reply, by=bob)
    remote = make_remote("dave")
    remote_post = Status(
        id=new_id(),
        account_id=remote.id,
        uri="https://remote.example/s/1",
        content="<p>x</p>",
        local=False,
        favourites_count=1,
        reblogs_count=5,
    )
    db.session.add(remote_post)
    db.session.commit()

    body = client.get("/api/v1/trends/statuses").get_json()
    ids = [s["id"] for s in body]
    assert ids == [str(remote_post.id), str(popular.id), str(liked.id)]
    assert str(quiet.id) not in ids and str(reply.id) not in ids
    assert "favourited" not in body[0]

    token = token_for(alice, "read")
    body = client.get("/api/v1/trends/statuses", headers=bearer(token)).get_json()
    assert body[1]["favourited"] is True
    blocks.mute(account=alice, target=carol)
    body = client.get("/api/v1/trends/statuses?limit=2", headers=bearer(token)).get_json()
    assert [s["id"] for s in body] == [str(remote_post.id), str(liked.id)]


def test_suggestions_are_popular_local_accounts_not_followed(client, alice, bob, carol):
    dan = make_local("dan")
    for follower in (bob, carol, dan):
        follows.follow(account=follower, target=alice)
    follows.follow(account=dan, target=carol)
    make_remote("famous")
    erin = make_local("erin")
    db.session.execute(update(Account).where(Account.id == erin.id).values(discoverable=False))
    db.session.commit()
    token = token_for(bob, "read")

    assert client.get("/api/v2/suggestions").status_code == 401
    assert (
        client.get("/api/v2/suggestions", headers=bearer(token_for(bob, "write"))).status_code
        == 403
    )
    body = client.get("/api/v2/suggestions", headers=bearer(token)).get_json()
    assert [s["account"]["acct"] for s in body] == ["carol", "dan"]
    assert body[0]["source"] == "global" and body[0]["sources"] == ["most_followed"]
    assert [
        a["acct"] for a in client.get("/api/v1/suggestions?limit=1", headers=bearer(token)).json
    ] == ["carol"]

    blocks.block(account=dan, target=bob)
    r = client.delete(f"/api/v1/suggestions/{carol.id}", headers=bearer(token))
    assert r.status_code == 200 and r.get_json() == {}
    assert client.delete("/api/v1/suggestions/nope", headers=bearer(token)).status_code == 200
    assert client.get("/api/v2/suggestions", headers=bearer(token)).get_json() == []
    assert db.session.query(SuggestionDismissal).count() == 1
