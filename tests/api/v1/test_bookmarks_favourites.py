"""GET /api/v1/favourites and /api/v1/bookmarks: paged by the favourite/bookmark row."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fedi.extensions import db
from fedi.models import Bookmark, Favourite
from fedi.services import follows, interactions, statuses
from fedi.ttl_cache import TTLCache
from tests.helpers import bearer, count_queries, make_local, token_for

CASES = [
    ("/api/v1/favourites", "read:favourites", interactions.favourite, Favourite),
    ("/api/v1/bookmarks", "read:bookmarks", interactions.bookmark, Bookmark),
]


@pytest.mark.parametrize(("path", "scope", "act", "model"), CASES)
def test_needs_a_user_token_with_the_scope(client, alice, path, scope, act, model):
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer(token_for(alice, "read:statuses"))).status_code == 403
    assert client.get(path, headers=bearer(token_for(None, "read"))).status_code == 422
    r = client.get(path, headers=bearer(token_for(alice, scope)))
    assert r.status_code == 200 and r.get_json() == [] and "Link" not in r.headers


@pytest.mark.parametrize(("path", "scope", "act", "model"), CASES)
def test_newest_action_first_with_row_id_links(client, alice, bob, path, scope, act, model):
    posts = [statuses.post_status(account=bob, text=f"post {i}") for i in range(4)]
    # Act on them out of order: the list follows when, not what.
    for post in (posts[2], posts[0], posts[3], posts[1]):
        act(status=post, by=alice)
    rows = list(db.session.scalars(select(model).order_by(model.id.desc())))
    token = token_for(alice, scope)

    r = client.get(f"{path}?limit=3", headers=bearer(token))
    body = r.get_json()
    assert [s["id"] for s in body] == [str(posts[1].id), str(posts[3].id), str(posts[0].id)]
    flag = "favourited" if model is Favourite else "bookmarked"
    assert all(s[flag] is True for s in body)
    assert (
        f'/api/v1/{path.rsplit("/", 1)[1]}?limit=3&max_id={rows[2].id}>; rel="next"'
        in (r.headers["Link"])
    )
    assert f'min_id={rows[0].id}>; rel="prev"' in r.headers["Link"]
    older = client.get(f"{path}?max_id={rows[2].id}", headers=bearer(token)).json
    assert [s["id"] for s in older] == [str(posts[2].id)]
    newer = client.get(f"{path}?min_id={rows[1].id}", headers=bearer(token)).json
    assert [s["id"] for s in newer] == [str(posts[1].id)]


@pytest.mark.parametrize(("path", "scope", "act", "model"), CASES)
def test_only_your_own_and_not_deleted(client, alice, bob, carol, path, scope, act, model):
    mine = statuses.post_status(account=bob, text="liked by alice")
    gone = statuses.post_status(account=bob, text="deleted later")
    act(status=mine, by=alice)
    act(status=gone, by=alice)
    act(status=statuses.post_status(account=bob, text="carol's"), by=carol)
    statuses.delete_status(status=gone, by=bob)
    body = client.get(path, headers=bearer(token_for(alice, scope))).json
    assert [s["id"] for s in body] == [str(mine.id)]


@pytest.mark.parametrize(("path", "scope", "act", "model"), CASES)
def test_query_count_does_not_grow(client, alice, path, scope, act, model):
    token = token_for(alice, scope)
    client.get(path, headers=bearer(token))

    def queries(n):
        for i in range(n):
            author = make_local(f"author{n}x{i}")
            follows.follow(account=alice, target=author)
            act(status=statuses.post_status(account=author, text=f"#tag {i} @alice"), by=alice)
        TTLCache.clear_all()  # each count from cold caches (the viewer's filters too)
        with count_queries() as seen:
            r = client.get(f"{path}?limit=40", headers=bearer(token))
        assert len(r.get_json()) >= n
        return len(seen)

    assert queries(2) == queries(12)
