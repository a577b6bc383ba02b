"""The admin reports API (Mastodon's /api/v1/admin/reports): list with filters and Link
pagination, show, update, assign_to_self, unassign, resolve, reopen; the exact Admin::Report
and Admin::Account entities; scopes and roles (anonymous 401, a normal user's token with admin
scopes 403, a token without the scope 403); every action in the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import AuditLogEntry, InstanceRule, Report, Role
from fedi.services import reports, statuses
from tests.helpers import bearer, make_local, make_remote, token_for

READ, WRITE = "admin:read:reports", "admin:write:reports"
REPORT_KEYS = {
    "id", "action_taken", "action_taken_at", "category", "comment", "forwarded", "created_at",
    "updated_at", "account", "target_account", "assigned_account", "action_taken_by_account",
    "statuses", "rules",
}  # fmt: skip
ADMIN_ACCOUNT_KEYS = {
    "id", "username", "domain", "created_at", "email", "ip", "ips", "locale", "invite_request",
    "role", "confirmed", "approved", "disabled", "silenced", "suspended", "sensitized", "account",
}  # fmt: skip


@pytest.fixture
def moderator():
    return make_local("moddy", role=Role.MODERATOR)


@pytest.fixture
def auth(moderator):
    return bearer(token_for(moderator, f"{READ} {WRITE}"))


def test_list_filters_and_link_pagination(client, alice, bob, carol, auth):
    spammer = make_remote("spammer", "spam.example")
    first = reports.create_report(reporter=alice, target=bob)
    second = reports.create_report(reporter=carol, target=spammer)
    done = reports.create_report(reporter=alice, target=spammer)
    done.action_taken_at = done.created_at
    db.session.commit()

    def ids(query: str = "") -> list[str]:
        r = client.get(f"/api/v1/admin/reports{query}", headers=auth)
        assert r.status_code == 200, r.get_json()
        return [x["id"] for x in r.get_json()]

    assert ids() == [str(second.id), str(first.id)]  # newest first, open only
    assert ids("?resolved=true") == [str(done.id)]
    assert ids("?resolved=false") == [str(second.id), str(first.id)]
    assert ids(f"?account_id={carol.id}") == [str(second.id)]
    assert ids(f"?target_account_id={spammer.id}") == [str(second.id)]
    assert ids(f"?target_account_id={spammer.id}&resolved=1") == [str(done.id)]

    r = client.get("/api/v1/admin/reports?limit=1", headers=auth)
    assert [x["id"] for x in r.get_json()] == [str(second.id)]
    assert f"max_id={second.id}" in r.headers["Link"] and 'rel="next"' in r.headers["Link"]
    assert ids(f"?limit=1&max_id={second.id}") == [str(first.id)]
    assert ids(f"?min_id={first.id}") == [str(second.id)]


def test_entity_shape(client, alice, bob, auth, moderator):
    rule = InstanceRule(id=new_id(), text="No spam", hint="Really")
    db.session.add(rule)
    db.session.commit()
    post = statuses.post_status(account=bob, text="spam")
    report = reports.create_report(
        reporter=alice, target=bob, status_ids=[post.id], comment="Spam!",
        category="violation", rule_ids=[rule.id],
    )  # fmt: skip
    client.post(f"/api/v1/admin/reports/{report.id}/assign_to_self", headers=auth)

    body = client.get(f"/api/v1/admin/reports/{report.id}", headers=auth).get_json()
    assert set(body) == REPORT_KEYS
    assert body["id"] == str(report.id) and body["category"] == "violation"
    assert body["comment"] == "Spam!" and body["action_taken"] is False
    assert body["action_taken_at"] is None and body["forwarded"] is False
    assert body["created_at"].endswith("Z") and body["updated_at"].endswith("Z")
    assert body["action_taken_by_account"] is None
    assert [s["id"] for s in body["statuses"]] == [str(post.id)]
    assert body["statuses"][0]["content"] and body["statuses"][0]["account"]["acct"] == "bob"
    assert body["rules"] == [
        {"id": str(rule.id), "text": "No spam", "hint": "Really", "translations": {}}
    ]
    target = body["target_account"]
    assert set(target) == ADMIN_ACCOUNT_KEYS
    assert target["id"] == str(bob.id) and target["username"] == "bob"
    assert target["domain"] is None and target["email"] == "bob@example.com"
    assert target["account"]["acct"] == "bob" and target["ips"] == []
    assert target["role"]["id"] == "-99" and target["suspended"] is False
    assert body["account"]["id"] == str(alice.id)
    assigned = body["assigned_account"]
    assert assigned["id"] == str(moderator.id) and assigned["role"]["name"] == "Moderator"
    assert int(assigned["role"]["permissions"]) & (1 << 4)  # manage_reports

    remote = make_remote("spammer", "spam.example")
    flagged = reports.create_report(reporter=alice, target=remote)
    body = client.get(f"/api/v1/admin/reports/{flagged.id}", headers=auth).get_json()
    assert body["target_account"]["domain"] == "spam.example"
    assert body["target_account"]["email"] is None and body["target_account"]["confirmed"] is False


def test_actions(client, alice, bob, auth, moderator):
    rule = InstanceRule(id=new_id(), text="No spam")
    db.session.add(rule)
    db.session.commit()
    report = reports.create_report(reporter=alice, target=bob)
    base = f"/api/v1/admin/reports/{report.id}"

    body = client.post(f"{base}/assign_to_self", headers=auth).get_json()
    assert body["assigned_account"]["id"] == str(moderator.id)
    body = client.post(f"{base}/unassign", headers=auth).get_json()
    assert body["assigned_account"] is None
    body = client.post(f"{base}/resolve", headers=auth).get_json()
    assert body["action_taken"] is True and body["action_taken_at"].endswith("Z")
    assert body["action_taken_by_account"]["id"] == str(moderator.id)
    body = client.post(f"{base}/reopen", headers=auth).get_json()
    assert body["action_taken"] is False and body["action_taken_by_account"] is None

    r = client.put(base, headers=auth, json={"category": "violation", "rule_ids": [str(rule.id)]})
    assert r.status_code == 200
    assert r.get_json()["category"] == "violation"
    assert [x["id"] for x in r.get_json()["rules"]] == [str(rule.id)]
    r = client.put(base, headers=auth, json={"category": "spam"})
    assert r.get_json()["category"] == "spam" and r.get_json()["rules"] == []
    r = client.put(base, headers=auth, json={"category": "nonsense"})
    assert r.status_code == 422 and "is not included in the list" in r.get_json()["error"]
    r = client.put(base, headers=auth, json={"category": "violation", "rule_ids": ["123"]})
    assert r.status_code == 422
    assert db.session.get(Report, report.id).category.value == "spam"

    assert client.get("/api/v1/admin/reports/999", headers=auth).status_code == 404
    assert client.post("/api/v1/admin/reports/999/resolve", headers=auth).status_code == 404
    assert client.get("/api/v1/admin/reports/nope", headers=auth).get_json() == {
        "error": "Record not found"
    }
    actions = list(db.session.scalars(select(AuditLogEntry.action).order_by(AuditLogEntry.id)))
    assert actions == ["assigned_to_self", "unassigned", "resolve", "reopen", "update", "update"]


ENDPOINTS = [
    ("get", "", READ), ("get", "/{id}", READ), ("put", "/{id}", WRITE),
    ("post", "/{id}/assign_to_self", WRITE), ("post", "/{id}/unassign", WRITE),
    ("post", "/{id}/resolve", WRITE), ("post", "/{id}/reopen", WRITE),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS)
def test_scopes_and_roles(client, alice, bob, moderator, method, path, scope):
    report = reports.create_report(reporter=alice, target=bob)
    url = "/api/v1/admin/reports" + path.format(id=report.id)
    call = getattr(client, method)

    assert call(url).status_code == 401
    r = call(url, headers=bearer(token_for(alice, "admin:read admin:write")))
    assert r.status_code == 403 and r.get_json() == {"error": "This action is not allowed"}
    other = READ if scope == WRITE else WRITE
    assert call(url, headers=bearer(token_for(moderator, f"read write {other}"))).status_code == 403
    assert call(url, headers=bearer(token_for(moderator, scope))).status_code == 200
    broad = "admin:read" if scope == READ else "admin:write"
    assert call(url, headers=bearer(token_for(moderator, broad))).status_code == 200
    admin = make_local("root_admin", role=Role.ADMIN)
    assert call(url, headers=bearer(token_for(admin, scope))).status_code == 200
