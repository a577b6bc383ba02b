"""/api/v1/push/subscription and Web Push delivery: a real push service (a tiny HTTP server on
127.0.0.1) receives encrypted messages that the test decrypts with the subscriber's own keys."""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import orjson
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fedi.extensions import db
from fedi.models import PushSubscription
from fedi.services import follows, push
from tests.helpers import bearer, token_for


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Subscriber:
    """A browser's side of Web Push: its ECDH key pair and auth secret."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.p256dh = b64(point)

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth)
        return orjson.loads(plain)


class PushService:
    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                service.received.append(
                    (self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                self.send_response(service.status)
                if service.status in (301, 302, 307, 308):
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def push_service(app) -> Iterator[PushService]:
    settings = app.config["FEDI"]
    original = settings.ALLOWED_PRIVATE_ADDRESSES
    settings.ALLOWED_PRIVATE_ADDRESSES = ["127.0.0.0/8"]
    service = PushService()
    try:
        yield service
    finally:
        service.close()
        settings.ALLOWED_PRIVATE_ADDRESSES = original


def subscribe(client, token: str, sub: Subscriber, endpoint: str, **data):
    body = {
        "subscription": {
            "endpoint": endpoint,
            "keys": {"p256dh": sub.p256dh, "auth": b64(sub.auth)},
        },
        "data": data,
    }
    return client.post("/api/v1/push/subscription", json=body, headers=bearer(token))


def test_create_show_update_delete(client, alice):
    token, sub = token_for(alice), Subscriber()

    r = subscribe(client, token, sub, "https://push.example/abc", alerts={"mention": True})

    assert r.status_code == 200
    entity = r.get_json()
    assert entity["endpoint"] == "https://push.example/abc"
    assert entity["alerts"]["mention"] is True and entity["alerts"]["follow"] is False
    assert entity["policy"] == "all" and entity["server_key"] == push.public_key()
    assert client.get("/api/v1/push/subscription", headers=bearer(token)).get_json() == entity

    r = client.put(
        "/api/v1/push/subscription",
        json={"data": {"alerts": {"follow": "true"}, "policy": "followed"}},
        headers=bearer(token),
    )
    assert r.get_json()["alerts"]["follow"] is True and r.get_json()["alerts"]["mention"] is True
    assert r.get_json()["policy"] == "followed"

    assert client.delete("/api/v1/push/subscription", headers=bearer(token)).get_json() == {}
    assert client.get("/api/v1/push/subscription", headers=bearer(token)).status_code == 404


def test_one_subscription_per_token_and_scope_push_required(client, alice):
    token, sub = token_for(alice), Subscriber()
    subscribe(client, token, sub, "https://push.example/1")
    subscribe(client, token, sub, "https://push.example/2")
    assert db.session.query(PushSubscription).count() == 1

    read_only = token_for(alice, scopes="read")
    assert subscribe(client, read_only, sub, "https://push.example/3").status_code == 403
    assert client.get("/api/v1/push/subscription").status_code == 401


def test_invalid_subscription_is_refused(client, alice):
    token = token_for(alice)
    r = client.post(
        "/api/v1/push/subscription",
        json={"subscription": {"endpoint": "ftp://x", "keys": {"p256dh": "a", "auth": "b"}}},
        headers=bearer(token),
    )
    assert r.status_code == 422
    r = subscribe(client, token, Subscriber(), "https://push.example/1", policy="sometimes")
    assert r.status_code == 422


def test_vapid_key_in_instance_and_app(client):
    key = push.public_key()
    assert len(base64.urlsafe_b64decode(key + "==")) == 65  # an uncompressed P-256 point
    assert client.get("/api/v2/instance").get_json()["configuration"]["vapid"]["public_key"] == key
    app = client.post(
        "/api/v1/apps", json={"client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}
    )
    assert app.get_json()["vapid_key"] == key


def test_follow_is_pushed_encrypted_to_the_subscriber(client, alice, bob, push_service):
    token, sub = token_for(alice), Subscriber()
    subscribe(client, token, sub, f"{push_service.url}/send/alice", alerts={"follow": True})

    follows.follow(account=bob, target=alice)

    assert len(push_service.received) == 1
    path, headers, body = push_service.received[0]
    assert path == "/send/alice"
    assert headers["content-encoding"] == "aes128gcm"
    assert (
        headers["authorization"].startswith("vapid t=")
        and push.public_key() in headers["authorization"]
    )
    message = sub.decrypt(body)
    assert message["notification_type"] == "follow"
    assert message["title"] == "Bob followed you"
    assert message["access_token"] == token


def test_alerts_off_sends_nothing(client, alice, bob, push_service):
    subscribe(
        client, token_for(alice), Subscriber(), f"{push_service.url}/x", alerts={"mention": True}
    )
    follows.follow(account=bob, target=alice)
    assert push_service.received == []


def test_gone_subscription_is_deleted(client, alice, bob, push_service):
    push_service.status = 410
    subscribe(
        client, token_for(alice), Subscriber(), f"{push_service.url}/gone", alerts={"follow": True}
    )

    follows.follow(account=bob, target=alice)

    assert len(push_service.received) == 1
    assert db.session.query(PushSubscription).count() == 0


def test_private_endpoint_is_refused_unless_allowed(client, alice, bob, app):
    service = PushService()
    try:
        subscribe(
            client, token_for(alice), Subscriber(), f"{service.url}/x", alerts={"follow": True}
        )
        follows.follow(account=bob, target=alice)
        assert service.received == []
    finally:
        service.close()


def test_redirects_are_not_followed(client, alice, bob, push_service):
    push_service.status = 307
    sub = Subscriber()
    subscribe(client, token_for(alice), sub, f"{push_service.url}/r", alerts={"follow": True})

    follows.follow(account=bob, target=alice)

    assert [path for path, _, _ in push_service.received] == ["/r"]
    assert db.session.query(PushSubscription).count() == 1
