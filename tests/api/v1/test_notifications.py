"""/api/v1/notifications: real tokens, notifications made by the real services, Mastodon's shapes,
paging, filters and errors; the notification policy and the (empty) request queue."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from fedi.extensions import db
from fedi.models import Marker, Notification, NotificationType
from fedi.services import blocks, follows, interactions, notifications, statuses
from tests.helpers import bearer, count_queries, make_local, make_remote, token_for

URL = "/api/v1/notifications"


def mention(sender, recipient, text="hi"):
    return statuses.post_status(account=sender, text=f"@{recipient.acct} {text}")


def rows_for(account):
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.account_id == account.id)
            .order_by(Notification.id.desc())
        )
    )


def test_needs_a_user_token_with_the_notifications_scope(client, alice):
    assert client.get(URL).status_code == 401
    r = client.get(URL, headers=bearer(token_for(alice, "write read:statuses")))
    assert r.status_code == 403
    assert r.get_json() == {"error": "This action is outside the authorized scopes"}
    read_notifications = bearer(token_for(alice, "read:notifications"))
    assert client.get(URL, headers=read_notifications).status_code == 200
    assert client.get(URL, headers=bearer(token_for(None, "read"))).status_code == 422
    read_only = bearer(token_for(alice, "read"))
    assert client.post(f"{URL}/clear", headers=read_only).status_code == 403
    assert client.post(f"{URL}/1/dismiss", headers=read_only).status_code == 403
    assert client.get(f"{URL}/unread_count").status_code == 401


def test_lists_notifications_with_embedded_statuses_and_mastodon_fields(client, alice, bob):
    post = statuses.post_status(account=alice, text="my post")
    interactions.favourite(status=post, by=bob)
    interactions.reblog(status=post, by=bob)
    follows.follow(account=bob, target=alice)
    reply = mention(bob, alice, "nice")

    r = client.get(URL, headers=bearer(token_for(alice)))

    assert r.status_code == 200
    body = r.get_json()
    assert [n["type"] for n in body] == ["mention", "follow", "reblog", "favourite"]
    hour = r"\d+"
    assert body[0]["group_key"] == f"ungrouped-{body[0]['id']}"
    assert re.fullmatch(f"follow-{hour}", body[1]["group_key"])
    assert re.fullmatch(f"reblog-{post.id}-{hour}", body[2]["group_key"])
    assert re.fullmatch(f"favourite-{post.id}-{hour}", body[3]["group_key"])
    first = body[0]
    assert list(first)[:5] == ["id", "type", "created_at", "group_key", "account"]
    assert isinstance(first["id"], str) and first["created_at"].endswith("Z")
    assert first["account"]["acct"] == "bob" and first["status"]["id"] == str(reply.id)
    assert first["status"]["mentions"][0]["acct"] == "alice"
    assert "status" not in body[1]
    fav = body[3]["status"]
    assert fav["id"] == str(post.id) and fav["favourited"] is False and fav["pinned"] is False
    assert fav["favourites_count"] == 1 and fav["reblogs_count"] == 1


def test_pages_with_link_headers_and_limits(client, alice, bob):
    ids = [str(mention(bob, alice, f"n{i}").id) for i in range(5)]
    headers = bearer(token_for(alice))
    notes = [str(n.id) for n in rows_for(alice)]
    assert len(notes) == len(ids)

    r = client.get(f"{URL}?limit=2", headers=headers)

    assert [n["id"] for n in r.get_json()] == notes[:2]
    assert r.headers["Link"] == (
        f'<https://wren.test{URL}?limit=2&max_id={notes[1]}>; rel="next", '
        f'<https://wren.test{URL}?limit=2&min_id={notes[0]}>; rel="prev"'
    )
    older = client.get(f"{URL}?limit=2&max_id={notes[1]}", headers=headers).get_json()
    assert [n["id"] for n in older] == notes[2:4]
    newer = client.get(f"{URL}?limit=2&min_id={notes[4]}", headers=headers).get_json()
    assert [n["id"] for n in newer] == notes[2:4]
    since = client.get(f"{URL}?since_id={notes[2]}", headers=headers).get_json()
    assert [n["id"] for n in since] == notes[:2]
    assert len(client.get(f"{URL}?limit=500", headers=headers).get_json()) == 5
    assert "Link" not in client.get(f"{URL}?max_id={notes[4]}", headers=headers).headers


def test_default_limit_is_40_and_maximum_80(client, alice, bob):
    post = statuses.post_status(account=alice, text="popular")
    for _ in range(85):
        notifications.notify_many(
            recipients=[alice.id], sender=bob, type_=NotificationType.MENTION, status_id=post.id
        )
    db.session.commit()
    headers = bearer(token_for(alice))
    assert len(client.get(URL, headers=headers).get_json()) == 40
    assert len(client.get(f"{URL}?limit=100", headers=headers).get_json()) == 80


def test_types_exclude_types_and_account_id(client, alice, bob, carol):
    post = statuses.post_status(account=alice, text="post")
    interactions.favourite(status=post, by=bob)
    interactions.favourite(status=post, by=carol)
    follows.follow(account=carol, target=alice)
    mention(bob, alice)
    headers = bearer(token_for(alice))

    def types(query):
        return [n["type"] for n in client.get(f"{URL}?{query}", headers=headers).get_json()]

    assert types("types[]=favourite") == ["favourite", "favourite"]
    assert types("types[]=follow&types[]=mention") == ["mention", "follow"]
    assert types("exclude_types[]=favourite&exclude_types[]=follow") == ["mention"]
    assert types("types[]=nonsense") == []
    assert types(f"account_id={carol.id}") == ["follow", "favourite"]
    assert types(f"account_id={carol.id}&types[]=follow") == ["follow"]
    assert types("account_id=not-a-number") == []


def test_hides_blocked_muted_and_domain_blocked_senders(client, alice, bob, carol):
    dave = make_remote("dave", domain="elsewhere.example")
    erin = make_local("erin")
    for sender in (bob, carol, dave, erin):
        notifications.notify_many(
            recipients=[alice.id], sender=sender, type_=NotificationType.FOLLOW
        )
    db.session.commit()
    headers = bearer(token_for(alice))
    blocks.block(account=alice, target=bob)
    blocks.mute(account=alice, target=carol)  # notifications hidden by default
    blocks.block_domain(account=alice, domain="elsewhere.example")
    blocks.mute(account=alice, target=erin, notifications=False)

    body = client.get(URL, headers=headers).get_json()
    assert [n["account"]["acct"] for n in body] == ["erin"]

    blocks.unblock(account=alice, target=bob)
    mute = blocks.mute(account=alice, target=carol)
    mute.expires_at = mute.created_at - timedelta(seconds=1)
    db.session.commit()
    body = client.get(URL, headers=headers).get_json()
    assert sorted(n["account"]["acct"] for n in body) == ["bob", "carol", "erin"]


def test_notifications_about_deleted_statuses_disappear(client, alice, bob):
    post = statuses.post_status(account=alice, text="soon gone")
    interactions.favourite(status=post, by=bob)
    headers = bearer(token_for(alice))
    assert len(client.get(URL, headers=headers).get_json()) == 1
    statuses.delete_status(status=post, by=alice)
    assert client.get(URL, headers=headers).get_json() == []


def test_get_one_and_never_someone_elses(client, alice, bob, carol):
    mention(bob, alice)
    mention(alice, carol)
    mine, theirs = rows_for(alice)[0], rows_for(carol)[0]
    headers = bearer(token_for(alice))

    r = client.get(f"{URL}/{mine.id}", headers=headers)
    assert r.status_code == 200 and r.get_json()["id"] == str(mine.id)
    assert r.get_json()["status"]["account"]["acct"] == "bob"
    for bad in (theirs.id, "abc", "99999999999999999999999", 0):
        r = client.get(f"{URL}/{bad}", headers=headers)
        assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}


def test_dismiss_and_clear(client, alice, bob, carol):
    mention(bob, alice, "one")
    mention(bob, alice, "two")
    mention(alice, carol)
    first, second = rows_for(alice)
    theirs = rows_for(carol)[0]
    headers = bearer(token_for(alice))

    assert client.post(f"{URL}/{theirs.id}/dismiss", headers=headers).status_code == 404
    assert client.post(f"{URL}/nope/dismiss", headers=headers).status_code == 404
    r = client.post(f"{URL}/{first.id}/dismiss", headers=headers)
    assert r.status_code == 200 and r.get_json() == {}
    assert [n.id for n in rows_for(alice)] == [second.id]
    assert client.post(f"{URL}/{first.id}/dismiss", headers=headers).status_code == 404

    r = client.post(f"{URL}/clear", headers=headers)
    assert r.status_code == 200 and r.get_json() == {}
    assert rows_for(alice) == [] and [n.id for n in rows_for(carol)] == [theirs.id]


def test_unread_count_follows_the_notifications_marker(client, alice, bob, carol):
    for i in range(3):
        mention(bob, alice, f"m{i}")
    follows.follow(account=carol, target=alice)
    headers = bearer(token_for(alice))
    assert client.get(f"{URL}/unread_count", headers=headers).get_json() == {"count": 4}

    oldest = rows_for(alice)[-1]
    db.session.add(Marker(account_id=alice.id, timeline="notifications", last_read_id=oldest.id))
    db.session.commit()
    assert client.get(f"{URL}/unread_count", headers=headers).get_json() == {"count": 3}
    r = client.get(f"{URL}/unread_count?types[]=follow", headers=headers)
    assert r.get_json() == {"count": 1}
    r = client.get(f"{URL}/unread_count?account_id={bob.id}", headers=headers)
    assert r.get_json() == {"count": 2}
    assert client.get(f"{URL}/unread_count?limit=1", headers=headers).get_json() == {"count": 1}


def test_a_page_of_40_renders_with_a_bounded_number_of_queries(client, alice):
    senders = [make_local(f"fan{i}") for i in range(4)]
    posts = [statuses.post_status(account=alice, text=f"post {i}") for i in range(10)]
    headers = bearer(token_for(alice))

    def add(count):
        for i in range(count):
            sender, post = senders[i % 4], posts[i % 10]
            kind = NotificationType.MENTION if i % 3 else NotificationType.FAVOURITE
            notifications.notify_many(
                recipients=[alice.id], sender=sender, type_=kind, status_id=post.id
            )
        db.session.commit()

    def queries_for(limit):
        with count_queries() as seen:
            r = client.get(f"{URL}?limit={limit}", headers=headers)
        assert len(r.get_json()) == limit
        return len(seen)

    add(40)
    queries_for(1)  # the first use of a token records it (one write), not part of the page
    small = queries_for(4)
    large = queries_for(40)
    assert large == small
    assert large <= 16


def test_v1_policy_answers_the_default_and_updates(client, alice):
    r = client.get(f"{URL}/policy", headers=bearer(token_for(alice, "read:notifications")))
    assert r.status_code == 200
    assert r.get_json() == {
        "filter_not_following": False,
        "filter_not_followers": False,
        "filter_new_accounts": False,
        "filter_private_mentions": True,
        "summary": {"pending_requests_count": 0, "pending_notifications_count": 0},
    }
    read_only = bearer(token_for(alice, "read"))
    assert client.patch(f"{URL}/policy", headers=read_only).status_code == 403
    r = client.patch(
        f"{URL}/policy",
        data={"filter_not_following": "true", "filter_private_mentions": "false"},
        headers=bearer(token_for(alice, "write:notifications")),
    )
    assert r.status_code == 200
    assert r.get_json()["filter_not_following"] is True
    assert r.get_json()["filter_private_mentions"] is False
    v2 = client.get("/api/v2/notifications/policy", headers=bearer(token_for(alice))).get_json()
    assert v2["for_not_following"] == "filter" and v2["for_private_mentions"] == "accept"


def test_notification_requests_are_an_empty_queue(client, alice):
    headers = bearer(token_for(alice))
    r = client.get(f"{URL}/requests", headers=headers)
    assert r.status_code == 200 and r.get_json() == []
    assert client.get(f"{URL}/requests/merged", headers=headers).get_json() == {"merged": True}
    for path in ("requests/123", "requests/abc"):
        r = client.get(f"{URL}/{path}", headers=headers)
        assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}
    for action in ("accept", "dismiss"):
        assert client.post(f"{URL}/requests/123/{action}", headers=headers).status_code == 404
        r = client.post(f"{URL}/requests/{action}", data={"id[]": ["1", "2"]}, headers=headers)
        assert r.status_code == 200 and r.get_json() == {}
    assert client.get(f"{URL}/requests").status_code == 401
    r = client.post(f"{URL}/requests/1/accept", headers=bearer(token_for(alice, "read")))
    assert r.status_code == 403


@pytest.mark.parametrize("policy_key", ["for_not_following", "for_not_followers"])
def test_drop_policy_stops_notifications_from_strangers(client, alice, bob, carol, policy_key):
    r = client.patch(
        "/api/v2/notifications/policy", json={policy_key: "drop"}, headers=bearer(token_for(alice))
    )
    assert r.status_code == 200 and r.get_json()[policy_key] == "drop"
    mention(bob, alice, "from a stranger")
    assert rows_for(alice) == []
    # Someone alice follows (for_not_following) or who follows alice (for_not_followers) gets
    # through; for followers only once the follow is three days old, as on Mastodon.
    if policy_key == "for_not_following":
        follows.follow(account=alice, target=carol)
    else:
        follow = follows.follow(account=carol, target=alice)
        follow.created_at = follow.created_at - timedelta(days=4)
        db.session.commit()
        db.session.query(Notification).delete()
        db.session.commit()
    mention(carol, alice, "from a friend")
    assert [n.type for n in rows_for(alice)] == [NotificationType.MENTION]


def test_drop_private_mentions_but_not_replies_to_own_private_mentions(client, alice, bob):
    notifications.policy.update_policy(alice, {"for_private_mentions": "drop"})
    statuses.post_status(account=bob, text="@alice psst", visibility_="direct")
    assert rows_for(alice) == []
    statuses.post_status(account=bob, text="@alice public hello")
    assert len(rows_for(alice)) == 1
    mine = statuses.post_status(account=alice, text="@bob secret", visibility_="direct")
    statuses.post_status(account=bob, text="@alice reply", visibility_="direct", in_reply_to=mine)
    assert len(rows_for(alice)) == 2


def test_filter_policy_acts_like_accept(client, alice, bob):
    notifications.policy.update_policy(alice, {"for_not_following": "filter"})
    mention(bob, alice)
    assert len(rows_for(alice)) == 1


def test_render_loads_what_bare_rows_lack(client, alice, bob):
    """What the streaming server does: render rows loaded without their relations."""
    from fedi.entities import notification as entity

    post = statuses.post_status(account=alice, text="stream me")
    interactions.favourite(status=post, by=bob)
    follows.follow(account=bob, target=alice)
    expected = client.get(URL, headers=bearer(token_for(alice))).get_json()
    ids = [n.id for n in rows_for(alice)]
    db.session.expunge_all()
    bare = [db.session.get(Notification, i) for i in ids]
    viewer = db.session.get(type(alice), alice.id)

    assert entity.render(bare, viewer) == expected
    assert entity.render([], viewer) == []
