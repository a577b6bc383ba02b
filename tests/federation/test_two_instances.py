"""Protocol gaps, end to end between two real instances (`fedi serve` processes with their own
SQLite databases and in-process queues on 127.0.0.1, real signatures), driven through their
HTTP APIs: a mention of an account the author's server has never seen, removing a remote
follower, a report forwarded as a Flag, and a poll voted on from the other server. The tests
share the instances and run in order."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.federation.test_multi_instance import (
    Instance,
    eventually,
    follow,
    post,
    start,
)
from tests.processes import FEDI, free_port, run

pytestmark = [pytest.mark.slow, pytest.mark.embedded]


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> Iterator[tuple[Instance, Instance]]:
    root = tmp_path_factory.mktemp("federation_pair")
    with ExitStack() as stack:
        a = Instance("a", free_port(), root / "a" / "instance", root / "a" / "logs")
        b = Instance("b", free_port(), root / "b" / "instance", root / "b" / "logs")
        for inst, users in ((a, ("alice",)), (b, ("bob", "bmod"))):
            start(inst, stack)
            for user in users:
                inst.add_user(user)
        made = run([*FEDI, "set-role", "bmod", "moderator"], b.env())
        assert made.returncode == 0, made.stdout + made.stderr
        yield a, b


def test_mention_of_an_account_never_seen_reaches_it(pair):
    a, b = pair
    text = f"Hello @bob@{b.domain}, have we met?"

    sent = post(a, "alice", text)

    def mentioned() -> dict | None:
        found = [n for n in b.notifications("bob") if n["type"] == "mention"]
        return found[0] if found else None

    note = eventually("bob's mention notification on B", mentioned, b)
    assert note["status"]["uri"] == sent["uri"]
    assert note["account"]["acct"] == f"alice@{a.domain}"
    assert [m["acct"] for m in note["status"]["mentions"]] == ["bob"]
    on_a = a.ok("GET", "alice", f"/api/v1/statuses/{sent['id']}")  # rendered again on A
    assert [m["acct"] for m in on_a["mentions"]] == [f"bob@{b.domain}"]
    assert '<span class="h-card"' in on_a["content"]
    assert f'href="{on_a["mentions"][0]["url"]}" class="u-url mention"' in on_a["content"]


def test_removing_a_remote_follower_ends_the_follow_on_its_server(pair):
    a, b = pair
    alice_on_b = follow(b, a, "bob", "alice")
    eventually("bob following alice", lambda: b.relationship("bob", alice_on_b)["following"], b)
    bob_on_a = a.resolve("alice", f"bob@{b.domain}")["id"]
    eventually("bob as alice's follower on A",
               lambda: a.relationship("alice", bob_on_a)["followed_by"], a)  # fmt: skip

    a.ok("POST", "alice", f"/api/v1/accounts/{bob_on_a}/remove_from_followers")

    assert a.relationship("alice", bob_on_a)["followed_by"] is False
    eventually("B dropping bob's follow of alice",
               lambda: not b.relationship("bob", alice_on_b)["following"], b)  # fmt: skip
    assert b.relationship("bob", alice_on_b)["requested"] is False


def test_forwarded_report_reaches_the_moderators_of_the_reported_account(pair):
    a, b = pair
    spam = post(b, "bob", "Buy followers now!")
    spam_on_a = a.resolve_status("alice", spam["url"])
    bob_on_a = a.resolve("alice", f"bob@{b.domain}")["id"]

    report = a.ok("POST", "alice", "/api/v1/reports", json={
        "account_id": bob_on_a, "status_ids": [spam_on_a["id"]], "comment": "Spam, twice a day",
        "category": "spam", "forward": True,
    })  # fmt: skip
    assert report["forwarded"] is True and report["status_ids"] == [spam_on_a["id"]]

    def reported() -> dict | None:
        found = [n for n in b.notifications("bmod") if n["type"] == "admin.report"]
        return found[0] if found else None

    note = eventually("the admin.report notification on B", reported, b)
    assert note["report"]["target_account"]["acct"] == "bob"
    assert note["report"]["status_ids"] == [spam["id"]]
    assert note["report"]["comment"] == "Spam, twice a day"
    # The Flag came from A's instance actor: alice stays anonymous.
    assert note["account"]["username"] == a.domain
    assert all(n["type"] != "admin.report" for n in b.notifications("bob"))


def test_a_poll_and_its_votes_show_the_same_totals_on_both(pair):
    a, b = pair
    asked = post(a, "alice", "Tea or coffee?",
                 poll={"options": ["tea", "coffee"], "expires_in": 3600})  # fmt: skip
    on_b = b.resolve_status("bob", asked["url"])
    assert [o["title"] for o in on_b["poll"]["options"]] == ["tea", "coffee"]

    voted = b.ok("POST", "bob", f"/api/v1/polls/{on_b['poll']['id']}/votes",
                 json={"choices": [1]})  # fmt: skip
    assert [o["votes_count"] for o in voted["options"]] == [0, 1] and voted["own_votes"] == [1]

    def counted() -> dict | None:
        poll = a.ok("GET", "alice", f"/api/v1/polls/{asked['poll']['id']}")
        return poll if poll["votes_count"] == 1 else None

    on_a = eventually("bob's vote counted on A", counted, a)
    assert [o["votes_count"] for o in on_a["options"]] == [0, 1] and on_a["voters_count"] == 1
    again = b.ok("GET", "bob", f"/api/v1/polls/{on_b['poll']['id']}")
    assert [o["votes_count"] for o in again["options"]] == [0, 1]
    assert again["votes_count"] == on_a["votes_count"]
