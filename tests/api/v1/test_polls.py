"""Polls through the client API: posting one with a status (form and JSON), the Poll entity,
voting and its 422s, hidden totals, multiple choice, edits that reset the votes, visibility, the
page loader's constant queries, and the `poll` notifications when a poll ends (the periodic
task, never twice)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from fedi import queue
from fedi.extensions import db
from fedi.models import Notification, NotificationType, Poll, PollVote, utcnow
from fedi.services import follows, statuses
from fedi.tasks import polls as poll_tasks
from tests.api.v1.test_statuses import make_media
from tests.helpers import bearer, count_queries, make_local, token_for

POLL = {"options": ["tea", "coffee", "water"], "expires_in": 3600}


@pytest.fixture(autouse=True)
def _no_leftover_delayed_tasks():
    """Votes schedule the Question's Update; immediate mode keeps such tasks in memory."""
    queue.huey.read_schedule(datetime(9999, 1, 1))
    yield
    queue.huey.read_schedule(datetime(9999, 1, 1))


def post_poll(client, account, poll=None, **fields):
    body = {"status": "Which one?", "poll": poll or POLL, **fields}
    return client.post("/api/v1/statuses", headers=bearer(token_for(account)), json=body)


def vote(client, account, poll_id, choices):
    return client.post(
        f"/api/v1/polls/{poll_id}/votes", headers=bearer(token_for(account)),
        json={"choices": choices},
    )  # fmt: skip


def end(poll_id) -> None:
    db.session.execute(
        update(Poll).where(Poll.id == int(poll_id))
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )  # fmt: skip
    db.session.commit()


def test_a_status_with_a_poll_renders_mastodons_entity(client, alice, bob):
    r = post_poll(client, alice)
    assert r.status_code == 200, r.get_json()
    poll = r.get_json()["poll"]
    expires = datetime.fromisoformat(poll["expires_at"].replace("Z", "+00:00"))
    assert abs((expires - utcnow()).total_seconds() - 3600) < 60
    assert poll == {
        "id": poll["id"], "expires_at": poll["expires_at"], "expired": False, "multiple": False,
        "votes_count": 0, "voters_count": 0,
        "options": [{"title": t, "votes_count": 0} for t in POLL["options"]],
        "emojis": [], "voted": True, "own_votes": [],  # the author counts as having voted
    }  # fmt: skip
    shown = client.get(f"/api/v1/statuses/{r.get_json()['id']}").get_json()["poll"]
    assert "voted" not in shown and "own_votes" not in shown  # anonymous
    as_bob = client.get(f"/api/v1/polls/{poll['id']}", headers=bearer(token_for(bob)))
    assert as_bob.get_json()["voted"] is False and as_bob.get_json()["own_votes"] == []


def test_a_poll_posted_as_a_form_with_rails_brackets(client, alice):
    r = client.post(
        "/api/v1/statuses", headers=bearer(token_for(alice)),
        data={"status": "Form poll", "poll[options][]": ["a", "b", ""], "poll[expires_in]": "300",
              "poll[multiple]": "true", "poll[hide_totals]": "1"},
    )  # fmt: skip
    assert r.status_code == 200, r.get_json()
    poll = r.get_json()["poll"]
    assert [o["title"] for o in poll["options"]] == ["a", "b"]  # the blank one is dropped
    assert poll["multiple"] is True
    assert [o["votes_count"] for o in poll["options"]] == [None, None]  # hidden until the end


@pytest.mark.parametrize(
    ("poll", "message"),
    [
        ({"options": ["one"], "expires_in": 600}, "Poll options must have more than one item"),
        ({"options": [str(i) for i in range(20)], "expires_in": 600},
         "Poll options can't contain more than 4 items"),
        ({"options": ["a" * 51, "b"], "expires_in": 600},
         "Poll options cannot be longer than 50 characters each"),
        ({"options": ["a", "a"], "expires_in": 600}, "Poll options contain duplicate items"),
        ({"options": ["a", "b"], "expires_in": 60}, "Poll expires at is too soon"),
        ({"options": ["a", "b"], "expires_in": 2629747},
         "Poll expires at is too far into the future"),
        ({"options": ["a", "b"]}, "Poll expires at is too far into the future"),
    ],
)  # fmt: skip
def test_invalid_polls_are_refused_with_422(client, alice, poll, message):
    r = post_poll(client, alice, poll)
    assert r.status_code == 422
    assert r.get_json()["error"] == f"Validation failed: {message}"
    assert db.session.scalar(select(func.count()).select_from(Poll)) == 0


def test_limits_come_from_one_place(client):
    polls_ = client.get("/api/v2/instance").get_json()["configuration"]["polls"]
    assert polls_ == {"max_options": 4, "max_characters_per_option": 50,
                      "min_expiration": 300, "max_expiration": 2629746}  # fmt: skip


def test_a_poll_and_media_are_mutually_exclusive(client, alice):
    media = make_media(alice)
    r = post_poll(client, alice, media_ids=[str(media.id)])
    assert r.status_code == 422
    assert r.get_json()["error"] == "Cannot attach more than 4 files"


def test_voting_counts_once_and_answers_the_poll(client, alice, bob, carol):
    poll_id = post_poll(client, alice).get_json()["poll"]["id"]

    r = vote(client, bob, poll_id, ["1"])
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["voted"] is True and body["own_votes"] == [1]
    assert [o["votes_count"] for o in body["options"]] == [0, 1, 0]
    assert body["votes_count"] == 1 and body["voters_count"] == 1

    again = vote(client, bob, poll_id, [0])
    assert again.status_code == 422
    assert again.get_json()["error"] == "Validation failed: You have already voted on this poll"
    two = vote(client, carol, poll_id, [0, 2])
    assert two.status_code == 422  # a second choice on a single-choice poll
    bad = vote(client, carol, poll_id, [3])
    assert bad.status_code == 422
    assert bad.get_json()["error"] == "Validation failed: The chosen vote option does not exist"
    own = vote(client, alice, poll_id, [0])
    assert own.status_code == 422
    assert own.get_json()["error"] == "Validation failed: You cannot vote in your own polls"
    assert db.session.scalar(select(func.count()).select_from(PollVote)) == 1

    end(poll_id)
    late = vote(client, carol, poll_id, [0])
    assert late.status_code == 422
    assert late.get_json()["error"] == "Validation failed: The poll has already ended"


def test_multiple_choice_counts_each_option_and_each_voter_once(client, alice, bob, carol):
    poll_id = post_poll(client, alice, {**POLL, "multiple": True}).get_json()["poll"]["id"]
    assert vote(client, bob, poll_id, [0, 2]).status_code == 200
    r = vote(client, carol, poll_id, [2])
    body = r.get_json()
    assert [o["votes_count"] for o in body["options"]] == [1, 0, 2]
    assert body["votes_count"] == 3 and body["voters_count"] == 2
    assert vote(client, carol, poll_id, [2]).status_code == 422  # that option again


def test_hidden_totals_show_once_the_poll_ended(client, alice, bob):
    poll_id = post_poll(client, alice, {**POLL, "hide_totals": True}).get_json()["poll"]["id"]
    body = vote(client, bob, poll_id, [0]).get_json()
    assert [o["votes_count"] for o in body["options"]] == [None, None, None]
    assert body["votes_count"] == 1
    end(poll_id)
    body = client.get(f"/api/v1/polls/{poll_id}").get_json()
    assert body["expired"] is True
    assert [o["votes_count"] for o in body["options"]] == [1, 0, 0]


def test_a_poll_is_as_visible_as_its_status(client, alice, bob, carol):
    r = post_poll(client, alice, visibility="private")
    poll_id = r.get_json()["poll"]["id"]
    follows.follow(account=bob, target=alice)
    assert client.get(f"/api/v1/polls/{poll_id}").status_code == 404
    hidden = client.get(f"/api/v1/polls/{poll_id}", headers=bearer(token_for(carol)))
    assert hidden.status_code == 404
    assert vote(client, carol, poll_id, [0]).status_code == 404
    seen = client.get(f"/api/v1/polls/{poll_id}", headers=bearer(token_for(bob)))
    assert seen.status_code == 200
    assert client.get("/api/v1/polls/12345").status_code == 404


def test_scopes(client, alice, bob):
    poll_id = post_poll(client, alice).get_json()["poll"]["id"]
    read_only = bearer(token_for(bob, "read"))
    assert client.get(f"/api/v1/polls/{poll_id}", headers=read_only).status_code == 200
    r = client.post(f"/api/v1/polls/{poll_id}/votes", headers=read_only, json={"choices": [0]})
    assert r.status_code == 403
    assert client.post(f"/api/v1/polls/{poll_id}/votes", json={"choices": [0]}).status_code == 401


def test_an_edit_that_changes_the_options_resets_the_votes(client, alice, bob):
    created = post_poll(client, alice).get_json()
    status_id, poll_id = created["id"], created["poll"]["id"]
    vote(client, bob, poll_id, [0])
    headers = bearer(token_for(alice))

    same = client.put(f"/api/v1/statuses/{status_id}", headers=headers,
                      json={"status": "Which one, really?", "poll": POLL})  # fmt: skip
    assert same.status_code == 200, same.get_json()
    assert same.get_json()["poll"]["votes_count"] == 1  # same options: the votes stay

    changed = client.put(
        f"/api/v1/statuses/{status_id}", headers=headers,
        json={"status": "Which one, really?", "poll": {"options": ["tea", "milk"],
                                                       "expires_in": 600}},
    )  # fmt: skip
    poll = changed.get_json()["poll"]
    assert poll["id"] == poll_id and poll["votes_count"] == 0 and poll["voters_count"] == 0
    assert [o["votes_count"] for o in poll["options"]] == [0, 0]
    mine = client.get(f"/api/v1/polls/{poll_id}", headers=bearer(token_for(bob))).get_json()
    assert mine["voted"] is False  # bob may vote again

    history = client.get(f"/api/v1/statuses/{status_id}/history").get_json()
    assert [h.get("poll") for h in history] == [
        {"options": [{"title": t} for t in POLL["options"]]},
        {"options": [{"title": t} for t in POLL["options"]]},
        {"options": [{"title": "tea"}, {"title": "milk"}]},
    ]

    removed = client.put(f"/api/v1/statuses/{status_id}", headers=headers,
                         json={"status": "No poll now"})  # fmt: skip
    assert removed.get_json()["poll"] is None
    assert db.session.scalar(select(func.count()).select_from(Poll)) == 0


def test_a_page_of_polls_costs_the_same_queries_as_one(client, alice, bob):
    viewer = make_local("viewer")
    token = bearer(token_for(viewer))

    def timeline_queries() -> int:
        """The second of two requests in a row: per-process caches with a short life (the
        token's, a few seconds) are warm for it however slow the machine is."""
        for _ in range(2):
            with count_queries() as queries:
                r = client.get("/api/v1/timelines/public", headers=token)
            assert r.status_code == 200
        return len(queries)

    first = post_poll(client, alice).get_json()["poll"]["id"]
    vote(client, viewer, first, [0])
    one = timeline_queries()
    for n in range(5):
        poll_id = post_poll(client, bob, {"options": [f"x{n}", "y"], "expires_in": 600})
        vote(client, viewer, poll_id.get_json()["poll"]["id"], [1])
    statuses.post_status(account=alice, text="no poll here")
    # Five more polls and the viewer's votes on them add no query (what the other tests of the
    # same process left in per-process caches can make the first count the larger one).
    assert timeline_queries() <= one
    rendered = client.get("/api/v1/timelines/public", headers=token).get_json()
    assert all(s["poll"]["own_votes"] for s in rendered if s["poll"])


def test_the_end_of_a_poll_notifies_voters_and_author_once(client, alice, bob, carol):
    poll_id = post_poll(client, alice).get_json()["poll"]["id"]
    vote(client, bob, poll_id, [0])
    vote(client, carol, poll_id, [1])
    other = post_poll(client, carol).get_json()["poll"]["id"]  # still running

    poll_tasks.notify_ended_polls()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0

    end(poll_id)
    poll_tasks.notify_ended_polls()
    poll_tasks.notify_ended_polls()  # a second run finds nothing new
    rows = db.session.scalars(
        select(Notification).where(Notification.type == NotificationType.POLL)
    ).all()
    assert sorted(n.account_id for n in rows) == sorted([alice.id, bob.id, carol.id])
    assert {n.from_account_id for n in rows} == {alice.id}
    body = client.get("/api/v1/notifications", headers=bearer(token_for(bob))).get_json()
    assert [(n["type"], n["status"]["poll"]["id"]) for n in body] == [("poll", poll_id)]
    assert db.session.get(Poll, int(other)).ended_notified_at is None


def test_a_scheduled_poll_starts_when_it_is_published(client, alice):
    from fedi.models import ScheduledStatus
    from fedi.services import scheduled_statuses

    at = (utcnow() + timedelta(hours=1)).isoformat()
    r = post_poll(client, alice, {**POLL, "multiple": True}, scheduled_at=at)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["params"]["poll"] == {
        "options": POLL["options"], "expires_in": 3600, "multiple": True, "hide_totals": False,
    }  # fmt: skip
    db.session.execute(update(ScheduledStatus).values(scheduled_at=utcnow()))
    db.session.commit()
    status = scheduled_statuses.publish(int(r.get_json()["id"]))
    poll = db.session.scalar(select(Poll).where(Poll.status_id == status.id))
    assert poll.options == POLL["options"] and poll.multiple
    assert abs((poll.expires_at - utcnow()).total_seconds() - 3600) < 60


def test_votes_in_a_burst_make_one_update_of_the_question(client, alice, bob, carol):
    poll_id = post_poll(client, alice).get_json()["poll"]["id"]
    vote(client, bob, poll_id, [0])
    vote(client, carol, poll_id, [1])
    scheduled = queue.huey.read_schedule(datetime(9999, 1, 1))
    assert [t.name for t in scheduled] == ["federate_poll_update"]
    hidden = post_poll(client, alice, {**POLL, "hide_totals": True}).get_json()["poll"]["id"]
    vote(client, bob, hidden, [0])
    assert queue.huey.read_schedule(datetime(9999, 1, 1)) == []  # the end sends its counts
