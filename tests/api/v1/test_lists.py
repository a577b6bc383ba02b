"""Lists: CRUD, members, the list timeline and exclusive lists, through HTTP with real tokens."""

from __future__ import annotations

from fedi.services import blocks, follows, interactions, statuses
from fedi.ttl_cache import TTLCache
from tests.helpers import bearer, count_queries, make_local, make_remote, token_for


def new_list(client, token, title="Friends", **extra):
    r = client.post("/api/v1/lists", data={"title": title, **extra}, headers=bearer(token))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def add_members(client, token, list_id, *accounts):
    r = client.post(
        f"/api/v1/lists/{list_id}/accounts",
        data={"account_ids[]": [str(a.id) for a in accounts]},
        headers=bearer(token),
    )
    assert r.status_code == 200, r.get_json()


def timeline_ids(client, token, list_id) -> list[str]:
    r = client.get(f"/api/v1/timelines/list/{list_id}", headers=bearer(token))
    assert r.status_code == 200
    return [s["id"] for s in r.get_json()]


def set_policy(client, token, list_id, policy):
    r = client.put(
        f"/api/v1/lists/{list_id}", data={"replies_policy": policy}, headers=bearer(token)
    )
    assert r.status_code == 200


def test_lists_need_a_token_with_the_lists_scopes(client, alice):
    assert client.get("/api/v1/lists").status_code == 401
    r = client.get("/api/v1/lists", headers=bearer(token_for(alice, "read:statuses")))
    assert r.status_code == 403
    assert r.get_json() == {"error": "This action is outside the authorized scopes"}
    r = client.post(
        "/api/v1/lists", data={"title": "x"}, headers=bearer(token_for(alice, "read:lists"))
    )
    assert r.status_code == 403
    assert client.get("/api/v1/lists", headers=bearer(token_for(alice, "read:lists"))).json == []


def test_create_show_update_and_delete(client, alice):
    token = token_for(alice, "read:lists write:lists")
    created = new_list(client, token, "Friends")
    assert created == {
        "id": created["id"],
        "title": "Friends",
        "replies_policy": "list",
        "exclusive": False,
    }
    r = client.put(
        f"/api/v1/lists/{created['id']}",
        json={"title": "Close friends", "replies_policy": "followed", "exclusive": True},
        headers=bearer(token),
    )
    assert r.status_code == 200
    assert r.get_json() == {
        "id": created["id"],
        "title": "Close friends",
        "replies_policy": "followed",
        "exclusive": True,
    }
    # A PUT that leaves out fields keeps them.
    r = client.put(
        f"/api/v1/lists/{created['id']}/", data={"replies_policy": "none"}, headers=bearer(token)
    )
    assert r.get_json()["title"] == "Close friends" and r.get_json()["replies_policy"] == "none"
    assert client.get(f"/api/v1/lists/{created['id']}", headers=bearer(token)).json == r.json
    assert client.get("/api/v1/lists", headers=bearer(token)).json == [r.get_json()]
    r = client.delete(f"/api/v1/lists/{created['id']}", headers=bearer(token))
    assert r.status_code == 200 and r.get_json() == {}
    assert client.get(f"/api/v1/lists/{created['id']}", headers=bearer(token)).status_code == 404


def test_validation_errors(client, alice):
    token = token_for(alice, "write:lists")
    r = client.post("/api/v1/lists", data={"title": "  "}, headers=bearer(token))
    assert r.status_code == 422
    assert r.get_json() == {"error": "Validation failed: Title can't be blank"}
    r = client.post("/api/v1/lists", data={}, headers=bearer(token))
    assert r.status_code == 422
    r = client.post(
        "/api/v1/lists", data={"title": "x", "replies_policy": "some"}, headers=bearer(token)
    )
    assert r.status_code == 422
    assert r.get_json() == {"error": "'some' is not a valid replies_policy"}
    r = client.post("/api/v1/lists", data={"title": "x" * 256}, headers=bearer(token))
    assert r.status_code == 422
    listed = new_list(client, token)
    r = client.put(f"/api/v1/lists/{listed['id']}", data={"title": ""}, headers=bearer(token))
    assert r.status_code == 422


def test_someone_elses_list_is_not_found(client, alice, bob):
    listed = new_list(client, token_for(alice, "write:lists"))
    token = token_for(bob, "read write")
    for method, path in [
        ("get", f"/api/v1/lists/{listed['id']}"),
        ("put", f"/api/v1/lists/{listed['id']}"),
        ("delete", f"/api/v1/lists/{listed['id']}"),
        ("get", f"/api/v1/lists/{listed['id']}/accounts"),
        ("post", f"/api/v1/lists/{listed['id']}/accounts"),
        ("get", f"/api/v1/timelines/list/{listed['id']}"),
        ("get", "/api/v1/lists/not-a-number"),
        ("get", "/api/v1/lists/12345"),
    ]:
        r = getattr(client, method)(path, data={"title": "mine"}, headers=bearer(token))
        assert r.status_code == 404, (method, path)
        assert r.get_json() == {"error": "Record not found"}


def test_members_must_be_followed_and_are_paged(client, alice, bob, carol, remote_dave):
    follows.follow(account=alice, target=bob)
    follows.follow(account=alice, target=remote_dave)  # a pending request counts too
    token = token_for(alice, "read:lists write:lists")
    listed = new_list(client, token)
    path = f"/api/v1/lists/{listed['id']}/accounts"

    r = client.post(path, data={"account_ids[]": [str(carol.id)]}, headers=bearer(token))
    assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}
    r = client.post(path, data={"account_ids[]": ["999"]}, headers=bearer(token))
    assert r.status_code == 404
    r = client.post(
        path, json={"account_ids": [str(bob.id), str(remote_dave.id)]}, headers=bearer(token)
    )
    assert r.status_code == 200 and r.get_json() == {}
    r = client.post(path, data={"account_ids[]": [str(bob.id)]}, headers=bearer(token))
    assert r.status_code == 422
    assert r.get_json() == {"error": "Validation failed: Account has already been taken"}

    r = client.get(f"{path}?limit=1", headers=bearer(token))
    assert [a["id"] for a in r.get_json()] == [str(max(bob.id, remote_dave.id))]
    assert 'rel="next"' in r.headers["Link"]
    everyone = client.get(f"{path}?limit=0", headers=bearer(token))
    assert {a["username"] for a in everyone.get_json()} == {"bob", "dave"}
    assert "Link" not in everyone.headers

    r = client.get(f"/api/v1/accounts/{bob.id}/lists", headers=bearer(token))
    assert r.status_code == 200 and [x["id"] for x in r.get_json()] == [listed["id"]]
    assert client.get(f"/api/v1/accounts/{carol.id}/lists", headers=bearer(token)).json == []
    assert client.get("/api/v1/accounts/1/lists", headers=bearer(token)).status_code == 404

    r = client.delete(path, data={"account_ids[]": [str(bob.id), "junk"]}, headers=bearer(token))
    assert r.status_code == 200
    assert [a["username"] for a in client.get(path, headers=bearer(token)).json] == ["dave"]


def test_list_timeline_shows_members_with_home_rules(client, alice, bob, carol):
    dan = make_local("dan")
    for target in (bob, carol, dan):
        follows.follow(account=alice, target=target)
    token = token_for(alice, "read write")
    list_id = new_list(client, token)["id"]
    add_members(client, token, list_id, bob, carol)
    by_bob = statuses.post_status(account=bob, text="bob's post")
    private = statuses.post_status(account=bob, text="followers only", visibility_="private")
    to_dan = statuses.post_status(account=bob, text="@dan hi")
    by_dan = statuses.post_status(account=dan, text="not in the list")
    reply_to_dan = statuses.post_status(account=bob, text="re", in_reply_to=by_dan)
    by_carol = statuses.post_status(account=carol, text="c")
    reply_to_carol = statuses.post_status(account=bob, text="re", in_reply_to=by_carol)
    boost = interactions.reblog(status=by_dan, by=carol)

    ids = timeline_ids(client, token, list_id)
    assert {str(s.id) for s in (by_bob, private, to_dan, boost, by_carol)} <= set(ids)
    assert str(by_dan.id) not in ids
    # replies_policy "list": replies to members show, replies to other followed accounts don't.
    assert str(reply_to_carol.id) in ids and str(reply_to_dan.id) not in ids
    set_policy(client, token, list_id, "followed")
    assert str(reply_to_dan.id) in timeline_ids(client, token, list_id)
    set_policy(client, token, list_id, "none")
    ids = timeline_ids(client, token, list_id)
    assert str(reply_to_dan.id) not in ids and str(reply_to_carol.id) not in ids


def test_muted_and_unfollowed_members_leave_the_list_timeline(client, alice, bob, carol):
    for target in (bob, carol):
        follows.follow(account=alice, target=target)
    token = token_for(alice, "read write")
    list_id = new_list(client, token)["id"]
    add_members(client, token, list_id, bob, carol)
    by_bob = statuses.post_status(account=bob, text="bob's post")
    boost = interactions.reblog(status=by_bob, by=carol)
    assert timeline_ids(client, token, list_id) == [str(boost.id), str(by_bob.id)]
    blocks.mute(account=alice, target=carol)
    assert timeline_ids(client, token, list_id) == [str(by_bob.id)]
    follows.unfollow(account=alice, target=bob)
    assert timeline_ids(client, token, list_id) == []


def test_list_timeline_pages_and_needs_read_lists(client, alice, bob):
    follows.follow(account=alice, target=bob)
    token = token_for(alice, "read:lists write:lists")
    listed = new_list(client, token)
    add_members(client, token, listed["id"], bob)
    posted = [statuses.post_status(account=bob, text=f"post {i}").id for i in range(5)]
    path = f"/api/v1/timelines/list/{listed['id']}"
    assert client.get(path, headers=bearer(token_for(alice, "read:statuses"))).status_code == 403
    r = client.get(f"{path}?limit=2", headers=bearer(token))
    assert [s["id"] for s in r.get_json()] == [str(posted[4]), str(posted[3])]
    assert f'max_id={posted[3]}>; rel="next"' in r.headers["Link"]
    r = client.get(f"{path}?min_id={posted[1]}&limit=2", headers=bearer(token))
    assert [s["id"] for s in r.get_json()] == [str(posted[3]), str(posted[2])]


def test_list_timeline_query_count_does_not_grow(client, alice):
    authors = [make_local(f"user{i}") for i in range(4)]
    remote = make_remote("eve")
    token = token_for(alice, "read write")
    listed = new_list(client, token)
    for author in authors:
        follows.follow(account=alice, target=author)
    add_members(client, token, listed["id"], *authors)
    path = f"/api/v1/timelines/list/{listed['id']}"
    client.get(path, headers=bearer(token))  # the token's first use

    def queries(n):
        for i in range(n):
            statuses.post_status(account=authors[i % 4], text=f"#tag {i} @eve@remote.example")
        TTLCache.clear_all()  # count the token's query whatever is cached (as the timelines do)
        with count_queries() as seen:
            assert len(client.get(f"{path}?limit=40", headers=bearer(token)).json) >= n
        return len(seen)

    assert remote is not None
    small = queries(2)
    assert queries(20) == small


def test_exclusive_list_members_leave_the_home_feed(client, alice, bob, carol):
    follows.follow(account=alice, target=bob)
    follows.follow(account=alice, target=carol)
    token = token_for(alice, "read write")
    listed = new_list(client, token, exclusive="true")
    add_members(client, token, listed["id"], bob)
    by_bob = statuses.post_status(account=bob, text="only in the list")
    by_carol = statuses.post_status(account=carol, text="in home")
    home = [s["id"] for s in client.get("/api/v1/timelines/home", headers=bearer(token)).json]
    assert str(by_carol.id) in home and str(by_bob.id) not in home
    assert timeline_ids(client, token, listed["id"]) == [str(by_bob.id)]


def test_list_ids_for_status_names_the_lists_showing_it(client, alice, bob):
    from fedi.services import lists

    follows.follow(account=alice, target=bob)
    token = token_for(alice, "read write")
    first, second = (
        new_list(client, token, "a"),
        new_list(client, token, "b", replies_policy="none"),
    )
    for listed in (first, second):
        add_members(client, token, listed["id"], bob)
    post = statuses.post_status(account=bob, text="hello")
    reply = statuses.post_status(
        account=bob,
        text="re",
        in_reply_to=statuses.post_status(account=make_local("zed"), text="z"),
    )
    assert sorted(lists.list_ids_for_status(post)) == sorted([int(first["id"]), int(second["id"])])
    assert lists.list_ids_for_status(reply) == []
