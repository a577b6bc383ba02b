"""Mastodon's admin measures and dimensions: the dashboard's numbers for admin apps, with
Mastodon's shapes, counted per UTC day, and only for staff tokens with the admin scope."""

from __future__ import annotations

from datetime import timedelta

from fedi.extensions import db
from fedi.models import Report, Role, utcnow
from fedi.services import statuses
from tests.helpers import bearer, make_local, token_for


def _post(client, path, token, **data):
    return client.post(path, json=data, headers=bearer(token))


def test_measures_count_per_day_with_the_previous_total(app, client):
    mod = make_local("moddy", role=Role.MODERATOR)
    alice = make_local("alice")
    statuses.post_status(account=alice, text="hello")
    db.session.add(Report(account_id=alice.id, target_account_id=mod.id, comment="x"))
    db.session.commit()
    today = utcnow().date()
    token = token_for(mod, "admin:read")
    week_ago = (today - timedelta(days=6)).isoformat()
    r = _post(client, "/api/v1/admin/measures", token,
              keys=["new_users", "opened_reports", "local_statuses", "nonsense"],
              start_at=week_ago, end_at=today.isoformat())  # fmt: skip
    assert r.status_code == 200, r.get_json()
    by_key = {m["key"]: m for m in r.get_json()}
    assert list(by_key) == ["new_users", "opened_reports", "local_statuses"]
    new_users = by_key["new_users"]
    assert new_users["total"] == "2" and new_users["previous_total"] == "0"
    assert len(new_users["data"]) == 7
    midnight = f"{today.isoformat()}T00:00:00.000+00:00"
    assert new_users["data"][-1] == {"date": midnight, "value": "2"}
    assert by_key["opened_reports"]["total"] == "1"
    assert by_key["local_statuses"]["data"][-1]["value"] == "1"


def test_dimensions_name_the_software_and_the_space_used(app, client):
    admin = make_local("boss", role=Role.ADMIN)
    today = utcnow().date().isoformat()
    r = _post(client, "/api/v1/admin/dimensions", token_for(admin, "admin:read"),
              keys=["software_versions", "space_usage", "languages"],
              start_at=today, end_at=today)  # fmt: skip
    assert r.status_code == 200
    found = {d["key"]: d["data"] for d in r.get_json()}
    assert found["software_versions"][0]["key"] == "wren"
    assert {row["key"] for row in found["space_usage"]} == {"database", "media"}
    assert all(row["unit"] == "bytes" for row in found["space_usage"])


def test_measures_need_staff_and_the_admin_scope(app, client):
    alice = make_local("alice")
    mod = make_local("moddy", role=Role.MODERATOR)
    today = utcnow().date().isoformat()
    body = {"keys": ["new_users"], "start_at": today, "end_at": today}
    assert client.post("/api/v1/admin/measures", json=body).status_code == 401
    r = _post(client, "/api/v1/admin/measures", token_for(alice, "admin:read"), **body)
    assert r.status_code == 403 and r.get_json() == {"error": "This action is not allowed"}
    r = _post(client, "/api/v1/admin/measures", token_for(mod, "read"), **body)
    assert r.status_code == 403
    bad = _post(client, "/api/v1/admin/measures", token_for(mod, "admin:read"),
                keys=["new_users"], start_at="yesterday", end_at=today)  # fmt: skip
    assert bad.status_code == 422 and "start_at" in bad.get_json()["error"]
