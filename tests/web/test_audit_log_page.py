"""The audit log page: staff with the permission read every entry, filtered by who, what and
the target; others get 403 and visitors the sign-in page."""

from __future__ import annotations

from fedi.extensions import db
from fedi.models import Role
from fedi.services import audit_log
from tests.helpers import make_local
from tests.web.signed_in import page, signed_in


def test_moderator_reads_and_filters_the_log(app):
    mod = make_local("moddy", role=Role.MODERATOR)
    make_local("alice")
    other = make_local("admina", role=Role.ADMIN)
    audit_log.record(mod, "suspend", "Account", 7, "@spammer", text="Spam")
    audit_log.record(other, "create", "DomainBlock", 9, "bad.example", severity="suspend")
    db.session.commit()

    browser = signed_in(app, "moddy")
    body = page(browser, "/admin/audit_log")
    assert "@spammer" in body and "bad.example" in body and "Spam" in body
    assert 'aria-label="Administration"' in body
    only = page(browser, f"/admin/audit_log?account_id={other.id}")
    assert "bad.example" in only and "@spammer" not in only
    by_action = page(browser, "/admin/audit_log?action=suspend")
    assert "@spammer" in by_action and "bad.example" not in by_action
    nothing = page(browser, "/admin/audit_log?target_type=Report")
    assert "Nothing recorded with these filters." in nothing


def test_audit_log_is_for_staff_only(app):
    make_local("alice")
    assert signed_in(app, "alice").get("/admin/audit_log").status_code == 403
    r = app.test_client().get("/admin/audit_log")
    assert r.status_code == 302 and "/auth/sign_in" in r.headers["Location"]
