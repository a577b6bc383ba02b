"""Server settings written by an admin override the environment at once: the pages, the
instance entity, the about page and sign-up follow them; an empty field goes back to the
environment; bad values get a friendly error; only admins may change them, and each change is
in the audit log."""

from __future__ import annotations

from fedi.extensions import db
from fedi.models import AuditLogEntry, Role
from tests.helpers import make_local
from tests.web.signed_in import form_post, page, signed_in


def _save(browser, **values):
    return form_post(browser, "/admin/settings/", values, follow_redirects=False)


def test_admin_renames_the_server_and_closes_sign_ups(app, client):
    make_local("boss", role=Role.ADMIN)
    browser = signed_in(app, "boss")
    form = page(browser, "/admin/settings/")
    assert f'value="{app.config["FEDI"].INSTANCE_TITLE}"' in form and "(set here)" not in form
    about = '<p>We watch <a href="https://birds.example">birds</a>.</p><script>alert(1)</script>'
    closed = "Closed for the winter."
    r = _save(browser, INSTANCE_TITLE="Birdhouse", REGISTRATIONS_MODE="none",
              EXTENDED_DESCRIPTION=about, REGISTRATIONS_MESSAGE=closed)  # fmt: skip
    assert r.status_code == 303 and r.headers["Location"].endswith("saved=1")
    assert '<a class="brand" href="/">Birdhouse</a>' in page(browser, "/home")
    assert "(set here)" in page(browser, "/admin/settings/")
    v2 = client.get("/api/v2/instance").get_json()
    assert v2["title"] == "Birdhouse" and v2["registrations"]["enabled"] is False
    assert v2["registrations"]["message"] == "<p>Closed for the winter.</p>"
    about = client.get("/api/v1/instance/extended_description").get_json()
    assert "birds.example" in about["content"] and "<script" not in about["content"]
    assert client.get("/auth/sign_up").status_code == 403
    actions = {e.target_label for e in db.session.query(AuditLogEntry)}
    assert {"INSTANCE_TITLE", "REGISTRATIONS_MODE"} <= actions

    _save(browser, INSTANCE_TITLE="", REGISTRATIONS_MODE="", EXTENDED_DESCRIPTION="",
          REGISTRATIONS_MESSAGE="")  # fmt: skip
    assert client.get("/api/v2/instance").get_json()["title"] == app.config["FEDI"].INSTANCE_TITLE
    assert client.get("/auth/sign_up").status_code == 200


def test_trends_review_is_switched_from_the_page(app):
    make_local("boss", role=Role.ADMIN)
    browser = signed_in(app, "boss")
    assert app.config["FEDI"].TRENDS_NEED_REVIEW is False
    assert _save(browser, TRENDS_NEED_REVIEW="on").status_code == 303
    assert app.config["FEDI"].TRENDS_NEED_REVIEW is True
    assert "Only what a moderator approved trends" in page(browser, "/admin/trends/")
    assert _save(browser, TRENDS_NEED_REVIEW="off").status_code == 303
    assert app.config["FEDI"].TRENDS_NEED_REVIEW is False
    assert _save(browser, TRENDS_NEED_REVIEW="maybe").status_code == 422


def test_bad_values_get_a_friendly_error(app):
    make_local("boss", role=Role.ADMIN)
    browser = signed_in(app, "boss")
    r = _save(browser, INSTANCE_CONTACT_EMAIL="not an address")
    assert r.status_code == 422 and "is not an e-mail address" in r.get_data(as_text=True)
    r = _save(browser, INSTANCE_CONTACT_USERNAME="@nobody")
    assert r.status_code == 422 and "no local account @nobody" in r.get_data(as_text=True)
    r = _save(browser, REGISTRATIONS_MODE="everyone")
    assert r.status_code == 422


def test_only_admins_change_settings(app):
    make_local("moddy", role=Role.MODERATOR)
    mod = signed_in(app, "moddy")
    assert mod.get("/admin/settings/").status_code == 403
    assert _save(mod, INSTANCE_TITLE="Mine").status_code == 403
    assert "Server settings" not in page(mod, "/admin/audit_log")
