"""GET /api/v1/statuses/:id/context: Mastodon's order, filters and limits, in a fixed number
of queries however long the thread."""

from __future__ import annotations

from fedi.extensions import db
from fedi.services import blocks, follows, statuses
from tests.helpers import bearer, count_queries, token_for


def ids(items) -> list[str]:
    return [s["id"] for s in items]


def chain(author, length, root=None):
    """`length` replies, each to the one before; returns [root, *replies]."""
    posts = [root or statuses.post_status(account=author, text="root")]
    for i in range(length):
        posts.append(statuses.post_status(account=author, text=f"r{i}", in_reply_to=posts[-1]))
    return posts


def test_thread_order_and_filters(client, alice, bob, carol):
    root = statuses.post_status(account=alice, text="root")
    r1 = statuses.post_status(account=bob, text="@alice first", in_reply_to=root)
    r1a = statuses.post_status(account=alice, text="@bob thanks", in_reply_to=r1)
    r2 = statuses.post_status(account=alice, text="more from me", in_reply_to=root)
    r2a = statuses.post_status(account=alice, text="and more", in_reply_to=r2)
    r3 = statuses.post_status(
        account=carol, text="@alice quietly", in_reply_to=root, visibility_="private"
    )

    r = client.get(f"/api/v1/statuses/{root.id}/context")

    assert r.status_code == 200
    body = r.get_json()
    # Depth first, oldest sibling first, then the author's own continuations brought up;
    # the private reply is left out for an anonymous caller.
    assert body["ancestors"] == []
    assert ids(body["descendants"]) == [str(s.id) for s in (r2, r2a, r1, r1a)]
    assert "favourited" not in body["descendants"][0]
    mine = client.get(f"/api/v1/statuses/{root.id}/context", headers=bearer(token_for(alice)))
    assert ids(mine.get_json()["descendants"]) == [str(s.id) for s in (r2, r2a, r1, r1a, r3)]
    assert mine.get_json()["descendants"][0]["favourited"] is False

    up = client.get(f"/api/v1/statuses/{r1a.id}/context").get_json()
    assert ids(up["ancestors"]) == [str(root.id), str(r1.id)] and up["descendants"] == []

    # The viewer's mutes and blocks hide those authors (and blocked viewers see nothing).
    follows.follow(account=carol, target=alice)
    blocks.mute(account=carol, target=bob)
    seen = client.get(f"/api/v1/statuses/{root.id}/context", headers=bearer(token_for(carol)))
    assert ids(seen.get_json()["descendants"]) == [str(s.id) for s in (r2, r2a, r1a, r3)]
    blocks.block(account=bob, target=carol)  # bob blocks carol
    seen = client.get(f"/api/v1/statuses/{r1a.id}/context", headers=bearer(token_for(carol)))
    assert ids(seen.get_json()["ancestors"]) == [str(root.id)]
    hidden = client.get(f"/api/v1/statuses/{r1.id}/context", headers=bearer(token_for(carol)))
    assert hidden.status_code == 404


def test_deleted_replies_leave_their_answers_in_the_thread(client, alice, bob):
    root, middle, leaf = chain(alice, 2)
    statuses.delete_status(status=middle, by=alice)
    body = client.get(f"/api/v1/statuses/{root.id}/context").get_json()
    assert ids(body["descendants"]) == [str(leaf.id)]
    body = client.get(f"/api/v1/statuses/{leaf.id}/context").get_json()
    assert ids(body["ancestors"]) == [str(root.id)]


def test_anonymous_limits_and_signed_in_limits(client, alice, bob):
    posts = chain(alice, 45)
    last, root = posts[-1], posts[0]

    anonymous = client.get(f"/api/v1/statuses/{last.id}/context").get_json()
    assert ids(anonymous["ancestors"]) == [str(s.id) for s in posts[-41:-1]]  # nearest 40
    signed_in = client.get(
        f"/api/v1/statuses/{last.id}/context", headers=bearer(token_for(bob))
    ).get_json()
    assert ids(signed_in["ancestors"]) == [str(s.id) for s in posts[:-1]]

    down = client.get(f"/api/v1/statuses/{root.id}/context").get_json()
    assert ids(down["descendants"]) == [str(s.id) for s in posts[1:21]]  # 20 deep
    down = client.get(
        f"/api/v1/statuses/{root.id}/context", headers=bearer(token_for(bob))
    ).get_json()
    assert len(down["descendants"]) == 45

    for i in range(41):  # 61 replies directly below the root: anonymous callers get 60
        statuses.post_status(account=bob, text=f"flat {i}", in_reply_to=root)
    flat = client.get(f"/api/v1/statuses/{root.id}/context").get_json()
    assert len(flat["descendants"]) == 60
    assert ids(flat["descendants"])[:20] == [str(s.id) for s in posts[1:21]]


def test_context_needs_read_scope_when_a_token_is_sent(client, alice):
    post = statuses.post_status(account=alice, text="x")
    r = client.get(f"/api/v1/statuses/{post.id}/context", headers=bearer(token_for(alice, "write")))
    assert r.status_code == 403
    r = client.get(f"/api/v1/statuses/{post.id}/context", headers=bearer("bad"))
    assert r.status_code == 401
    assert client.get("/api/v1/statuses/404/context").status_code == 404


def _thread(alice, bob, carol, replies: int):
    authors = [alice, bob, carol]
    root = statuses.post_status(account=alice, text="root @bob #tag")
    posts = [root]
    for i in range(replies):
        parent = root if i % 2 == 0 else posts[-1]
        posts.append(
            statuses.post_status(
                account=authors[i % 3], text=f"@alice reply {i} #tag", in_reply_to=parent,
                visibility_="private" if i % 5 == 0 else "public",
            )
        )  # fmt: skip
    return root


def _queries(client, url, headers) -> int:
    db.session.expunge_all()  # nothing preloaded: the request loads all it shows
    with count_queries() as seen:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(seen), response.get_json()


def test_context_query_count_does_not_grow_with_the_thread(client, alice, bob, carol):
    for who in (alice, bob, carol):
        for target in {alice, bob, carol} - {who}:
            follows.follow(account=who, target=target)
    small, large = _thread(alice, bob, carol, 5).id, _thread(alice, bob, carol, 40).id
    headers = bearer(token_for(bob))
    client.get(f"/api/v1/statuses/{small}/context", headers=headers)  # token touched once

    for who in (headers, {}):
        few, small_body = _queries(client, f"/api/v1/statuses/{small}/context", who)
        many, large_body = _queries(client, f"/api/v1/statuses/{large}/context", who)
        assert len(large_body["descendants"]) > 3 * len(small_body["descendants"])
        assert many == few, (few, many)
        assert many <= 25
