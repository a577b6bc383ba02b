"""Reading accounts: get, statuses, followers/following, lookup, search, familiar followers,
featured tags and endorsements, through HTTP with real tokens."""

from __future__ import annotations

from fedi.extensions import db
from fedi.models import MediaAttachment, MediaType, ProcessingState, utcnow
from fedi.services import blocks, follows, interactions, statuses
from tests.helpers import bearer, count_queries, make_local, make_remote, token_for


def ids(response) -> list[str]:
    return [item["id"] for item in response.get_json()]


def test_get_an_account_anonymously_and_with_a_token(client, alice, bob):
    r = client.get(f"/api/v1/accounts/{alice.id}")
    assert r.status_code == 200
    body = r.get_json()
    assert body["id"] == str(alice.id) and body["acct"] == "alice"
    assert body["url"] == "https://wren.test/@alice" and "moved" not in body
    assert (
        client.get(f"/api/v1/accounts/{alice.id}/", headers=bearer(token_for(bob))).status_code
        == 200
    )


def test_unknown_or_bad_ids_are_not_found(client, alice):
    for path in ("/api/v1/accounts/1", "/api/v1/accounts/abc", f"/api/v1/accounts/{2**70}"):
        r = client.get(path, headers=bearer(token_for(alice)))
        assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}
    assert (
        client.post("/api/v1/accounts/1/follow", headers=bearer(token_for(alice))).status_code
        == 404
    )


def test_wrong_scope_is_forbidden(client, alice, bob):
    r = client.get(f"/api/v1/accounts/{bob.id}", headers=bearer(token_for(alice, "write")))
    assert r.status_code == 403
    r = client.get("/api/v1/accounts/verify_credentials", headers=bearer(token_for(alice, "write")))
    assert r.status_code == 403
    r = client.get(
        "/api/v1/accounts/verify_credentials", headers=bearer(token_for(alice, "profile"))
    )
    assert r.status_code == 200
    r = client.get(
        f"/api/v1/accounts/relationships?id={bob.id}",
        headers=bearer(token_for(alice, "read:statuses")),
    )
    assert r.status_code == 403
    assert client.get("/api/v1/accounts/search?q=bo").status_code == 401


def test_a_moved_account_names_where_it_went(client, alice, bob):
    alice.moved_to_account_id = bob.id
    db.session.commit()
    body = client.get(f"/api/v1/accounts/{alice.id}").get_json()
    assert body["moved"]["id"] == str(bob.id)


def test_account_statuses_with_filters(client, alice, bob):
    plain = statuses.post_status(account=alice, text="hello #birds")
    reply = statuses.post_status(
        account=alice, text="@bob hi", in_reply_to=statuses.post_status(account=bob, text="yo")
    )
    boost = interactions.reblog(status=statuses.post_status(account=bob, text="boost me"), by=alice)
    with_media = statuses.post_status(account=alice, text="a picture")
    db.session.add(
        MediaAttachment(
            account_id=alice.id, status_id=with_media.id, type=MediaType.IMAGE,
            file_path="x.png", processing=ProcessingState.DONE,
        )
    )  # fmt: skip
    db.session.commit()
    interactions.pin(status=plain, by=alice)
    base = f"/api/v1/accounts/{alice.id}/statuses"

    assert ids(client.get(base)) == [
        str(with_media.id),
        str(boost.id),
        str(reply.id),
        str(plain.id),
    ]
    assert ids(client.get(f"{base}?exclude_replies=true")) == [
        str(with_media.id), str(boost.id), str(plain.id)
    ]  # fmt: skip
    assert ids(client.get(f"{base}?exclude_reblogs=1")) == [
        str(with_media.id), str(reply.id), str(plain.id)
    ]  # fmt: skip
    assert ids(client.get(f"{base}?only_media=true")) == [str(with_media.id)]
    assert ids(client.get(f"{base}?pinned=true")) == [str(plain.id)]
    assert ids(client.get(f"{base}?tagged=BIRDS")) == [str(plain.id)]
    page = client.get(f"{base}?limit=2")
    assert len(page.get_json()) == 2 and 'rel="next"' in page.headers["Link"]


def test_account_statuses_hide_private_posts_and_blocked_viewers(client, alice, bob):
    public = statuses.post_status(account=alice, text="for all")
    private = statuses.post_status(account=alice, text="followers", visibility_="private")
    base = f"/api/v1/accounts/{alice.id}/statuses"
    headers = bearer(token_for(bob))

    assert ids(client.get(base, headers=headers)) == [str(public.id)]
    follows.follow(account=bob, target=alice)
    assert ids(client.get(base, headers=headers)) == [str(private.id), str(public.id)]
    blocks.block(account=alice, target=bob)
    assert client.get(base, headers=headers).get_json() == []


def test_followers_and_following_page_by_follow_id(client, alice):
    fans = [make_local(f"fan{i}") for i in range(5)]
    for fan in fans:
        follows.follow(account=fan, target=alice)

    r = client.get(f"/api/v1/accounts/{alice.id}/followers?limit=2")

    assert r.status_code == 200
    assert [a["acct"] for a in r.get_json()] == ["fan4", "fan3"]
    link = r.headers["Link"]
    assert f"/api/v1/accounts/{alice.id}/followers?limit=2&max_id=" in link
    next_url = link.split(">")[0].lstrip("<").replace("https://wren.test", "")
    assert [a["acct"] for a in client.get(next_url).get_json()] == ["fan2", "fan1"]
    following = client.get(f"/api/v1/accounts/{fans[0].id}/following").get_json()
    assert [a["acct"] for a in following] == ["alice"]


def test_hidden_collections_are_empty_for_others_but_not_the_owner(client, alice, bob, carol):
    follows.follow(account=bob, target=alice)
    alice.hide_collections = True
    db.session.commit()
    base = f"/api/v1/accounts/{alice.id}"

    assert client.get(f"{base}/followers").get_json() == []
    assert client.get(f"{base}/following", headers=bearer(token_for(carol))).get_json() == []
    mine = client.get(f"{base}/followers", headers=bearer(token_for(alice))).get_json()
    assert [a["acct"] for a in mine] == ["bob"]


def test_collections_hidden_from_a_blocked_viewer_and_blocked_followers_left_out(
    client, alice, bob, carol
):
    follows.follow(account=bob, target=alice)
    follows.follow(account=carol, target=alice)
    blocks.block(account=alice, target=carol)
    carol_view = client.get(
        f"/api/v1/accounts/{alice.id}/followers", headers=bearer(token_for(carol))
    )
    assert carol_view.get_json() == []
    blocks.block(account=carol, target=bob)
    follows.follow(account=carol, target=make_local("dora"))
    assert client.get(f"/api/v1/accounts/{alice.id}/followers").get_json()[0]["acct"] == "bob"


def test_followers_page_has_a_fixed_number_of_queries(client, alice):
    headers = bearer(token_for(alice))
    url = f"/api/v1/accounts/{alice.id}/followers"

    def followers() -> tuple[int, int]:
        with count_queries() as seen:
            body = client.get(url, headers=headers).get_json()
        return len(body), len(seen)

    follows.follow(account=make_local("first"), target=alice)
    followers()  # the token's first use is recorded once
    size, few = followers()
    for i in range(8):
        follows.follow(account=make_local(f"more{i}"), target=alice)
    assert followers() == (9, few) and size == 1


def test_lookup_by_acct(client, alice, remote_dave):
    assert client.get("/api/v1/accounts/lookup?acct=alice").get_json()["id"] == str(alice.id)
    assert client.get("/api/v1/accounts/lookup?acct=@alice@wren.test").get_json()["id"] == str(
        alice.id
    )
    r = client.get("/api/v1/accounts/lookup?acct=dave@remote.example")
    assert r.get_json()["acct"] == "dave@remote.example"
    r = client.get("/api/v1/accounts/lookup?acct=nobody")
    assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}
    assert client.get("/api/v1/accounts/lookup").status_code == 404


def test_search_by_prefix(client, alice, bob, remote_dave):
    make_local("alicia", display_name="Ali")
    make_remote("alice", "elsewhere.example")
    make_local("zed", display_name="Alice Zed")
    headers = bearer(token_for(bob))

    found = client.get("/api/v1/accounts/search?q=ALI", headers=headers).get_json()
    assert {a["acct"] for a in found} == {"alice", "alicia", "alice@elsewhere.example", "zed"}
    found = client.get("/api/v1/accounts/search?q=alice", headers=headers).get_json()
    # Exact username matches first, then display names.
    assert {a["acct"] for a in found[:2]} == {"alice", "alice@elsewhere.example"}
    assert [a["acct"] for a in found[2:]] == ["zed"]
    exact_remote = client.get("/api/v1/accounts/search?q=@alice@elsewhere.example", headers=headers)
    assert [a["acct"] for a in exact_remote.get_json()] == ["alice@elsewhere.example"]
    assert [
        a["acct"]
        for a in client.get("/api/v1/accounts/search?q=dave@remote", headers=headers).get_json()
    ] == ["dave@remote.example"]
    limited = client.get(
        "/api/v1/accounts/search?q=al&limit=1&offset=1", headers=headers
    ).get_json()
    assert len(limited) == 1
    assert client.get("/api/v1/accounts/search?q=", headers=headers).get_json() == []


def test_search_following_only_and_without_blocks(client, alice, bob):
    make_local("alicia")
    follows.follow(account=bob, target=alice)
    headers = bearer(token_for(bob))
    found = client.get("/api/v1/accounts/search?q=ali&following=true", headers=headers).get_json()
    assert [a["acct"] for a in found] == ["alice"]
    blocks.block(account=alice, target=bob)
    found = client.get("/api/v1/accounts/search?q=ali", headers=headers).get_json()
    assert [a["acct"] for a in found] == ["alicia"]


def test_familiar_followers(client, alice, bob, carol):
    dora = make_local("dora")
    follows.follow(account=alice, target=bob)
    follows.follow(account=alice, target=carol)
    follows.follow(account=bob, target=dora)
    follows.follow(account=carol, target=dora)
    headers = bearer(token_for(alice))

    r = client.get(
        f"/api/v1/accounts/familiar_followers?id[]={dora.id}&id[]={bob.id}&id[]=999",
        headers=headers,
    )

    body = r.get_json()
    assert [item["id"] for item in body] == [str(dora.id), str(bob.id)]
    assert {a["acct"] for a in body[0]["accounts"]} == {"bob", "carol"}
    assert body[1]["accounts"] == []


def test_identity_proofs_are_empty(client, alice):
    r = client.get(f"/api/v1/accounts/{alice.id}/identity_proofs", headers=bearer(token_for(alice)))
    assert r.status_code == 200 and r.get_json() == []


def test_endorsements(client, alice, bob):
    headers = bearer(token_for(alice))
    r = client.post(f"/api/v1/accounts/{bob.id}/pin", headers=headers)
    assert r.status_code == 422
    assert r.get_json()["error"] == (
        "Validation failed: You must be already following the person you want to endorse"
    )
    follows.follow(account=alice, target=bob)
    r = client.post(f"/api/v1/accounts/{bob.id}/pin", headers=headers)
    assert r.status_code == 200 and r.get_json()["endorsed"] is True
    assert [a["acct"] for a in client.get("/api/v1/endorsements", headers=headers).get_json()] == [
        "bob"
    ]
    assert (
        client.get("/api/v1/endorsements", headers=bearer(token_for(alice, "write"))).status_code
        == 403
    )
    r = client.post(f"/api/v1/accounts/{bob.id}/unpin", headers=headers)
    assert r.get_json()["endorsed"] is False
    client.post(f"/api/v1/accounts/{bob.id}/pin", headers=headers)
    client.post(f"/api/v1/accounts/{bob.id}/unfollow", headers=headers)  # ends the endorsement
    assert client.get("/api/v1/endorsements", headers=headers).get_json() == []


def test_featured_tags(client, alice):
    headers = bearer(token_for(alice))
    statuses.post_status(account=alice, text="#Birds are great")
    statuses.post_status(account=alice, text="more #birds and #cats")

    r = client.post("/api/v1/featured_tags", data={"name": "#Birds"}, headers=headers)

    assert r.status_code == 200
    tag = r.get_json()
    assert tag["name"] == "Birds" and tag["statuses_count"] == "2"
    assert tag["url"] == "https://wren.test/@alice/tagged/birds"
    assert tag["last_status_at"] == utcnow().date().isoformat()
    again = client.post("/api/v1/featured_tags", json={"name": "birds"}, headers=headers)
    assert (
        again.status_code == 422 and again.get_json()["details"]["name"][0]["error"] == "ERR_TAKEN"
    )
    bad = client.post("/api/v1/featured_tags", data={"name": "no spaces"}, headers=headers)
    assert bad.status_code == 422
    assert client.post("/api/v1/featured_tags", headers=headers).status_code == 422
    suggestions = client.get("/api/v1/featured_tags/suggestions", headers=headers).get_json()
    assert [s["name"] for s in suggestions] == ["cats"]
    assert len(suggestions[0]["history"]) == 7 and suggestions[0]["history"][0]["uses"] == "1"

    public = client.get(f"/api/v1/accounts/{alice.id}/featured_tags").get_json()
    assert [t["id"] for t in public] == [tag["id"]]
    assert client.get("/api/v1/featured_tags", headers=headers).get_json() == public
    assert (
        client.delete(
            f"/api/v1/featured_tags/{tag['id']}", headers=bearer(token_for(make_local("eve")))
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/featured_tags/{tag['id']}", headers=headers).get_json() == {}
    assert client.get("/api/v1/featured_tags", headers=headers).get_json() == []


def test_featured_tags_are_limited_to_ten(client, alice):
    headers = bearer(token_for(alice))
    for i in range(10):
        assert (
            client.post(
                "/api/v1/featured_tags", data={"name": f"tag{i}"}, headers=headers
            ).status_code
            == 200
        )
    r = client.post("/api/v1/featured_tags", data={"name": "onemore"}, headers=headers)
    assert r.status_code == 422
    assert r.get_json()["error"] == (
        "Validation failed: You have already featured the maximum number of hashtags"
    )


def test_statuses_of_hidden_accounts(client, alice, bob):
    """A sign-up still waiting for approval has no statuses to show (404, as for an unknown
    account); a suspended account answers an empty list."""
    statuses.post_status(account=bob, text="before the suspension")
    headers = bearer(token_for(alice))
    assert client.get(f"/api/v1/accounts/{bob.id}/statuses", headers=headers).get_json()
    pending = make_local("pending")
    pending.user.approved = False
    bob.suspended_at = utcnow()
    db.session.commit()
    r = client.get(f"/api/v1/accounts/{pending.id}/statuses", headers=headers)
    assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}
    assert client.get("/api/v1/accounts/12345/statuses", headers=headers).status_code == 404
    r = client.get(f"/api/v1/accounts/{bob.id}/statuses", headers=headers)
    assert r.status_code == 200 and r.get_json() == []
