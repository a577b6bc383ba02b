"""GET /api/v2/search: accounts, hashtags and statuses from the local database."""

from __future__ import annotations

from fedi.extensions import db
from fedi.services import blocks, follows, statuses, tags
from fedi.ttl_cache import TTLCache
from tests.helpers import bearer, count_queries, make_local, make_remote, token_for


def search(client, token=None, **params):
    headers = bearer(token) if token else {}
    return client.get("/api/v2/search", query_string=params, headers=headers)


def test_parameters_and_authentication(client, alice):
    r = search(client)
    assert r.status_code == 400
    assert r.get_json() == {"error": "param is missing or the value is empty: q"}
    r = search(client, q="x", type="accounts", offset=5)
    assert r.status_code == 401
    assert r.get_json() == {
        "error": "Search queries pagination is not supported without authentication"
    }
    r = search(client, q="https://wren.test/@alice", resolve="true")
    assert r.status_code == 401
    r = search(client, token_for(alice, "read:statuses"), q="x")
    assert r.status_code == 403
    r = search(client, token_for(alice, "read:search"), q="x", limit=-1)
    assert r.status_code == 400
    r = search(client, q="nothing")
    assert r.status_code == 200
    assert r.get_json() == {"accounts": [], "statuses": [], "hashtags": []}


def test_accounts_by_username_and_display_name(client, alice, bob, carol):
    make_local("alicia", display_name="Someone Else")
    make_local("zed", display_name="The Alice Fan")
    remote = make_remote("alice", domain="remote.example")
    token = token_for(bob, "read")

    body = search(client, token, q="alice", type="accounts").get_json()
    accts = [a["acct"] for a in body["accounts"]]
    assert accts[0] == "alice"  # the exact match first
    assert set(accts) == {"alice", "alice@remote.example", "zed"}
    assert body["statuses"] == [] and body["hashtags"] == []
    body = search(client, token, q="@alice@remote.example", type="accounts").get_json()
    assert [a["id"] for a in body["accounts"]] == [str(remote.id)]
    body = search(client, token, q="ali", type="accounts", limit=1, offset=1).get_json()
    assert len(body["accounts"]) == 1
    assert search(client, token, q="ali%", type="accounts").get_json()["accounts"] == []

    follows.follow(account=bob, target=alice)
    body = search(client, token, q="ali", type="accounts", following="true").get_json()
    assert [a["acct"] for a in body["accounts"]] == ["alice"]
    blocks.block(account=alice, target=bob)
    body = search(client, token, q="alice", type="accounts").get_json()
    assert "alice" not in [a["acct"] for a in body["accounts"]]


def test_hashtags_by_prefix_shortest_first(client, alice):
    tags.find_or_create(["Cats", "catsofwren", "cat", "dogs"])
    db.session.commit()
    body = search(client, q="#cat", type="hashtags").get_json()
    assert [t["name"] for t in body["hashtags"]] == ["cat", "Cats", "catsofwren"]
    assert body["hashtags"][0]["url"] == "https://wren.test/tags/cat"
    assert len(body["hashtags"][0]["history"]) == 7 and "following" not in body["hashtags"][0]
    with_token = search(client, token_for(alice, "read"), q="cats", type="hashtags").get_json()
    assert with_token["hashtags"][0]["following"] is False
    assert search(client, q="cat@x").get_json()["hashtags"] == []


def test_statuses_by_text_among_what_the_viewer_may_find(client, alice, bob, carol):
    public = statuses.post_status(account=bob, text="Unicorns are real")
    private = statuses.post_status(account=bob, text="unicorns, secretly", visibility_="private")
    mentioned = statuses.post_status(
        account=bob, text="@alice unicorns for you", visibility_="direct"
    )
    own = statuses.post_status(account=alice, text="my unicorns", visibility_="unlisted")
    statuses.post_status(account=carol, text="horses only")
    token = token_for(alice, "read:search")

    body = search(client, token, q="unicorns").get_json()
    ids = [s["id"] for s in body["statuses"]]
    assert ids == [str(own.id), str(mentioned.id), str(public.id)]
    assert str(private.id) not in ids
    assert body["statuses"][0]["account"]["acct"] == "alice"
    # Anonymous callers get no full-text status results (as Mastodon).
    assert search(client, q="unicorns").get_json()["statuses"] == []
    # Every word must match; `account_id` narrows to one author.
    body = search(client, token, q="unicorns real", type="statuses").get_json()
    assert [s["id"] for s in body["statuses"]] == [str(public.id)]
    body = search(client, token, q="unicorns", type="statuses", account_id=str(alice.id)).json
    assert [s["id"] for s in body["statuses"]] == [str(own.id)]
    body = search(client, token, q="unicorns", type="statuses", limit=1, offset=1).json
    assert [s["id"] for s in body["statuses"]] == [str(mentioned.id)]
    body = search(client, token, q="unicorns", type="statuses", max_id=str(mentioned.id)).json
    assert [s["id"] for s in body["statuses"]] == [str(public.id)]
    blocks.mute(account=alice, target=bob)
    body = search(client, token, q="unicorns", type="statuses").get_json()
    assert [s["id"] for s in body["statuses"]] == [str(own.id)]


def test_resolving_local_urls(client, alice, bob):
    post = statuses.post_status(account=bob, text="find me")
    hidden = statuses.post_status(account=bob, text="followers", visibility_="private")
    token = token_for(alice, "read")

    body = search(client, token, q=post.url, resolve="true").get_json()
    assert [s["id"] for s in body["statuses"]] == [str(post.id)] and body["accounts"] == []
    body = search(client, token, q=post.uri, resolve="1", type="statuses").get_json()
    assert [s["id"] for s in body["statuses"]] == [str(post.id)]
    assert search(client, token, q=hidden.url, resolve="true").get_json()["statuses"] == []
    body = search(client, token, q="https://wren.test/@bob", resolve="true").get_json()
    assert [a["acct"] for a in body["accounts"]] == ["bob"]
    body = search(
        client, token, q="https://wren.test/users/bob", resolve="true", type="hashtags"
    ).get_json()
    assert body == {"accounts": [], "statuses": [], "hashtags": []}
    remote = make_remote("dave")
    body = search(client, token, q=remote.uri, resolve="true").get_json()
    assert [a["id"] for a in body["accounts"]] == [str(remote.id)]


def test_status_results_query_count_does_not_grow(client, alice):
    token = token_for(alice, "read")
    search(client, token, q="warmup")

    def queries(n):
        for i in range(n):
            statuses.post_status(account=make_local(f"poster{n}x{i}"), text=f"needle{n} #tag")
        TTLCache.clear_all()  # each count from cold caches (the viewer's filters too)
        with count_queries() as seen:
            body = search(client, token, q=f"needle{n}", type="statuses", limit=40).get_json()
        assert len(body["statuses"]) == n
        return len(seen)

    assert queries(2) == queries(12)


def test_resolving_a_handle_on_an_octal_address_finds_nothing(client, alice, app):
    """`@x@0177.0.0.1:PORT` (127.0.0.1 written in octal) is refused before any request: an
    empty result, not an error, even where loopback addresses are allowed."""
    settings = app.config["FEDI"]
    saved = list(settings.ALLOWED_PRIVATE_ADDRESSES)
    settings.ALLOWED_PRIVATE_ADDRESSES = ["127.0.0.0/8"]
    try:
        for q in ("@x@0177.0.0.1:8080", "https://0177.0.0.1:8080/users/x"):
            r = search(client, token_for(alice, "read"), q=q, resolve="true")
            assert r.status_code == 200, r.get_json()
            assert r.get_json()["accounts"] == [] and r.get_json()["statuses"] == []
    finally:
        settings.ALLOWED_PRIVATE_ADDRESSES = saved
