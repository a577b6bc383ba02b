"""Direct-message conversations: rows kept up to date by fan-out, read, removed, streamed."""

from __future__ import annotations

from sqlalchemy import select

from fedi.events import bus, channels
from fedi.extensions import db
from fedi.models import AccountConversation
from fedi.services import blocks, statuses
from fedi.ttl_cache import TTLCache
from tests.helpers import bearer, count_queries, make_local, make_remote, token_for


def dm(author, text, **kwargs):
    return statuses.post_status(account=author, text=text, visibility_="direct", **kwargs)


def test_conversations_need_a_token_with_the_right_scopes(client, alice):
    assert client.get("/api/v1/conversations").status_code == 401
    r = client.get("/api/v1/conversations", headers=bearer(token_for(alice, "read:lists")))
    assert r.status_code == 403
    r = client.post("/api/v1/conversations/1/read", headers=bearer(token_for(alice, "read")))
    assert r.status_code == 403
    r = client.delete("/api/v1/conversations/1", headers=bearer(token_for(alice, "write:lists")))
    assert r.status_code == 403


def test_a_direct_message_makes_a_conversation_for_each_local_participant(client, alice, bob):
    remote = make_remote("dave")
    first = dm(alice, "@bob @dave@remote.example hello")
    reply = dm(bob, "@alice @dave@remote.example hi back", in_reply_to=first)

    r = client.get("/api/v1/conversations", headers=bearer(token_for(alice, "read:statuses")))
    assert r.status_code == 200
    [mine] = r.get_json()
    assert mine["unread"] is True  # bob's reply is unread for alice
    assert mine["last_status"]["id"] == str(reply.id)
    assert mine["last_status"]["visibility"] == "direct"
    assert sorted(a["acct"] for a in mine["accounts"]) == ["bob", "dave@remote.example"]
    assert "favourited" in mine["last_status"]

    [theirs] = client.get("/api/v1/conversations", headers=bearer(token_for(bob))).json
    assert theirs["unread"] is False  # bob wrote the last one
    assert sorted(a["acct"] for a in theirs["accounts"]) == ["alice", "dave@remote.example"]
    assert remote.id not in [r.account_id for r in db.session.scalars(select(AccountConversation))]


def test_read_and_delete_a_conversation(client, alice, bob, carol):
    dm(bob, "@alice secret")
    token = token_for(alice, "read:statuses write:conversations")
    [conv] = client.get("/api/v1/conversations", headers=bearer(token)).json
    r = client.post(f"/api/v1/conversations/{conv['id']}/read", headers=bearer(token))
    assert r.status_code == 200 and r.get_json()["unread"] is False
    assert r.get_json()["id"] == conv["id"]

    other = bearer(token_for(carol, "read write"))
    assert client.post(f"/api/v1/conversations/{conv['id']}/read", headers=other).status_code == 404
    assert client.delete(f"/api/v1/conversations/{conv['id']}", headers=other).status_code == 404
    assert client.delete("/api/v1/conversations/abc", headers=bearer(token)).status_code == 404

    r = client.delete(f"/api/v1/conversations/{conv['id']}", headers=bearer(token))
    assert r.status_code == 200 and r.get_json() == {}
    assert client.get("/api/v1/conversations", headers=bearer(token)).json == []
    # A new message in the thread brings it back, unread.
    dm(bob, "@alice again")
    [back] = client.get("/api/v1/conversations", headers=bearer(token)).json
    assert back["unread"] is True


def test_deleting_a_direct_status_updates_or_removes_conversations(client, alice, bob):
    first = dm(alice, "@bob one")
    second = dm(alice, "@bob two", in_reply_to=first)
    token = token_for(bob)
    statuses.delete_status(status=second, by=alice)
    [conv] = client.get("/api/v1/conversations", headers=bearer(token)).json
    assert conv["last_status"]["id"] == str(first.id)
    statuses.delete_status(status=first, by=alice)
    assert client.get("/api/v1/conversations", headers=bearer(token)).json == []


def test_public_posts_and_blocked_senders_make_no_conversation(client, alice, bob):
    statuses.post_status(account=bob, text="@alice public mention")
    blocks.block(account=alice, target=bob)
    dm(bob, "@alice you blocked me")
    assert client.get("/api/v1/conversations", headers=bearer(token_for(alice))).json == []


def test_a_conversation_with_oneself_lists_oneself(client, alice):
    dm(alice, "note to self")
    [conv] = client.get("/api/v1/conversations", headers=bearer(token_for(alice))).json
    assert [a["acct"] for a in conv["accounts"]] == ["alice"] and conv["unread"] is False


def test_pages_by_last_status_with_link_headers(client, alice, bob):
    people = [make_local(f"pal{i}") for i in range(3)]
    posted = [dm(p, f"@alice hello from {p.username}") for p in people]
    token = token_for(alice)
    r = client.get("/api/v1/conversations?limit=2", headers=bearer(token))
    body = r.get_json()
    assert [c["last_status"]["id"] for c in body] == [str(posted[2].id), str(posted[1].id)]
    assert f'max_id={posted[1].id}>; rel="next"' in r.headers["Link"]
    assert f'min_id={posted[2].id}>; rel="prev"' in r.headers["Link"]
    older = client.get(f"/api/v1/conversations?max_id={posted[1].id}", headers=bearer(token))
    assert [c["last_status"]["id"] for c in older.get_json()] == [str(posted[0].id)]


def test_listing_query_count_does_not_grow(client, alice):
    token = token_for(alice)
    client.get("/api/v1/conversations", headers=bearer(token))  # the token's first use

    def queries(n):
        for i in range(n):
            dm(make_local(f"writer{n}x{i}"), f"@alice message {i} #tag")
        TTLCache.clear_all()  # each count from cold caches (the viewer's filters too)
        with count_queries() as seen:
            r = client.get("/api/v1/conversations?limit=40", headers=bearer(token))
        assert len(r.get_json()) >= n
        return len(seen)

    assert queries(2) == queries(15)


def test_conversation_event_is_published_on_the_direct_stream(client, alice, bob):
    sub = bus.subscribe([channels.direct(alice.id), channels.direct(bob.id)])
    try:
        dm(bob, "@alice psst")
        events = list(iter(lambda: sub.get(timeout=1), None))
    finally:
        sub.close()
    conversation_events = [e for e in events if e[1].get("event") == "conversation"]
    assert {channel for channel, _ in conversation_events} == {
        channels.direct(alice.id),
        channels.direct(bob.id),
    }
    rows = {r.account_id: r.id for r in db.session.scalars(select(AccountConversation))}
    for channel, event_body in conversation_events:
        owner = alice.id if channel == channels.direct(alice.id) else bob.id
        assert event_body["conversation_id"] == str(rows[owner])
