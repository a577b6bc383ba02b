"""GET /api/v1/instance and /api/v2/instance: what clients read at start-up."""

from __future__ import annotations

from fedi.services import statuses
from tests.helpers import make_remote


def test_v1_instance(client, alice, bob):
    statuses.post_status(account=alice, text="one")
    statuses.post_status(account=bob, text="two", visibility_="private")
    make_remote("dave", "remote.example")
    make_remote("erin", "other.example")

    r = client.get("/api/v1/instance")

    assert r.status_code == 200 and r.mimetype == "application/json"
    body = r.get_json()
    assert body["uri"] == "wren.test"
    assert body["version"].startswith("4.3.0 (compatible; Wren ")
    assert body["urls"] == {"streaming_api": "wss://wren.test"}
    assert body["stats"] == {"user_count": 2, "status_count": 2, "domain_count": 2}
    assert body["registrations"] is True and body["approval_required"] is False
    config = body["configuration"]
    assert config["statuses"] == {
        "max_characters": 500,
        "max_media_attachments": 4,
        "characters_reserved_per_url": 23,
    }
    assert all("*" not in t for t in config["media_attachments"]["supported_mime_types"])
    assert body["contact_account"] is None and body["rules"] == []


def test_v2_instance(client, app, alice, bob):
    statuses.post_status(account=alice, text="active this month")  # bob is not active
    app.config["FEDI"].INSTANCE_CONTACT_USERNAME = "alice"
    try:
        body = client.get("/api/v2/instance/").get_json()
    finally:
        app.config["FEDI"].INSTANCE_CONTACT_USERNAME = ""
    assert body["domain"] == "wren.test"
    assert body["version"].startswith("4.3.0 (compatible; Wren ")
    assert body["configuration"]["urls"]["streaming"] == "wss://wren.test"
    assert body["configuration"]["statuses"]["max_characters"] == 500
    assert body["configuration"]["polls"]["max_options"] == 4
    assert set(body["configuration"]["vapid"]) == {"public_key"}
    assert body["registrations"]["enabled"] is True
    assert body["api_versions"] == {"mastodon": 2}
    contact = body["contact"]["account"]
    assert contact["id"] == str(alice.id) and contact["acct"] == "alice"
    assert contact["url"] == "https://wren.test/@alice"
    assert body["usage"]["users"]["active_month"] == 1


def test_unknown_api_route_answers_mastodon_error_json(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.get_json() == {"error": "Record not found"}
