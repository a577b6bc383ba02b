"""GET/POST /api/v1/markers: saving positions, versions, and conflicting updates."""

from __future__ import annotations

from sqlalchemy import update

from fedi.extensions import db
from fedi.models import Marker
from tests.helpers import bearer, token_for


def test_markers_need_statuses_scopes(client, alice):
    assert client.get("/api/v1/markers").status_code == 401
    r = client.get("/api/v1/markers", headers=bearer(token_for(alice, "read:lists")))
    assert r.status_code == 403
    r = client.post(
        "/api/v1/markers",
        data={"home[last_read_id]": "1"},
        headers=bearer(token_for(alice, "read:statuses")),
    )
    assert r.status_code == 403
    r = client.get("/api/v1/markers", headers=bearer(token_for(None, "read")))
    assert r.status_code == 422


def test_save_and_read_markers(client, alice):
    token = token_for(alice, "read:statuses write:statuses")
    assert client.get("/api/v1/markers", headers=bearer(token)).json == {}
    r = client.post(
        "/api/v1/markers",
        data={"home[last_read_id]": "103194548672408537", "notifications[last_read_id]": "35"},
        headers=bearer(token),
    )
    assert r.status_code == 200
    body = r.get_json()
    assert set(body) == {"home", "notifications"}
    assert body["home"]["last_read_id"] == "103194548672408537" and body["home"]["version"] == 0
    assert body["home"]["updated_at"].endswith("Z")

    r = client.post(
        "/api/v1/markers",
        json={"home": {"last_read_id": "103194548672408540"}},
        headers=bearer(token),
    )
    assert list(r.get_json()) == ["home"]
    assert r.get_json()["home"] == {
        **r.get_json()["home"],
        "last_read_id": "103194548672408540",
        "version": 1,
    }
    # The same position again changes nothing.
    r = client.post(
        "/api/v1/markers",
        json={"home": {"last_read_id": "103194548672408540"}},
        headers=bearer(token),
    )
    assert r.get_json()["home"]["version"] == 1

    r = client.get(
        "/api/v1/markers?timeline[]=home&timeline[]=notifications&timeline[]=x",
        headers=bearer(token),
    )
    assert r.get_json()["home"]["last_read_id"] == "103194548672408540"
    assert r.get_json()["notifications"] == {**body["notifications"]}
    only_home = client.get("/api/v1/markers?timeline=home", headers=bearer(token)).json
    assert list(only_home) == ["home"]
    assert client.get("/api/v1/markers", headers=bearer(token)).json == {}


def test_bad_values_and_unknown_timelines(client, alice):
    token = token_for(alice, "write:statuses")
    r = client.post("/api/v1/markers", data={"home[last_read_id]": "abc"}, headers=bearer(token))
    assert r.status_code == 422
    assert r.get_json() == {"error": "Validation failed: Last read is not a number"}
    r = client.post("/api/v1/markers", data={"home[last_read_id]": ""}, headers=bearer(token))
    assert r.status_code == 422
    assert r.get_json() == {"error": "Validation failed: Last read can't be blank"}
    r = client.post("/api/v1/markers", data={"public[last_read_id]": "5"}, headers=bearer(token))
    assert r.status_code == 200 and r.get_json() == {}


def test_markers_are_per_account(client, alice, bob):
    client.post(
        "/api/v1/markers", data={"home[last_read_id]": "7"}, headers=bearer(token_for(alice))
    )
    r = client.get("/api/v1/markers?timeline[]=home", headers=bearer(token_for(bob)))
    assert r.get_json() == {}


def test_conflicting_concurrent_update_answers_409(client, alice):
    token = token_for(alice, "read write")
    client.post("/api/v1/markers", data={"home[last_read_id]": "10"}, headers=bearer(token))
    marker = db.session.query(Marker).one()
    assert marker.version == 0
    # Another writer changes the row behind this session's back (the loaded row stays stale).
    db.session.execute(
        update(Marker)
        .values(version=5, last_read_id=11)
        .execution_options(synchronize_session=False)
    )
    r = client.post("/api/v1/markers", data={"home[last_read_id]": "12"}, headers=bearer(token))
    assert r.status_code == 409
    assert r.get_json() == {"error": "Conflict during update, please try again"}
    # Trying again (with a fresh read) works.
    r = client.post("/api/v1/markers", data={"home[last_read_id]": "12"}, headers=bearer(token))
    assert r.status_code == 200 and r.get_json()["home"]["version"] == 1
