"""The web UI's scheduled posts (the compose form's "Schedule" field, the /scheduled page with
its delete buttons) and the /directory page, without JavaScript and with HTMX."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from fedi.extensions import db
from fedi.models import ScheduledStatus, Status, utcnow
from fedi.services import scheduled_statuses
from fedi.tasks import scheduled as scheduled_tasks
from tests.helpers import make_local, make_remote
from tests.web.a11y import assert_accessible
from tests.web.signed_in import HTMX, form_post, page, signed_in


def _local_input(delta: timedelta) -> str:
    """What a datetime-local field sends (minutes, no offset; the form says UTC)."""
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_schedule_a_post_list_it_and_delete_it_without_javascript(app, alice):
    browser = signed_in(app)
    home = page(browser, "/home")
    assert '<label for="compose-schedule">' in home and 'type="datetime-local"' in home
    when = _local_input(timedelta(days=1))
    fields = {"text": "See you tomorrow", "visibility": "unlisted", "scheduled_at": when}
    r = form_post(browser, "/compose", fields)
    assert r.status_code == 303 and r.headers["Location"] == "/scheduled"
    assert _count(Status) == 0
    (row,) = db.session.scalars(select(ScheduledStatus)).all()
    assert row.params["text"] == "See you tomorrow" and row.params["visibility"] == "unlisted"

    listing = page(browser, "/scheduled")
    assert "See you tomorrow" in listing and "UTC" in listing and "unlisted" in listing
    assert_accessible(listing)
    assert 'href="/scheduled" aria-current=page' in listing

    r = form_post(browser, f"/scheduled/{row.id}/delete", headers={"Referer": "/scheduled"})
    assert r.status_code == 303 and _count(ScheduledStatus) == 0
    assert "Nothing scheduled." in page(browser, "/scheduled")


def test_schedule_with_htmx_and_delete_with_htmx(app, alice):
    browser = signed_in(app)
    r = form_post(browser, "/compose", {"text": "Later, with htmx",
                                        "scheduled_at": _local_input(timedelta(hours=2))},
                  htmx=True)  # fmt: skip
    assert r.status_code == 200 and r.headers["HX-Redirect"] == "/scheduled"
    row = db.session.scalar(select(ScheduledStatus))
    fragment = browser.get("/scheduled", headers=HTMX).get_data(as_text=True)
    assert "Later, with htmx" in fragment and "<html" not in fragment
    r = form_post(browser, f"/scheduled/{row.id}/delete", htmx=True)
    assert r.status_code == 200 and _count(ScheduledStatus) == 0


def test_too_soon_comes_back_inline_with_the_text_kept(app, alice):
    browser = signed_in(app)
    when = _local_input(timedelta(minutes=2))
    r = form_post(browser, "/compose", {"text": "Too soon", "scheduled_at": when})
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Scheduled at The scheduled date must be in the future" in body
    assert "Too soon</textarea>" in body and _count(ScheduledStatus) == 0


def test_a_scheduled_post_appears_on_home_at_its_time(app, alice):
    browser = signed_in(app)
    form_post(browser, "/compose", {"text": "Right on time",
                                    "scheduled_at": _local_input(timedelta(hours=1))})  # fmt: skip
    assert "Right on time" not in page(browser, "/home")
    row = db.session.scalar(select(ScheduledStatus))
    row.scheduled_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    scheduled_tasks.publish_due_scheduled_statuses()
    assert "Right on time" in page(browser, "/home")
    assert scheduled_statuses.due_ids() == []


def test_another_users_scheduled_post_cannot_be_deleted(app, alice, bob):
    row = ScheduledStatus(account_id=bob.id, scheduled_at=utcnow() + timedelta(days=1),
                          params={"text": "bob's"})  # fmt: skip
    db.session.add(row)
    db.session.commit()
    browser = signed_in(app)
    assert "bob&#39;s" not in page(browser, "/scheduled")
    r = form_post(browser, f"/scheduled/{row.id}/delete")
    assert r.status_code == 404 and _count(ScheduledStatus) == 1


def _active(account, minutes_ago):
    account.last_status_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    return account


def test_the_directory_page(app, client, monkeypatch):
    from fedi.web import directory as directory_page

    monkeypatch.setattr(directory_page, "PAGE", 2)
    for n in range(3):
        _active(make_local(f"person{n}"), n)
    _active(make_remote("faraway"), 10)
    make_local("newcomer")

    text = page(client, "/directory")
    assert_accessible(text)
    assert "@person0" in text and "@person1" in text and "@person2" not in text
    assert '<a href="/directory?order=active&amp;offset=2"' in text and "Load more" in text
    more = client.get("/directory?order=active&offset=2", headers=HTMX).get_data(as_text=True)
    assert "@person2" in more and "@faraway@remote.example" in more and "<html" not in more
    assert "Load more" not in more

    local = page(client, "/directory?order=active&local=1&offset=2")
    assert "@person2" in local and "faraway" not in local
    new = page(client, "/directory?order=new&local=1")
    assert "@newcomer" in new and 'aria-current="page">New' in new

    signed = signed_in(app, "person0")
    assert 'href="/directory" aria-current="page"' in page(signed, "/directory")
