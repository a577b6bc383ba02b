"""Scheduled statuses: POST /api/v1/statuses with scheduled_at, /api/v1/scheduled_statuses, and
their publication by the delayed task and by the periodic sweep (never twice)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from fedi import queue
from fedi.extensions import db
from fedi.models import FeedEntry, MediaAttachment, Notification, ScheduledStatus, Status, utcnow
from fedi.services import follows, scheduled_statuses
from fedi.tasks import scheduled as scheduled_tasks
from tests.api.v1.test_statuses import make_media
from tests.helpers import bearer, token_for

TOO_SOON = "Validation failed: Scheduled at The scheduled date must be in the future"


def later(**delta) -> str:
    return (datetime.now(UTC) + timedelta(**(delta or {"hours": 1}))).isoformat()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def write(alice):
    return bearer(token_for(alice, "read write"))


@pytest.fixture(autouse=True)
def _no_leftover_delayed_tasks():
    """Huey's immediate mode keeps delayed tasks in memory: start and end each test without."""
    _drain()
    yield
    _drain()


def _drain() -> list:
    return queue.huey.read_schedule(datetime(9999, 1, 1))


def run_delayed_tasks() -> int:
    """Run every delayed task as if its time had come (Huey's schedule, immediate mode)."""
    tasks = _drain()
    for task in tasks:
        queue.huey.execute(task, timestamp=datetime(9999, 1, 1))
    return len(tasks)


def make_due(scheduled_id) -> None:
    db.session.execute(
        update(ScheduledStatus)
        .where(ScheduledStatus.id == int(scheduled_id))
        .values(scheduled_at=utcnow() - timedelta(seconds=5))
    )
    db.session.commit()


def schedule(client, headers, **fields):
    data = {"status": "Later!", "scheduled_at": later()} | fields
    return client.post("/api/v1/statuses", data=data, headers=headers)


def test_scheduling_answers_a_scheduled_status_and_posts_nothing(client, alice, write):
    media = make_media(alice)
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    r = client.post(
        "/api/v1/statuses",
        json={"status": "See you #soon", "scheduled_at": when.isoformat().replace("+00:00", "Z"),
              "visibility": "unlisted", "spoiler_text": "cw", "media_ids": [str(media.id)],
              "language": "fr", "sensitive": True},
        headers=write,
    )  # fmt: skip
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["id"].isdigit()
    assert body["scheduled_at"].startswith(when.strftime("%Y-%m-%dT%H:%M:%S"))
    assert body["scheduled_at"].endswith("Z")
    assert body["params"] == {
        "text": "See you #soon", "poll": None, "media_ids": [str(media.id)], "sensitive": True,
        "spoiler_text": "cw", "visibility": "unlisted", "in_reply_to_id": None, "language": "fr",
        "application_id": body["params"]["application_id"], "scheduled_at": None,
        "idempotency": None, "with_rate_limit": False,
    }  # fmt: skip
    assert isinstance(body["params"]["application_id"], int)
    assert [m["id"] for m in body["media_attachments"]] == [str(media.id)]
    assert count(Status) == 0
    assert client.get("/api/v1/timelines/home", headers=write).get_json() == []


def test_scheduled_at_in_the_past_posts_at_once_as_mastodon_does(client, write):
    r = schedule(client, write, scheduled_at=later(minutes=-10))
    assert r.status_code == 200 and r.get_json()["content"] == "<p>Later!</p>"
    assert count(ScheduledStatus) == 0 and count(Status) == 1


@pytest.mark.parametrize("minutes", [0.5, 4, 5])
def test_less_than_five_minutes_ahead_is_refused(client, write, minutes):
    r = schedule(client, write, scheduled_at=later(minutes=minutes))
    assert r.status_code == 422 and r.get_json() == {"error": TOO_SOON}
    assert count(ScheduledStatus) == 0 and count(Status) == 0


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-40T10:00:00Z", "12:00:00 next day"])
def test_a_date_that_cannot_be_read_is_refused(client, write, value):
    r = schedule(client, write, scheduled_at=value)
    assert r.status_code == 422 and r.get_json() == {"error": "Record invalid"}
    assert count(ScheduledStatus) == 0 and count(Status) == 0


def test_the_post_is_checked_when_it_is_scheduled(client, alice, bob, write):
    r = schedule(client, write, status="  ")
    assert r.get_json() == {"error": "Validation failed: Text can't be blank"}
    r = schedule(client, write, visibility="everyone")
    assert r.status_code == 422
    r = schedule(client, write, in_reply_to_id="12345")
    assert r.status_code == 404
    theirs = make_media(bob)
    r = schedule(client, write, media_ids=[str(theirs.id)])
    assert r.status_code == 422 and "not found or already attached" in r.get_json()["error"]
    assert count(ScheduledStatus) == 0


def test_daily_and_total_limits(client, alice, write, monkeypatch):
    day = (datetime.now(UTC) + timedelta(days=3)).replace(hour=10, minute=0, second=0)
    for n in range(scheduled_statuses.DAILY_LIMIT):
        db.session.add(ScheduledStatus(account_id=alice.id, scheduled_at=day + timedelta(minutes=n),
                                       params={"text": f"{n}"}))  # fmt: skip
    db.session.commit()
    r = schedule(client, write, scheduled_at=(day + timedelta(hours=5)).isoformat())
    assert r.status_code == 422
    assert r.get_json() == {
        "error": "Validation failed: You have exceeded the limit of 25 scheduled posts for today"
    }
    # Another day is free ...
    r = schedule(client, write, scheduled_at=(day + timedelta(days=1)).isoformat())
    assert r.status_code == 200
    other_day = r.get_json()["id"]
    # ... but moving that one into the full day is refused as well.
    r = client.put(
        f"/api/v1/scheduled_statuses/{other_day}",
        data={"scheduled_at": (day + timedelta(hours=6)).isoformat()},
        headers=write,
    )
    assert r.status_code == 422 and "25 scheduled posts for today" in r.get_json()["error"]
    # The total limit (lowered here: 300 rows say no more than 26 do) counts every day ...
    monkeypatch.setattr(scheduled_statuses, "TOTAL_LIMIT", count(ScheduledStatus))
    r = schedule(client, write, scheduled_at=(day + timedelta(days=2)).isoformat())
    assert r.status_code == 422
    assert r.get_json()["error"].startswith("Validation failed: You have exceeded the limit of")
    # ... yet a row at the limit may still move to another free day.
    r = client.put(
        f"/api/v1/scheduled_statuses/{other_day}",
        data={"scheduled_at": (day + timedelta(days=5)).isoformat()},
        headers=write,
    )
    assert r.status_code == 200


def test_the_total_limit_message(client, alice, write, monkeypatch):
    monkeypatch.setattr(scheduled_statuses, "TOTAL_LIMIT", 1)
    assert schedule(client, write).status_code == 200
    r = schedule(client, write, scheduled_at=later(days=3))
    assert r.get_json() == {
        "error": "Validation failed: You have exceeded the limit of 300 scheduled posts"
    }


def test_list_show_update_delete(client, alice, write):
    ids = [schedule(client, write, status=f"n{n}", scheduled_at=later(days=n + 1)).get_json()["id"]
           for n in range(3)]  # fmt: skip
    r = client.get("/api/v1/scheduled_statuses?limit=2", headers=write)
    assert r.status_code == 200
    assert [s["id"] for s in r.get_json()] == [ids[2], ids[1]]
    assert 'rel="next"' in r.headers["Link"] and f"max_id={ids[1]}" in r.headers["Link"]
    r = client.get(f"/api/v1/scheduled_statuses?limit=2&max_id={ids[1]}", headers=write)
    assert [s["id"] for s in r.get_json()] == [ids[0]]

    r = client.get(f"/api/v1/scheduled_statuses/{ids[0]}", headers=write)
    assert r.status_code == 200 and r.get_json()["params"]["text"] == "n0"

    when = datetime.now(UTC).replace(microsecond=0) + timedelta(days=9)
    r = client.put(f"/api/v1/scheduled_statuses/{ids[0]}", json={"scheduled_at": when.isoformat()},
                   headers=write)  # fmt: skip
    assert r.status_code == 200
    assert r.get_json()["scheduled_at"].startswith(when.strftime("%Y-%m-%dT%H:%M:%S"))
    r = client.put(f"/api/v1/scheduled_statuses/{ids[0]}", data={"scheduled_at": later(minutes=2)},
                   headers=write)  # fmt: skip
    assert r.status_code == 422 and r.get_json() == {"error": TOO_SOON}
    r = client.put(f"/api/v1/scheduled_statuses/{ids[0]}", data={"scheduled_at": "soon"},
                   headers=write)  # fmt: skip
    assert r.status_code == 422 and r.get_json() == {"error": "Record invalid"}

    r = client.delete(f"/api/v1/scheduled_statuses/{ids[0]}", headers=write)
    assert r.status_code == 200 and r.get_json() == {}
    assert client.get(f"/api/v1/scheduled_statuses/{ids[0]}", headers=write).status_code == 404
    assert count(ScheduledStatus) == 2


def test_scopes_and_other_accounts(client, alice, bob, write):
    mine = schedule(client, write).get_json()["id"]
    theirs = bearer(token_for(bob, "read write"))
    for method in ("get", "put", "delete"):
        r = getattr(client, method)(f"/api/v1/scheduled_statuses/{mine}", headers=theirs,
                                    data={"scheduled_at": later(days=4)})  # fmt: skip
        assert r.status_code == 404 and r.get_json() == {"error": "Record not found"}
    assert client.get("/api/v1/scheduled_statuses", headers=theirs).get_json() == []
    assert client.get("/api/v1/scheduled_statuses").status_code == 401
    read_only = bearer(token_for(alice, "read:statuses"))
    assert client.get("/api/v1/scheduled_statuses", headers=read_only).status_code == 200
    assert client.delete(f"/api/v1/scheduled_statuses/{mine}", headers=read_only).status_code == 403
    write_only = bearer(token_for(alice, "write:statuses"))
    assert client.get("/api/v1/scheduled_statuses", headers=write_only).status_code == 403
    assert client.get("/api/v1/scheduled_statuses/nope", headers=write).status_code == 404


def test_idempotency_key_answers_the_same_scheduled_status(client, write):
    headers = write | {"Idempotency-Key": "abc"}
    first = schedule(client, headers).get_json()
    again = schedule(client, headers, status="different").get_json()
    assert again["id"] == first["id"] and count(ScheduledStatus) == 1


def test_media_are_reserved_until_published(client, alice, bob, write):
    media = make_media(alice)
    row = schedule(client, write, media_ids=[str(media.id)]).get_json()
    r = client.post("/api/v1/statuses", data={"status": "now", "media_ids[]": str(media.id)},
                    headers=write)  # fmt: skip
    assert r.status_code == 422 and "already attached" in r.get_json()["error"]
    r = schedule(client, write, media_ids=[str(media.id)], scheduled_at=later(days=2))
    assert r.status_code == 422
    assert client.delete(f"/api/v1/media/{media.id}", headers=write).status_code == 422

    make_due(row["id"])
    scheduled_tasks.publish_due_scheduled_statuses()
    status = db.session.scalar(select(Status))
    db.session.refresh(media)
    assert media.status_id == status.id and media.scheduled_status_id is None


def test_cancelling_frees_the_media(client, alice, write):
    media = make_media(alice)
    row = schedule(client, write, media_ids=[str(media.id)]).get_json()
    client.delete(f"/api/v1/scheduled_statuses/{row['id']}", headers=write)
    r = client.post("/api/v1/statuses", data={"status": "now", "media_ids[]": str(media.id)},
                    headers=write)  # fmt: skip
    assert r.status_code == 200 and r.get_json()["media_attachments"][0]["id"] == str(media.id)


def test_the_sweep_publishes_a_due_row_as_a_normal_post(client, alice, bob, write):
    follows.follow(account=bob, target=alice)
    parent = client.post("/api/v1/statuses", data={"status": "first"}, headers=write).get_json()
    row = schedule(client, write, status="@bob see you", in_reply_to_id=parent["id"],
                   visibility="unlisted").get_json()  # fmt: skip
    # Not due yet: the sweep leaves it.
    scheduled_tasks.publish_due_scheduled_statuses()
    assert count(ScheduledStatus) == 1 and count(Status) == 1

    make_due(row["id"])
    scheduled_tasks.publish_due_scheduled_statuses()
    assert count(ScheduledStatus) == 0
    status = db.session.scalar(select(Status).where(Status.id != int(parent["id"])))
    assert status.text == "@bob see you" and status.in_reply_to_id == int(parent["id"])
    assert status.visibility.value == "unlisted" and status.application_id is not None
    # Fan-out ran as for any post: bob's home has it, and he was notified of the mention.
    assert db.session.scalar(
        select(FeedEntry).where(FeedEntry.account_id == bob.id, FeedEntry.status_id == status.id)
    )
    assert db.session.scalar(
        select(Notification).where(
            Notification.account_id == bob.id, Notification.status_id == status.id
        )
    )
    r = client.get(f"/api/v1/statuses/{status.id}", headers=write)
    assert r.status_code == 200 and r.get_json()["in_reply_to_id"] == parent["id"]
    assert client.get(f"/api/v1/scheduled_statuses/{row['id']}", headers=write).status_code == 404


def test_the_delayed_task_publishes_at_its_time_and_never_twice(client, write):
    row = schedule(client, write).get_json()
    # The delayed task is in Huey's schedule; run now, the row is not due and stays.
    tasks = _drain()
    assert [t.name for t in tasks] == ["run"] or len(tasks) == 1
    queue.huey.execute(tasks[0], timestamp=datetime(9999, 1, 1))
    assert count(ScheduledStatus) == 1 and count(Status) == 0

    # Its time comes: the task queued for it publishes it, then the sweep finds nothing.
    make_due(row["id"])
    queue.enqueue("publish_scheduled_status", int(row["id"]), delay=60)
    assert run_delayed_tasks() == 1
    assert count(ScheduledStatus) == 0 and count(Status) == 1
    scheduled_tasks.publish_due_scheduled_statuses()
    queue.enqueue("publish_scheduled_status", int(row["id"]))
    assert count(Status) == 1


def test_a_rescheduled_row_is_not_published_by_the_task_of_its_old_time(client, write):
    row = schedule(client, write, scheduled_at=later(minutes=10)).get_json()
    client.put(f"/api/v1/scheduled_statuses/{row['id']}", data={"scheduled_at": later(days=1)},
               headers=write)  # fmt: skip
    assert run_delayed_tasks() == 2  # the old time's and the new time's
    assert count(ScheduledStatus) == 1 and count(Status) == 0


def test_a_claimed_row_is_posted_once_whoever_runs_first(client, write):
    row = schedule(client, write).get_json()
    make_due(row["id"])
    first = scheduled_statuses.publish(int(row["id"]))
    second = scheduled_statuses.publish(int(row["id"]))
    assert first is not None and second is None and count(Status) == 1


def test_a_post_that_can_no_longer_be_made_is_dropped(client, alice, write):
    parent = client.post("/api/v1/statuses", data={"status": "first"}, headers=write).get_json()
    row = schedule(client, write, in_reply_to_id=parent["id"]).get_json()
    media = db.session.scalars(select(MediaAttachment)).all()
    assert media == []
    client.delete(f"/api/v1/statuses/{parent['id']}", headers=write)
    make_due(row["id"])
    scheduled_tasks.publish_due_scheduled_statuses()
    assert count(ScheduledStatus) == 0
    assert count(Status) == 1  # only the deleted parent


def test_two_publishers_at_once_post_it_once(app, client, write):
    """The delayed task and the sweep racing on the same row (two threads, two sessions)."""
    import threading

    row = schedule(client, write).get_json()
    make_due(row["id"])
    barrier, results = threading.Barrier(2), []

    def run():
        with app.app_context():
            barrier.wait()
            results.append(scheduled_statuses.publish(int(row["id"])))
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(r is None for r in results) == [False, True]
    db.session.expire_all()
    assert count(Status) == 1 and count(ScheduledStatus) == 0
