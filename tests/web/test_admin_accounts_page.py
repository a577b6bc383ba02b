"""The admin accounts pages without JavaScript: a moderator finds accounts with the filters,
opens one (its posts, reports, warnings, notes), takes an action with a warning through the
plain form (CSRF token required), undoes it, keeps notes; the user sees the warning in their
notifications and at /settings/warnings. Normal users get 403, visitors the sign-in page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fedi.extensions import db
from fedi.models import Account, AccountModerationNote, AuditLogEntry, Report, Role, utcnow
from fedi.services import statuses
from tests.helpers import make_local, make_remote
from tests.web.a11y import assert_accessible
from tests.web.signed_in import form_post, mail_log, page, signed_in


@pytest.fixture
def mod():
    return make_local("moddy", role=Role.MODERATOR)


def test_the_list_and_its_filters(app, mod):
    make_local("alice", display_name="Alice")
    waiting = make_local("waiting", approved=False)
    waiting.user.sign_up_ip = "192.0.2.9"
    make_remote("dave", "elsewhere.example")
    quiet = make_local("quiet")
    quiet.silenced_at = utcnow()
    db.session.commit()
    browser = signed_in(app, "moddy")
    body = page(browser, "/admin/accounts")
    assert_accessible(body)
    for name in ("@alice", "@waiting", "@dave@elsewhere.example", "@quiet", "@moddy"):
        assert name in body
    assert 'href="/admin/accounts"' in body  # the admin navigation lists the section
    assert "@dave" not in page(browser, "/admin/accounts?origin=local")
    remote = page(browser, "/admin/accounts?origin=remote&domain=elsewhere.example")
    assert "@dave@elsewhere.example" in remote and "@alice" not in remote
    limited = page(browser, "/admin/accounts?status=silenced")
    assert "@quiet" in limited and "@alice" not in limited
    assert "@waiting" in page(browser, "/admin/accounts?status=pending")
    staff = page(browser, "/admin/accounts?role=staff")
    assert "@moddy" in staff and "@alice" not in staff
    by_ip = page(browser, "/admin/accounts?ip=192.0.2.0/24")
    assert "@waiting" in by_ip and "@alice" not in by_ip
    assert "No accounts match." in page(browser, "/admin/accounts?username=zzz")
    assert "@alice" in page(browser, "/admin/accounts?status=bogus&origin=bogus")  # ignored


def test_acting_on_an_account_without_javascript(app, mod, caplog):
    alice = make_local("alice")
    statuses.post_status(account=alice, text="something rude")
    reporter = make_local("carol")
    report = Report(account_id=reporter.id, target_account_id=alice.id, comment="rude post")
    db.session.add(report)
    db.session.commit()
    browser = signed_in(app, "moddy")
    url = f"/admin/accounts/{alice.id}"
    body = page(browser, url)
    assert_accessible(body)
    assert "something rude" in body and "rude post" in body and "@carol" in body
    assert 'name="type"' in body and "Suspend" in body

    # without the CSRF token nothing happens
    r = browser.post(f"{url}/action", data={"type": "silence"})
    assert r.status_code in (400, 403)
    db.session.expire_all()
    assert db.session.get(Account, alice.id).silenced_at is None

    with mail_log(caplog):
        r = form_post(browser, f"{url}/action", {
            "type": "silence", "text": "Calm down <please>", "send_email_notification": "1",
            "report_id": str(report.id),
        })  # fmt: skip
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{url}?done=silence")
    assert "Calm down <please>" in caplog.text  # the e-mail (logged without SMTP)
    db.session.expire_all()
    assert db.session.get(Account, alice.id).silenced_at is not None
    assert db.session.get(Report, report.id).action_taken_at is not None
    body = page(browser, r.headers["Location"])
    assert "Account limited." in body and "Calm down &lt;please&gt;" in body
    assert "resolved" in body and "Lift the limit" in body

    r = form_post(browser, f"{url}/unsilence")
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(Account, alice.id).silenced_at is None

    # the user sees the warning: a notification that leads to /settings/warnings
    mine = signed_in(app, "alice")
    notes = page(mine, "/notifications")
    assert "The moderators made a decision about your account." in notes
    assert "/settings/warnings/" in notes
    warnings = page(mine, "/settings/warnings")
    assert_accessible(warnings)
    assert "Calm down &lt;please&gt;" in warnings and "limited" in warnings

    # an invalid choice is a friendly message, not a 500
    r = form_post(browser, f"{url}/action", {"type": "obliterate"})
    assert r.status_code == 422 and "Choose an action." in r.get_data(as_text=True)
    actions = list(db.session.scalars(select(AuditLogEntry.action).order_by(AuditLogEntry.id)))
    assert actions == ["silence", "resolve", "unsilence"]


def test_suspend_and_lift_it_and_other_undo_buttons(app, mod):
    alice = make_local("alice")
    browser = signed_in(app, "moddy")
    url = f"/admin/accounts/{alice.id}"
    r = form_post(browser, f"{url}/action", {"type": "suspend"})
    assert r.status_code == 303
    body = page(browser, r.headers["Location"])
    assert "Account suspended." in body and "data deleted after" in body
    assert "Lift the suspension" in body
    assert "Delete the account&#39;s data now" not in body  # for admins only
    assert form_post(browser, f"{url}/unsuspend").status_code == 303
    db.session.expire_all()
    assert db.session.get(Account, alice.id).suspended_at is None
    assert form_post(browser, f"{url}/action", {"type": "disable"}).status_code == 303
    assert "Enable login" in page(browser, url)
    assert form_post(browser, f"{url}/enable").status_code == 303
    db.session.expire_all()
    assert db.session.get(Account, alice.id).user.disabled is False
    # what cannot be done is said on the page
    r = form_post(browser, f"{url}/delete")
    assert r.status_code == 403 and "not allowed" in r.get_data(as_text=True)


def test_pending_sign_ups_are_approved_or_rejected_here(app, mod):
    waiting = make_local("waiting", approved=False)
    other = make_local("another", approved=False)
    browser = signed_in(app, "moddy")
    assert "Approve the sign-up" in page(browser, f"/admin/accounts/{waiting.id}")
    assert form_post(browser, f"/admin/accounts/{waiting.id}/approve").status_code == 303
    db.session.expire_all()
    assert db.session.get(Account, waiting.id).user.approved
    r = form_post(browser, f"/admin/accounts/{other.id}/reject")
    assert r.status_code == 303 and "done=rejected" in r.headers["Location"]
    assert "Sign-up rejected" in page(browser, r.headers["Location"])
    assert db.session.scalar(select(Account).where(Account.username == "another")) is None


def test_moderation_notes(app, mod):
    alice = make_local("alice")
    browser = signed_in(app, "moddy")
    url = f"/admin/accounts/{alice.id}"
    r = form_post(browser, f"{url}/notes", {"content": "Watch <this> one"})
    assert r.status_code == 303
    assert "Watch &lt;this&gt; one" in page(browser, url)
    assert form_post(browser, f"{url}/notes", {"content": "  "}).status_code == 422
    note = db.session.scalar(select(AccountModerationNote))
    assert form_post(browser, f"{url}/notes/{note.id}/delete").status_code == 303
    assert db.session.scalar(select(AccountModerationNote)) is None
    assert "No notes." in page(browser, url)


def test_pages_are_for_moderators_only(app, mod):
    alice = make_local("alice")
    user = signed_in(app, "alice")
    for path in ("/admin/accounts", f"/admin/accounts/{alice.id}"):
        assert user.get(path).status_code == 403
        r = app.test_client().get(path)
        assert r.status_code == 302 and "/auth/sign_in" in r.headers["Location"]
    for action in ("action", "unsilence", "enable", "unsuspend", "notes", "delete"):
        r = form_post(user, f"/admin/accounts/{mod.id}/{action}", {"type": "suspend"})
        assert r.status_code == 403
    db.session.expire_all()
    assert db.session.get(Account, mod.id).suspended_at is None
    assert signed_in(app, "moddy").get("/admin/accounts/999999").status_code == 404
    assert page(user, "/settings/warnings")  # every user has their own warnings page
    assert user.get("/settings/warnings/12345").status_code == 404
