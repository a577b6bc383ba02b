"""The report queue and the report page for moderators: open/resolved tabs and the origin and
domain filters, the report's facts, posts and history, notes (add, delete, resolve and reopen
with a note), assigning, resolving and reopening, the category, the actions on the reported
posts, each recorded in the audit log; 403 for normal users, the sign-in page for visitors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import (
    AuditLogEntry,
    InstanceRule,
    Report,
    ReportNote,
    Role,
    Status,
    Visibility,
    utcnow,
)
from fedi.services import reports, statuses
from tests.helpers import count_queries, make_local, make_remote
from tests.web.a11y import assert_accessible
from tests.web.signed_in import form_post, page, signed_in


@pytest.fixture
def moderator():
    return make_local("moddy", role=Role.MODERATOR)


def _actions() -> list[tuple[str, str]]:
    rows = db.session.scalars(select(AuditLogEntry).order_by(AuditLogEntry.id))
    return [(e.action, e.target_type) for e in rows]


def test_queue_tabs_and_filters(app, alice, bob, moderator):
    spammer = make_remote("spammer", "spam.example")
    troll = make_remote("troll", "troll.example")
    local = reports.create_report(reporter=alice, target=bob, comment="local one")
    far = reports.create_report(reporter=alice, target=spammer, category="spam")
    other = reports.create_report(reporter=alice, target=troll)
    other.action_taken_at = utcnow()
    db.session.commit()
    staff = signed_in(app, "moddy")

    def listed(path: str) -> set[int]:
        body = page(staff, path)
        return {r.id for r in (local, far, other) if f'/admin/reports/{r.id}"' in body}

    body = page(staff, "/admin/reports")
    assert_accessible(body)
    assert 'aria-current="page">Reports</a>' in body  # the admin navigation shows the section
    assert listed("/admin/reports") == {local.id, far.id}
    assert listed("/admin/reports?status=resolved") == {other.id}
    assert listed("/admin/reports?origin=local") == {local.id}
    assert listed("/admin/reports?origin=remote") == {far.id}
    assert listed("/admin/reports?domain=SPAM.example") == {far.id}
    assert listed("/admin/reports?status=resolved&domain=troll.example") == {other.id}
    assert listed(f"/admin/reports?target_account_id={bob.id}") == {local.id}
    assert "No open reports with these filters." in page(staff, "/admin/reports?domain=x.example")


def test_queue_has_no_n_plus_one(app, alice, bob, carol, moderator):
    staff = signed_in(app, "moddy")
    reports.create_report(reporter=alice, target=bob)
    page(staff, "/admin/reports")
    with count_queries() as few:
        page(staff, "/admin/reports")
    for i in range(5):
        reports.create_report(reporter=carol, target=make_remote(f"r{i}", f"d{i}.example"))
    with count_queries() as many:
        page(staff, "/admin/reports")
    assert len(many) == len(few)


def test_report_page_assign_resolve_reopen_and_notes(app, alice, bob, moderator):
    rule = InstanceRule(id=new_id(), text="No spam")
    db.session.add(rule)
    db.session.commit()
    post = statuses.post_status(account=bob, text="spam spam")
    earlier = reports.create_report(reporter=alice, target=bob, comment="earlier")
    report = reports.create_report(
        reporter=alice, target=bob, status_ids=[str(post.id)], comment="line one\n<b>two</b>",
        category="violation", rule_ids=[str(rule.id)],
    )  # fmt: skip
    staff = signed_in(app, "moddy")
    path = f"/admin/reports/{report.id}"

    body = page(staff, path)
    assert_accessible(body)
    assert "line one\n&lt;b&gt;two&lt;/b&gt;" in body and "spam spam" in body
    assert "violation: No spam" in body and f"/admin/reports/{earlier.id}" in body
    assert "Assign to me" in body and "Resolve with note" in body

    r = form_post(staff, f"{path}/assign_to_self")
    assert r.status_code == 303 and r.headers["Location"].endswith("done=assigned_to_self")
    body = page(staff, r.headers["Location"])
    assert "assigned to you" in body and "Unassign" in body
    assert db.session.get(Report, report.id).assigned_account_id == moderator.id
    form_post(staff, f"{path}/unassign")
    assert db.session.get(Report, report.id).assigned_account_id is None

    form_post(staff, f"{path}/resolve")
    db.session.expire_all()
    assert db.session.get(Report, report.id).action_taken_by_account_id == moderator.id
    assert str(report.id) in page(staff, "/admin/reports?status=resolved")
    form_post(staff, f"{path}/reopen")
    db.session.expire_all()
    assert db.session.get(Report, report.id).action_taken_at is None

    r = form_post(staff, f"{path}/notes", {"content": "Looked at it <ok>"})
    assert r.status_code == 303
    assert "Looked at it &lt;ok&gt;" in page(staff, path)
    r = form_post(staff, f"{path}/notes", {"content": "Spam, resolving", "resolve": "1"})
    db.session.expire_all()
    assert db.session.get(Report, report.id).action_taken_at is not None
    assert "Reopen with note" in page(staff, path)
    form_post(staff, f"{path}/notes", {"content": "Not so fast", "reopen": "1"})
    db.session.expire_all()
    assert db.session.get(Report, report.id).action_taken_at is None
    r = form_post(staff, f"{path}/notes", {"content": "   "})
    assert r.status_code == 422 and "can&#39;t be blank" in r.get_data(as_text=True)

    note = db.session.scalar(select(ReportNote).order_by(ReportNote.id))
    other = make_local("othermod", role=Role.MODERATOR)
    assert other is not None
    r = form_post(signed_in(app, "othermod"), f"{path}/notes/{note.id}/delete")
    assert r.status_code == 403  # a moderator deletes only their own notes
    r = form_post(staff, f"/admin/reports/{earlier.id}/notes/{note.id}/delete")
    assert r.status_code == 404  # not that report's note
    r = form_post(staff, f"{path}/notes/{note.id}/delete")
    assert r.status_code == 303 and db.session.get(ReportNote, note.id) is None

    r = form_post(staff, f"{path}/category", {"category": "spam"})
    assert r.status_code == 303
    db.session.expire_all()
    changed = db.session.get(Report, report.id)
    assert changed.category.value == "spam" and changed.rule_ids is None

    assert _actions() == [
        ("assigned_to_self", "Report"), ("unassigned", "Report"), ("resolve", "Report"),
        ("reopen", "Report"), ("create", "ReportNote"), ("create", "ReportNote"),
        ("resolve", "Report"), ("create", "ReportNote"), ("reopen", "Report"),
        ("destroy", "ReportNote"), ("update", "Report"),
    ]  # fmt: skip


def test_actions_on_the_reported_posts(app, alice, bob, moderator):
    one = statuses.post_status(account=bob, text="first")
    two = statuses.post_status(account=bob, text="second")
    spammer = make_remote("spammer", "spam.example")
    theirs = Status(
        id=new_id(), uri=f"{spammer.uri}/s/1", account_id=spammer.id,
        content="<p>remote spam</p>", visibility=Visibility.PUBLIC, local=False,
    )  # fmt: skip
    db.session.add(theirs)
    db.session.commit()
    report = reports.create_report(reporter=alice, target=bob, status_ids=[one.id, two.id])
    remote_report = reports.create_report(reporter=alice, target=spammer, status_ids=[theirs.id])
    staff = signed_in(app, "moddy")

    r = form_post(staff, f"/admin/reports/{report.id}/mark_sensitive")
    assert r.status_code == 303 and "sensitive" in page(staff, r.headers["Location"])
    db.session.expire_all()
    assert db.session.get(Status, one.id).sensitive and db.session.get(Status, two.id).sensitive
    assert db.session.get(Report, report.id).action_taken_at is not None

    r = form_post(staff, f"/admin/reports/{remote_report.id}/delete_statuses")
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(Status, theirs.id).deleted_at is not None
    body = page(staff, f"/admin/reports/{remote_report.id}")
    assert "deleted" in body and "remote spam" in body  # the report keeps what it was about
    assert "Delete the posts and resolve" not in body
    assert ("destroy", "Status") in _actions() and ("mark_sensitive", "Status") in _actions()


def test_admin_reports_are_for_staff_only(app, alice, bob):
    report = reports.create_report(reporter=alice, target=bob)
    user = signed_in(app, "alice")
    assert user.get("/admin/reports").status_code == 403
    assert user.get(f"/admin/reports/{report.id}").status_code == 403
    assert form_post(user, f"/admin/reports/{report.id}/resolve").status_code == 403
    assert form_post(user, f"/admin/reports/{report.id}/notes", {"content": "x"}).status_code == 403
    assert db.session.get(Report, report.id).action_taken_at is None
    r = app.test_client().get("/admin/reports")
    assert r.status_code == 302 and "/auth/sign_in" in r.headers["Location"]
    make_local("moddy", role=Role.MODERATOR)
    staff = signed_in(app, "moddy")
    assert staff.get("/admin/reports/12345").status_code == 404
    r = staff.post(f"/admin/reports/{report.id}/resolve")  # no CSRF token
    assert r.status_code in (400, 403)
    assert db.session.get(Report, report.id).action_taken_at is None


def test_reports_from_other_servers_are_in_the_queue(app, alice, moderator):
    """A Flag (services.reports.receive_flag, what the inbox's Flag handler calls) feeds the
    same queue; the reporter is shown as the remote server's account."""
    mastodon = make_remote("mastodon.social", "mastodon.social")
    post = statuses.post_status(account=alice, text="reported from afar")
    flag = reports.receive_flag(reporter=mastodon, target=alice, status_ids=[post.id],
                                comment="Spam", uri="https://mastodon.social/flags/1")  # fmt: skip
    assert flag is not None
    staff = signed_in(app, "moddy")
    assert f"/admin/reports/{flag.id}" in page(staff, "/admin/reports?origin=local")
    body = page(staff, f"/admin/reports/{flag.id}")
    assert "(from mastodon.social)" in body and "reported from afar" in body
