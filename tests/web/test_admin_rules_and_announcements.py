"""Admins write the server's rules and announcements from the admin pages, with plain forms:
rules are added, edited, reordered and deleted, and the about page and the API follow;
announcements are published now, scheduled (the periodic task publishes them when due) or kept
as drafts, show on everyone's home timeline until dismissed, and reach the API. Every change is
in the audit log; moderators and users get 403."""

from __future__ import annotations

from datetime import timedelta

from fedi.extensions import db
from fedi.models import Announcement, AuditLogEntry, InstanceRule, Role, utcnow
from fedi.services import announcement_admin
from tests.helpers import bearer, make_local, token_for
from tests.web.signed_in import form_post, page, signed_in


def _rule_texts(client) -> list[str]:
    return [r["text"] for r in client.get("/api/v1/instance/rules").get_json()]


def test_admin_writes_and_orders_the_rules(app, client):
    make_local("boss", role=Role.ADMIN)
    admin = signed_in(app, "boss")
    for text in ("Be kind", "No spam", ""):
        r = form_post(admin, "/admin/rules/", {"text": text, "hint": "Really."})
    assert r.status_code == 422 and "A rule needs a text" in r.get_data(as_text=True)
    assert _rule_texts(client) == ["Be kind", "No spam"]
    spam = db.session.query(InstanceRule).filter_by(text="No spam").one()
    assert form_post(admin, f"/admin/rules/{spam.id}/up").status_code == 303
    assert _rule_texts(client) == ["No spam", "Be kind"]
    form_post(admin, f"/admin/rules/{spam.id}", {"text": "No spam, no ads", "hint": ""})
    assert "No spam, no ads" in page(client, "/about")
    form_post(admin, f"/admin/rules/{spam.id}/delete")
    assert _rule_texts(client) == ["Be kind"]
    actions = [e.action for e in db.session.query(AuditLogEntry).order_by(AuditLogEntry.id)]
    assert actions == ["create", "create", "reorder", "update", "destroy"]


def test_announcements_published_now_show_until_dismissed(app, client):
    make_local("boss", role=Role.ADMIN)
    alice = make_local("alice")
    admin = signed_in(app, "boss")
    r = form_post(admin, "/admin/announcements/",
                  {"text": "Maintenance tonight, see #status", "when": "now"})  # fmt: skip
    assert r.status_code == 303
    listed = client.get("/api/v1/announcements", headers=bearer(token_for(alice))).get_json()
    assert len(listed) == 1 and "Maintenance tonight" in listed[0]["content"]
    assert "/tags/status" in listed[0]["content"]  # rendered like a post

    browser = signed_in(app, "alice")
    home = page(browser, "/home")
    row = db.session.query(Announcement).one()
    assert f'id="announcement-{row.id}"' in home and "Maintenance tonight" in home
    r = form_post(browser, f"/announcements/{row.id}/dismiss", follow_redirects=False)
    assert r.status_code == 303
    assert "Maintenance tonight" not in page(browser, "/home")

    form_post(admin, f"/admin/announcements/{row.id}/unpublish")
    assert client.get("/api/v1/announcements", headers=bearer(token_for(alice))).get_json() == []


def test_scheduled_announcements_wait_for_their_time(app, client):
    make_local("boss", role=Role.ADMIN)
    alice = make_local("alice")
    admin = signed_in(app, "boss")
    later = (utcnow() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    r = form_post(admin, "/admin/announcements/",
                  {"text": "New rules soon", "when": "later", "scheduled_at": later})  # fmt: skip
    assert r.status_code == 303
    assert "Scheduled for" in page(admin, "/admin/announcements/")
    assert client.get("/api/v1/announcements", headers=bearer(token_for(alice))).get_json() == []
    assert announcement_admin.publish_due() == 0
    row = db.session.query(Announcement).one()
    row.scheduled_at = utcnow() - timedelta(seconds=1)  # its time has come
    db.session.commit()
    assert announcement_admin.publish_due() == 1 and announcement_admin.publish_due() == 0
    assert len(client.get("/api/v1/announcements", headers=bearer(token_for(alice))).get_json())
    past = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    r = form_post(admin, "/admin/announcements/",
                  {"text": "Too late", "when": "later", "scheduled_at": past})  # fmt: skip
    assert r.status_code == 422 and "must be in the future" in r.get_data(as_text=True)


def test_drafts_and_edits(app):
    make_local("boss", role=Role.ADMIN)
    admin = signed_in(app, "boss")
    form_post(admin, "/admin/announcements/", {"text": "Draft <b>one</b>", "when": "draft"})
    row = db.session.query(Announcement).one()
    assert not row.published and "&lt;b&gt;" in row.text  # written like a post: escaped
    edit = page(admin, f"/admin/announcements/?edit={row.id}")
    assert "Draft &lt;b&gt;one&lt;/b&gt;</textarea>" in edit
    form_post(admin, f"/admin/announcements/{row.id}", {"text": "Draft two", "when": "now"})
    db.session.refresh(row)
    assert row.published and row.source == "Draft two"


def test_rules_and_announcements_are_for_admins(app):
    make_local("moddy", role=Role.MODERATOR)
    mod = signed_in(app, "moddy")
    for path in ("/admin/rules/", "/admin/announcements/"):
        assert mod.get(path).status_code == 403
        assert form_post(mod, path, {"text": "x", "when": "now"}).status_code == 403
