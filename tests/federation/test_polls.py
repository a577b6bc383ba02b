# ruff: noqa: F811  (pytest fixtures imported from remote_actor are parameters here)
"""Polls over ActivityPub with real signatures, as Mastodon federates them: a received Question
becomes a poll one can vote on, the vote goes to its author as a Create of a named Note, an
Update of the Question refreshes its counts; a remote account's vote on a local poll is counted
once (never stored as a post), and the local Question carries its counts out."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from fedi import queue
from fedi.extensions import db
from fedi.models import InboxItem, InboxState, Poll, PollVote, Status
from fedi.services import follows, polls, statuses
from tests.federation.remote_actor import (  # noqa: F401  (fixtures)
    AS_PUBLIC,
    RemoteActor,
    private_fetches,
    remote_keys,
    remote_server,
    rita,
)
from tests.helpers import bearer, token_for


@pytest.fixture(autouse=True)
def _no_leftover_delayed_tasks():
    queue.huey.read_schedule(datetime(9999, 1, 1))
    yield
    queue.huey.read_schedule(datetime(9999, 1, 1))


def run_delayed_tasks() -> None:
    for task in queue.huey.read_schedule(datetime(9999, 1, 1)):
        queue.huey.execute(task, timestamp=datetime(9999, 1, 1))


def _last_item() -> InboxItem:
    return db.session.scalars(select(InboxItem).order_by(InboxItem.id.desc())).first()


def _deliver(client, actor: RemoteActor, kind: str, obj) -> InboxItem:
    assert actor.post(client, "/inbox", actor.activity(kind, obj)).status_code == 202
    return _last_item()


def question(rita: RemoteActor, alice, counts=(3, 1), **fields):
    return {
        **rita.note("<p>Cats or dogs?</p>", to=[AS_PUBLIC, alice.uri], cc=[]),
        "type": "Question",
        "endTime": "2099-01-01T00:00:00Z",
        "votersCount": sum(counts),
        "oneOf": [
            {"type": "Note", "name": name, "replies": {"type": "Collection", "totalItems": n}}
            for name, n in zip(("cats", "dogs"), counts, strict=True)
        ],
        **fields,
    }


def test_a_received_question_is_a_poll_to_vote_on(client, alice, rita):
    obj = question(rita, alice)
    item = _deliver(client, rita, "Create", obj)
    assert item.state == InboxState.PROCESSED, item.error
    status = db.session.scalar(select(Status).where(Status.uri == obj["id"]))
    headers = bearer(token_for(alice))
    body = client.get(f"/api/v1/statuses/{status.id}", headers=headers).get_json()
    assert "<ul>" not in body["content"]
    poll = body["poll"]
    assert poll["expires_at"] == "2099-01-01T00:00:00.000Z" and poll["multiple"] is False
    assert [(o["title"], o["votes_count"]) for o in poll["options"]] == [("cats", 3), ("dogs", 1)]
    assert poll["votes_count"] == 4 and poll["voters_count"] == 4 and poll["voted"] is False

    r = client.post(f"/api/v1/polls/{poll['id']}/votes", headers=headers, json={"choices": [1]})
    assert r.status_code == 200, r.get_json()
    assert [o["votes_count"] for o in r.get_json()["options"]] == [3, 2]  # counted here at once
    assert r.get_json()["voters_count"] == 5
    (sent,) = rita.server.posted("Create")
    assert sent["actor"] == alice.uri and sent["to"] == rita.uri
    note = sent["object"]
    assert note["type"] == "Note" and note["name"] == "dogs" and "content" not in note
    assert note["inReplyTo"] == obj["id"] and note["attributedTo"] == alice.uri

    # The author's server counts it and sends the Question again: its counts replace ours.
    _deliver(client, rita, "Update", question(rita, alice, counts=(3, 2)) | {"id": obj["id"]})
    again = client.get(f"/api/v1/polls/{poll['id']}", headers=headers).get_json()
    assert [o["votes_count"] for o in again["options"]] == [3, 2]
    assert again["voters_count"] == 5 and again["own_votes"] == [1]
    assert db.session.scalar(select(func.count()).select_from(Poll)) == 1


def test_a_question_with_other_options_drops_the_votes_cast_here(client, alice, rita):
    obj = question(rita, alice)
    _deliver(client, rita, "Create", obj)
    poll = db.session.scalar(select(Poll))
    polls.vote(poll_id=poll.id, account=alice, choices=[0])
    changed = question(rita, alice, counts=(0, 0)) | {"id": obj["id"], "anyOf": [
        {"type": "Note", "name": "birds", "replies": {"type": "Collection", "totalItems": 0}},
        {"type": "Note", "name": "fish", "replies": {"type": "Collection", "totalItems": 0}},
    ]}  # fmt: skip
    del changed["oneOf"]
    _deliver(client, rita, "Update", changed)
    db.session.expire_all()
    poll = db.session.get(Poll, poll.id)
    assert poll.options == ["birds", "fish"] and poll.multiple is True
    assert db.session.scalar(select(func.count()).select_from(PollVote)) == 0


def _vote_note(rita: RemoteActor, status: Status, name: str, n: int) -> dict:
    return {
        "id": f"{rita.uri}#votes/{n}", "type": "Note", "name": name,
        "attributedTo": rita.uri, "inReplyTo": status.uri, "to": status.account.uri,
    }  # fmt: skip


def test_a_remote_vote_on_a_local_poll_is_counted_once_and_sent_out(client, alice, rita):
    status = statuses.post_status(
        account=alice, text="Tea or coffee?",
        poll=polls.PollSpec(options=["tea", "coffee"], expires_in=3600),
    )  # fmt: skip
    # rita follows alice, so the Question and its Updates reach her server.
    _deliver(client, rita, "Follow", alice.uri)
    rita.server.posts.clear()
    item = _deliver(client, rita, "Create", _vote_note(rita, status, "coffee", 1))
    assert item.state == InboxState.PROCESSED, item.error
    _deliver(client, rita, "Create", _vote_note(rita, status, "coffee", 1))  # redelivered
    _deliver(client, rita, "Create", _vote_note(rita, status, "tea", 2))  # single choice: no

    assert db.session.scalar(select(func.count()).select_from(Status)) == 1  # no post stored
    body = client.get(f"/api/v1/statuses/{status.id}").get_json()["poll"]
    assert [o["votes_count"] for o in body["options"]] == [0, 1]
    assert body["voters_count"] == 1

    # Three minutes later (the delayed task) the Question's counts go out.
    assert rita.server.posted("Update") == []
    run_delayed_tasks()
    updates = rita.server.posted("Update")
    assert updates, rita.server.posts
    sent = updates[-1]["object"]
    assert sent["type"] == "Question" and sent["id"] == status.uri
    assert [(o["name"], o["replies"]["totalItems"]) for o in sent["oneOf"]] == [
        ("tea", 0), ("coffee", 1),
    ]  # fmt: skip
    assert sent["votersCount"] == 1 and sent["endTime"] and "closed" not in sent


def test_the_local_question_as_served(client, alice):
    status = statuses.post_status(
        account=alice, text="Any of these?",
        poll=polls.PollSpec(options=["a", "b"], expires_in=600, multiple=True),
    )  # fmt: skip
    r = client.get(f"/users/alice/statuses/{status.id}",
                   headers={"Accept": "application/activity+json"})  # fmt: skip
    assert r.status_code == 200
    doc = r.get_json()
    assert doc["type"] == "Question" and "oneOf" not in doc
    assert [o["name"] for o in doc["anyOf"]] == ["a", "b"]
    assert doc["anyOf"][0] == {
        "type": "Note", "name": "a", "replies": {"type": "Collection", "totalItems": 0},
    }  # fmt: skip


def test_a_remote_poll_a_local_account_voted_on_notifies_at_its_end(client, alice, bob, rita):
    from fedi.tasks import polls as poll_tasks

    follows.follow(account=bob, target=alice)
    obj = question(rita, alice, endTime="2099-01-01T00:00:00Z")
    _deliver(client, rita, "Create", obj)
    poll = db.session.scalar(select(Poll))
    polls.vote(poll_id=poll.id, account=alice, choices=[0])
    closed = question(rita, alice, counts=(4, 1)) | {
        "id": obj["id"], "endTime": "2020-01-01T00:00:00Z", "closed": "2020-01-01T00:00:00Z",
    }  # fmt: skip
    _deliver(client, rita, "Update", closed)
    poll_tasks.notify_ended_polls()
    poll_tasks.notify_ended_polls()
    body = client.get("/api/v1/notifications", headers=bearer(token_for(alice))).get_json()
    assert [(n["type"], n["account"]["acct"]) for n in body if n["type"] == "poll"] == [
        ("poll", f"rita@{rita.uri.split('/')[2]}")
    ]
    assert body[0]["status"]["poll"]["expired"] is True
