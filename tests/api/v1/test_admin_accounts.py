"""Mastodon's admin accounts API, through HTTP with real tokens: every route for anonymous callers
(401), a normal user's token with admin scopes (403), a staff token without the scope (403); the
Admin::Account entity; the v1 and v2 filters with Link pagination; each action and its undo,
with the audit log, the warning the user sees and the report it resolves."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fedi.extensions import db
from fedi.models import (
    Account,
    AccountWarning,
    AuditLogEntry,
    Notification,
    NotificationType,
    Report,
    Role,
    User,
    utcnow,
)
from tests.helpers import bearer, make_local, make_remote, token_for

ADMIN_SCOPES = "read write admin:read admin:write"


@pytest.fixture
def mod():
    return make_local("moddy", role=Role.MODERATOR)


@pytest.fixture
def mod_token(mod):
    return token_for(mod, ADMIN_SCOPES)


def _get(client, path, token, **kw):
    return client.get(path, headers=bearer(token), **kw)


def _post(client, path, token, **data):
    return client.post(path, headers=bearer(token), json=data)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


ROUTES = [
    ("GET", "/api/v1/admin/accounts", "admin:read:accounts"),
    ("GET", "/api/v2/admin/accounts", "admin:read:accounts"),
    ("GET", "/api/v1/admin/accounts/{id}", "admin:read:accounts"),
    ("POST", "/api/v1/admin/accounts/{id}/action", "admin:write:accounts"),
    *[
        ("POST", f"/api/v1/admin/accounts/{{id}}/{name}", "admin:write:accounts")
        for name in ("approve", "reject", "enable", "unsilence", "unsuspend", "unsensitive")
    ],
    ("DELETE", "/api/v1/admin/accounts/{id}", "admin:write:accounts"),
]


def test_every_route_refuses_anonymous_users_and_missing_scopes(client, alice, mod):
    user_token = token_for(alice, ADMIN_SCOPES)
    unscoped = token_for(mod, "read write")
    for method, path, scope in ROUTES:
        url = path.format(id=alice.id)
        assert client.open(url, method=method).status_code == 401, url
        r = client.open(url, method=method, headers=bearer(user_token))
        assert r.status_code == 403 and r.get_json() == {"error": "This action is not allowed"}
        assert client.open(url, method=method, headers=bearer(unscoped)).status_code == 403, url
        narrow = token_for(mod, scope)
        if method == "GET":
            assert client.open(url, method=method, headers=bearer(narrow)).status_code == 200
    assert _count(AuditLogEntry) == 0
    db.session.expire_all()
    assert alice.suspended_at is None


def test_the_admin_account_entity(client, mod_token, app):
    from fedi.services import registrations

    app.config["FEDI"].REGISTRATIONS_MODE = "approved"
    try:
        signup = registrations.register(
            username="newbie", email="newbie@example.com", password="a long password",
            agreement=True, reason="I like birds", client_address="203.0.113.7",
        )  # fmt: skip
    finally:
        app.config["FEDI"].REGISTRATIONS_MODE = "open"
    body = _get(client, f"/api/v1/admin/accounts/{signup.account.id}", mod_token).get_json()
    assert set(body) == {
        "id", "username", "domain", "created_at", "email", "ip", "ips", "locale",
        "invite_request", "role", "confirmed", "approved", "disabled", "silenced", "suspended",
        "sensitized", "account",
    }  # fmt: skip
    assert body["id"] == str(signup.account.id) and body["username"] == "newbie"
    assert body["domain"] is None and body["email"] == "newbie@example.com"
    assert body["ip"] == "203.0.113.7" and body["ips"][0]["ip"] == "203.0.113.7"
    assert body["invite_request"] == "I like birds" and body["approved"] is False
    assert body["role"] == {"id": "-99", "name": "", "permissions": "65536", "color": "",
                            "highlighted": False}  # fmt: skip
    assert body["account"]["acct"] == "newbie"
    remote = make_remote("dave")
    body = _get(client, f"/api/v1/admin/accounts/{remote.id}", mod_token).get_json()
    assert body["domain"] == "remote.example" and body["email"] is None and body["role"] is None
    assert _get(client, "/api/v1/admin/accounts/999999", mod_token).status_code == 404


def test_v1_filters_and_link_pagination(client, mod_token, mod):
    alice = make_local("alice", display_name="Alice Liddell")
    bob = make_local("bob")
    pending = make_local("waiting", approved=False)
    remote = make_remote("dave", "elsewhere.example")
    silenced = make_local("quiet")
    silenced.silenced_at = utcnow()
    gone = make_local("gone")
    gone.suspended_at = utcnow()
    bob.user.disabled = True
    db.session.commit()

    def ids(query: str) -> set[str]:
        r = _get(client, f"/api/v1/admin/accounts{query}", mod_token)
        assert r.status_code == 200, r.get_data(as_text=True)
        return {a["username"] for a in r.get_json()}

    everyone_local = {"alice", "bob", "waiting", "quiet", "moddy"}
    assert ids("") == everyone_local  # local and not suspended by default
    assert ids("?remote=true") == {"dave"}
    assert ids("?by_domain=elsewhere.example&remote=1") == {"dave"}
    assert ids("?pending=true") == {"waiting"}
    assert ids("?disabled=true") == {"bob"}
    assert ids("?silenced=true") == {"quiet"}
    assert ids("?suspended=true") == {"gone"}
    assert ids("?staff=true") == {"moddy"}
    assert ids("?username=ali") == {"alice"}
    assert ids("?display_name=liddell") == {"alice"}
    assert ids("?email=bob@") == {"bob"}
    pending.user.sign_up_ip = "198.51.100.4"
    db.session.commit()
    assert ids("?ip=198.51.100.4&pending=1") == {"waiting"}
    assert ids("?ip=198.51.100.0/24&pending=1") == {"waiting"}
    assert ids("?ip=not-an-address") == set()

    r = _get(client, "/api/v1/admin/accounts?limit=2", mod_token)
    first = r.get_json()
    assert len(first) == 2 and 'rel="next"' in r.headers["Link"]
    next_url = r.headers["Link"].split(";")[0].strip("<>")
    assert "limit=2" in next_url and "max_id=" in next_url
    second = client.get(next_url.split("wren.test", 1)[1], headers=bearer(mod_token)).get_json()
    assert {a["id"] for a in first}.isdisjoint({a["id"] for a in second})
    assert remote.id and alice.id


def test_v2_filters(client, mod_token, mod):
    make_local("alice")
    make_local("admina", role=Role.ADMIN)
    make_remote("dave")
    gone = make_local("gone")
    gone.suspended_at = utcnow()
    db.session.commit()

    def names(query: str) -> set[str]:
        r = _get(client, f"/api/v2/admin/accounts{query}", mod_token)
        assert r.status_code == 200, r.get_data(as_text=True)
        return {a["username"] for a in r.get_json()}

    assert names("") == {"alice", "admina", "dave", "gone", "moddy"}  # v2: no default filter
    assert names("?origin=remote") == {"dave"}
    assert names("?origin=local&status=suspended") == {"gone"}
    assert names("?status=active&origin=local") == {"alice", "admina", "moddy"}
    assert names("?permissions=staff") == {"admina", "moddy"}
    assert names("?role_ids[]=2") == {"admina"}
    assert names("?role_ids[]=77") == set()
    assert names("?invited_by=1") == set()
    r = _get(client, "/api/v2/admin/accounts?status=wrong", mod_token)
    assert r.status_code == 422


def test_warning_with_a_report_resolves_it_and_tells_the_user(client, mod_token, mod, alice):
    reporter = make_local("carol")
    report = Report(account_id=reporter.id, target_account_id=alice.id, comment="rude")
    other = Report(account_id=reporter.id, target_account_id=alice.id, comment="again")
    db.session.add_all([report, other])
    db.session.commit()
    r = _post(client, f"/api/v1/admin/accounts/{alice.id}/action", mod_token,
              type="none", text="Please be kind.", report_id=str(report.id))  # fmt: skip
    assert r.status_code == 200 and r.get_json() == {}
    db.session.expire_all()
    assert report.action_taken_at is not None and report.action_taken_by_account_id == mod.id
    assert other.action_taken_at is None  # a warning resolves its own report only
    warning = db.session.scalar(select(AccountWarning))
    assert warning.action.value == "none" and warning.text == "Please be kind."
    assert warning.report_id == report.id
    actions = set(db.session.scalars(select(AuditLogEntry.action)))
    assert actions == {"warn", "resolve"}

    alice_token = token_for(alice, "read")
    notes = _get(client, "/api/v1/notifications", alice_token).get_json()
    assert notes[0]["type"] == "moderation_warning"
    assert notes[0]["account"]["id"] == str(alice.id)  # the recipient, as on Mastodon
    entity = notes[0]["moderation_warning"]
    assert entity["id"] == str(warning.id) and entity["action"] == "none"
    assert entity["text"] == "Please be kind." and entity["target_account"]["acct"] == "alice"
    grouped = _get(client, "/api/v2/notifications", alice_token).get_json()
    assert grouped["notification_groups"][0]["moderation_warning"]["text"] == "Please be kind."

    r = _post(client, f"/api/v1/admin/accounts/{alice.id}/action", mod_token,
              type="silence", send_email_notification=False)  # fmt: skip
    assert r.status_code == 200
    db.session.expire_all()
    assert other.action_taken_at is not None  # an action resolves every open report
    assert _count(Notification, Notification.type == NotificationType.MODERATION_WARNING) == 1


def test_bad_actions_are_refused(client, mod_token, mod, alice):
    url = f"/api/v1/admin/accounts/{alice.id}/action"
    r = _post(client, url, mod_token, type="obliterate")
    assert r.status_code == 422 and "Type" in r.get_json()["error"]
    assert _post(client, url, mod_token).status_code == 422
    assert _post(client, url, mod_token, type="none", report_id="12345").status_code == 404
    assert _post(client, url, mod_token, type="none", text="x" * 5001).status_code == 422
    remote = make_remote("dave")
    r = _post(client, f"/api/v1/admin/accounts/{remote.id}/action", mod_token, type="disable")
    assert r.status_code == 403
    own = _post(client, f"/api/v1/admin/accounts/{mod.id}/action", mod_token, type="suspend")
    assert own.status_code == 403
    admin = make_local("admina", role=Role.ADMIN)
    r = _post(client, f"/api/v1/admin/accounts/{admin.id}/action", mod_token, type="suspend")
    assert r.status_code == 403
    assert _post(client, f"/api/v1/admin/accounts/{remote.id}/enable", mod_token).status_code == 403
    assert _count(AuditLogEntry) == 0 and _count(AccountWarning) == 0


def test_each_action_and_its_undo(client, mod_token, mod, alice):
    base = f"/api/v1/admin/accounts/{alice.id}"
    alice_token = token_for(alice, "read")

    assert _post(client, f"{base}/action", mod_token, type="sensitive").status_code == 200
    body = _post(client, f"{base}/unsensitive", mod_token).get_json()
    assert body["sensitized"] is False

    assert _post(client, f"{base}/action", mod_token, type="silence").status_code == 200
    assert _get(client, base, mod_token).get_json()["silenced"] is True
    assert _get(client, f"/api/v1/accounts/{alice.id}", alice_token).get_json()["limited"]
    assert _post(client, f"{base}/unsilence", mod_token).get_json()["silenced"] is False

    assert _post(client, f"{base}/action", mod_token, type="disable").status_code == 200
    assert _get(client, base, mod_token).get_json()["disabled"] is True
    assert _get(client, "/api/v1/accounts/verify_credentials", alice_token).status_code in (
        401, 403,
    )  # fmt: skip
    assert _post(client, f"{base}/enable", mod_token).get_json()["disabled"] is False

    assert _post(client, f"{base}/action", mod_token, type="suspend").status_code == 200
    body = _get(client, base, mod_token).get_json()
    assert body["suspended"] is True
    assert _post(client, f"{base}/unsuspend", mod_token).get_json()["suspended"] is False

    actions = list(db.session.scalars(select(AuditLogEntry.action).order_by(AuditLogEntry.id)))
    assert actions == ["sensitive", "unsensitive", "silence", "unsilence", "disable", "enable",
                       "suspend", "unsuspend"]  # fmt: skip
    kinds = [w.action.value for w in db.session.scalars(select(AccountWarning))]
    assert sorted(kinds) == ["disable", "sensitive", "silence", "suspend"]


def test_approve_reject_and_delete(client, mod_token, mod):
    waiting = make_local("waiting", approved=False)
    other = make_local("another", approved=False)
    body = _post(client, f"/api/v1/admin/accounts/{waiting.id}/approve", mod_token).get_json()
    assert body["approved"] is True
    # an approved user cannot be rejected
    assert (
        _post(client, f"/api/v1/admin/accounts/{waiting.id}/reject", mod_token).status_code == 403
    )
    r = _post(client, f"/api/v1/admin/accounts/{other.id}/reject", mod_token)
    assert r.status_code == 200 and r.get_json() == {}
    assert db.session.scalar(select(Account).where(Account.username == "another")) is None

    # delete: only an account suspended and not yet purged
    target = make_local("target")
    assert client.delete(f"/api/v1/admin/accounts/{target.id}", headers=bearer(mod_token)
                         ).status_code == 403  # fmt: skip
    _post(client, f"/api/v1/admin/accounts/{target.id}/action", mod_token, type="suspend")
    r = client.delete(f"/api/v1/admin/accounts/{target.id}", headers=bearer(mod_token))
    assert r.status_code == 403  # deleting data is for admins, as on Mastodon
    admin_token = token_for(make_local("boss", role=Role.ADMIN), "admin:read admin:write")
    r = client.delete(f"/api/v1/admin/accounts/{target.id}", headers=bearer(admin_token))
    assert r.status_code == 200 and r.get_json() == {}
    db.session.expire_all()
    assert target.suspended_at is not None and target.purge_after is None  # purged at once
    assert db.session.get(User, target.user.id) is not None  # the login stays, signed out
    # purged: the suspension can no longer be lifted
    assert _post(client, f"/api/v1/admin/accounts/{target.id}/unsuspend", mod_token
                 ).status_code == 403  # fmt: skip
    actions = set(db.session.scalars(select(AuditLogEntry.action)))
    assert {"approve", "reject", "suspend", "destroy"} <= actions
