"""/api/v2/notifications: grouped notifications as Mastodon 4.3 answers them, and the v2 policy."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from fedi.extensions import db
from fedi.models import Marker, Notification, NotificationType, utcnow
from fedi.services import follows, interactions, notifications, statuses
from tests.helpers import bearer, count_queries, make_local, token_for

URL = "/api/v2/notifications"
GROUP_FIELDS = [
    "group_key",
    "notifications_count",
    "type",
    "most_recent_notification_id",
    "page_min_id",
    "page_max_id",
    "latest_page_notification_at",
    "sample_account_ids",
]


def rows_for(account):
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.account_id == account.id)
            .order_by(Notification.id.desc())
        )
    )


def scenario(alice, bob, carol):
    """Oldest to newest: favourites by bob, carol and erin; a boost by bob; follows by carol and
    erin; a mention by bob."""
    erin = make_local("erin")
    post = statuses.post_status(account=alice, text="a post")
    for fan in (bob, carol, erin):
        interactions.favourite(status=post, by=fan)
    interactions.reblog(status=post, by=bob)
    follows.follow(account=carol, target=alice)
    follows.follow(account=erin, target=alice)
    reply = statuses.post_status(account=bob, text="@alice hello")
    return post, reply, erin


def test_needs_a_user_token_with_the_notifications_scope(client, alice):
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers=bearer(token_for(alice, "write"))).status_code == 403
    assert client.get(URL, headers=bearer(token_for(None, "read"))).status_code == 422
    read_only = bearer(token_for(alice, "read:notifications"))
    assert client.get(URL, headers=read_only).status_code == 200
    assert client.post(f"{URL}/follow-1/dismiss", headers=read_only).status_code == 403
    assert client.get(f"{URL}/unread_count").status_code == 401


def test_groups_favourites_boosts_and_follows(client, alice, bob, carol):
    post, reply, erin = scenario(alice, bob, carol)
    rows = rows_for(alice)

    r = client.get(URL, headers=bearer(token_for(alice)))

    assert r.status_code == 200
    body = r.get_json()
    assert list(body) == ["accounts", "statuses", "notification_groups"]
    groups = body["notification_groups"]
    assert [g["type"] for g in groups] == ["mention", "follow", "reblog", "favourite"]
    mention, follow, reblog, favourite = groups
    assert list(mention) == [*GROUP_FIELDS, "status_id"]
    assert list(follow) == GROUP_FIELDS
    assert mention["group_key"] == f"ungrouped-{rows[0].id}"
    assert mention["status_id"] == str(reply.id) and mention["notifications_count"] == 1
    assert follow["group_key"].startswith("follow-") and follow["notifications_count"] == 2
    assert follow["sample_account_ids"] == [str(erin.id), str(carol.id)]
    assert follow["most_recent_notification_id"] == str(rows[1].id)
    assert follow["page_max_id"] == str(rows[1].id) and follow["page_min_id"] == str(rows[2].id)
    assert follow["latest_page_notification_at"].endswith("Z")
    assert reblog["group_key"].startswith(f"reblog-{post.id}-")
    assert favourite["group_key"].startswith(f"favourite-{post.id}-")
    assert favourite["notifications_count"] == 3 and favourite["status_id"] == str(post.id)
    assert favourite["sample_account_ids"] == [str(erin.id), str(carol.id), str(bob.id)]
    assert favourite["page_min_id"] == str(rows[-1].id)
    assert [a["acct"] for a in body["accounts"]] == ["bob", "erin", "carol"]
    assert [s["id"] for s in body["statuses"]] == [str(reply.id), str(post.id)]
    assert body["statuses"][1]["favourites_count"] == 3


def test_partial_avatars_and_bad_expand_accounts(client, alice, bob, carol):
    scenario(alice, bob, carol)
    headers = bearer(token_for(alice))

    body = client.get(f"{URL}?expand_accounts=partial_avatars", headers=headers).get_json()

    assert list(body) == ["accounts", "partial_accounts", "statuses", "notification_groups"]
    assert [a["acct"] for a in body["accounts"]] == ["bob", "erin"]
    assert [a["acct"] for a in body["partial_accounts"]] == ["carol"]
    assert list(body["partial_accounts"][0]) == [
        "id", "acct", "locked", "bot", "url", "avatar", "avatar_static",
    ]  # fmt: skip
    r = client.get(f"{URL}?expand_accounts=everything", headers=headers)
    assert r.status_code == 400
    assert r.get_json() == {
        "error": "Invalid value for 'expand_accounts': 'everything', "
        "allowed values are 'full' and 'partial_avatars'"
    }


def test_grouped_types_and_filters(client, alice, bob, carol):
    scenario(alice, bob, carol)
    headers = bearer(token_for(alice))

    def groups(query):
        body = client.get(f"{URL}?{query}", headers=headers).get_json()
        return [(g["type"], g["notifications_count"]) for g in body["notification_groups"]]

    assert groups("grouped_types[]=favourite") == [
        ("mention", 1), ("follow", 1), ("follow", 1), ("reblog", 1), ("favourite", 3),
    ]  # fmt: skip
    assert groups("types[]=favourite&types[]=follow") == [("follow", 2), ("favourite", 3)]
    assert groups("exclude_types[]=favourite") == [("mention", 1), ("follow", 2), ("reblog", 1)]
    assert groups(f"account_id={bob.id}") == [("mention", 1), ("reblog", 1), ("favourite", 3)]


def test_pages_by_groups_with_link_headers(client, alice, bob, carol):
    scenario(alice, bob, carol)
    rows = rows_for(alice)
    headers = bearer(token_for(alice))

    r = client.get(f"{URL}?limit=2", headers=headers)

    groups = r.get_json()["notification_groups"]
    assert [g["type"] for g in groups] == ["mention", "follow"]
    assert r.headers["Link"] == (
        f'<https://wren.test{URL}?limit=2&max_id={rows[1].id}>; rel="next", '
        f'<https://wren.test{URL}?limit=2&min_id={rows[0].id}>; rel="prev"'
    )
    older = client.get(f"{URL}?limit=2&max_id={rows[1].id}", headers=headers).get_json()
    kinds = [(g["type"], g["notifications_count"]) for g in older["notification_groups"]]
    assert kinds == [("follow", 1), ("reblog", 1)]
    assert older["notification_groups"][0]["page_max_id"] == str(rows[2].id)
    newer = client.get(f"{URL}?limit=2&min_id={rows[-1].id}", headers=headers).get_json()
    assert [g["type"] for g in newer["notification_groups"]] == ["reblog", "favourite"]
    # The favourite group counts what lies up to the page's newest id.
    assert newer["notification_groups"][1]["notifications_count"] == 3
    last = client.get(f"{URL}?max_id={rows[-1].id}", headers=headers)
    assert last.get_json()["notification_groups"] == [] and "Link" not in last.headers


def test_show_dismiss_and_accounts_of_a_group(client, alice, bob, carol):
    post, _, _ = scenario(alice, bob, carol)
    statuses.post_status(account=alice, text="@carol yours")
    headers = bearer(token_for(alice))
    body = client.get(URL, headers=headers).get_json()
    key = body["notification_groups"][-1]["group_key"]
    mention_key = body["notification_groups"][0]["group_key"]

    one = client.get(f"{URL}/{key}", headers=headers).get_json()
    group = one["notification_groups"][0]
    assert group["notifications_count"] == 3 and "page_min_id" not in group
    assert [s["id"] for s in one["statuses"]] == [str(post.id)]
    assert client.get(f"{URL}/{mention_key}", headers=headers).status_code == 200
    carol_key = f"ungrouped-{rows_for(carol)[0].id}"
    for missing in ("favourite-1-1", carol_key, "ungrouped-abc"):
        r = client.get(f"{URL}/{missing}", headers=headers)
        assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}

    accounts = client.get(f"{URL}/{key}/accounts", headers=headers)
    assert [a["acct"] for a in accounts.get_json()] == ["erin", "carol", "bob"]
    page = client.get(f"{URL}/{key}/accounts?limit=1", headers=headers)
    assert [a["acct"] for a in page.get_json()] == ["erin"] and 'rel="next"' in page.headers["Link"]

    r = client.post(f"{URL}/{key}/dismiss", headers=headers)
    assert r.status_code == 200 and r.get_json() == {}
    assert client.get(f"{URL}/{key}", headers=headers).status_code == 404
    assert client.post(f"{URL}/{carol_key}/dismiss", headers=headers).status_code == 200
    assert len(rows_for(carol)) == 1  # someone else's group is never touched
    assert client.post(f"{URL}/{mention_key}/dismiss", headers=headers).status_code == 200
    assert {n.type for n in rows_for(alice)} == {NotificationType.FOLLOW, NotificationType.REBLOG}


def test_unread_count_counts_groups_after_the_marker(client, alice, bob, carol):
    scenario(alice, bob, carol)
    headers = bearer(token_for(alice))
    assert client.get(f"{URL}/unread_count", headers=headers).get_json() == {"count": 4}
    r = client.get(f"{URL}/unread_count?grouped_types[]=reblog", headers=headers)
    assert r.get_json() == {"count": 7}
    third_oldest = rows_for(alice)[-3]
    db.session.add(
        Marker(account_id=alice.id, timeline="notifications", last_read_id=third_oldest.id)
    )
    db.session.commit()
    assert client.get(f"{URL}/unread_count", headers=headers).get_json() == {"count": 3}
    assert client.get(f"{URL}/unread_count?limit=2", headers=headers).get_json() == {"count": 2}


def test_group_keys_span_at_most_twelve_hours(alice, bob, carol):
    post = statuses.post_status(account=alice, text="slow burn")
    interactions.favourite(status=post, by=bob)
    first = rows_for(alice)[0]
    hour = int(utcnow().timestamp()) // 3600
    assert first.group_key == f"favourite-{post.id}-{hour}"

    first.group_key = f"favourite-{post.id}-{hour - 11}"
    db.session.commit()
    keys = notifications.group_keys([alice.id], type_=NotificationType.FAVOURITE, status_id=post.id)
    assert keys == {alice.id: f"favourite-{post.id}-{hour - 11}"}

    first.group_key = f"favourite-{post.id}-{hour - 12}"
    db.session.commit()
    keys = notifications.group_keys([alice.id], type_=NotificationType.FAVOURITE, status_id=post.id)
    assert keys == {alice.id: f"favourite-{post.id}-{hour}"}
    mention = notifications.group_keys([alice.id], type_=NotificationType.MENTION, status_id=1)
    assert mention == {}


def test_a_page_of_40_groups_renders_with_a_bounded_number_of_queries(client, alice):
    fans = [make_local(f"fan{i}") for i in range(4)]
    posts = [statuses.post_status(account=alice, text=f"post {i}") for i in range(45)]
    for i, post in enumerate(posts):
        for fan in fans[: 1 + i % 4]:
            notifications.notify_many(
                recipients=[alice.id], sender=fan, type_=NotificationType.FAVOURITE,
                status_id=post.id,
            )  # fmt: skip
    db.session.commit()
    headers = bearer(token_for(alice))
    client.get(f"{URL}?limit=1", headers=headers)  # the token's first use writes once

    def queries_for(limit):
        with count_queries() as seen:
            r = client.get(f"{URL}?limit={limit}", headers=headers)
        assert len(r.get_json()["notification_groups"]) == limit
        return len(seen)

    # Only the scan for groups may take another chunk (chunks double in size): ~110 rows here.
    small, large = queries_for(4), queries_for(40)
    assert small <= large <= small + 1 and large <= 20


def test_v2_policy_shape_and_validation(client, alice):
    headers = bearer(token_for(alice))
    r = client.get(f"{URL}/policy", headers=headers)
    assert r.status_code == 200
    assert r.get_json() == {
        "for_not_following": "accept",
        "for_not_followers": "accept",
        "for_new_accounts": "accept",
        "for_private_mentions": "filter",
        "for_limited_accounts": "filter",
        "summary": {"pending_requests_count": 0, "pending_notifications_count": 0},
    }
    r = client.patch(f"{URL}/policy", data={"for_new_accounts": "drop"}, headers=headers)
    assert r.status_code == 200 and r.get_json()["for_new_accounts"] == "drop"
    assert r.get_json()["for_not_following"] == "accept"
    r = client.patch(f"{URL}/policy", json={"for_not_following": "maybe"}, headers=headers)
    assert r.status_code == 422
    assert r.get_json() == {
        "error": "Validation failed: For not following is not included in the list"
    }
    assert client.get(f"{URL}/policy", headers=headers).get_json()["for_not_following"] == "accept"
    r = client.patch(f"{URL}/policy", json={}, headers=bearer(token_for(alice, "read")))
    assert r.status_code == 403


def test_new_accounts_policy_drops_young_senders(alice, bob):
    notifications.policy.update_policy(alice, {"for_new_accounts": "drop"})
    statuses.post_status(account=bob, text="@alice I am new here")
    assert rows_for(alice) == []
    bob.created_at = utcnow() - timedelta(days=31)
    db.session.commit()
    statuses.post_status(account=bob, text="@alice a month later")
    assert len(rows_for(alice)) == 1
