"""A tiny "remote server" for inbound federation tests: actors and objects served as
ActivityStreams JSON on 127.0.0.1 from a thread, inbox POSTs recorded, and signed POSTs to our
inboxes built with real keys."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from fedi.federation import signatures

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "activitypub"
LOCAL = "https://wren.test"
AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def new_key() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()  # fmt: skip
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


class RemoteServer:
    """Serves registered documents by path; records every POST (path, headers, JSON body)."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.posts: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.gets: list[str] = []
        self.gone: set[str] = set()  # paths answered 410 Gone (a deleted actor)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                server.gets.append(path)
                doc = None if path in server.gone else server.docs.get(path)
                body = json.dumps(doc).encode() if doc is not None else b"{}"
                missing = 410 if path in server.gone else 404
                self.send_response(200 if doc is not None else missing)
                self.send_header("Content-Type", "application/activity+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                server.posts.append((self.path, dict(self.headers), json.loads(body or b"{}")))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, doc: dict[str, Any]) -> dict[str, Any]:
        self.docs[urlsplit(doc["id"]).path] = doc
        return doc

    def posted(self, kind: str) -> list[dict[str, Any]]:
        return [body for _, _, body in self.posts if body.get("type") == kind]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class RemoteActor:
    """A Person on the remote server, with its own key."""

    def __init__(self, server: RemoteServer, username: str, key: tuple[str, str], **extra: Any):
        self.server = server
        self.uri = f"{server.base}/users/{username}"
        self.key_id = f"{self.uri}#main-key"
        self.private_pem, public_pem = key
        self.doc: dict[str, Any] = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.uri,
            "type": "Person",
            "preferredUsername": username,
            "name": username.title(),
            "summary": "<p>Remote person</p>",
            "url": f"{server.base}/@{username}",
            "inbox": f"{self.uri}/inbox",
            "outbox": f"{self.uri}/outbox",
            "followers": f"{self.uri}/followers",
            "following": f"{self.uri}/following",
            "endpoints": {"sharedInbox": f"{server.base}/inbox"},
            "manuallyApprovesFollowers": False,
            "publicKey": {"id": self.key_id, "owner": self.uri, "publicKeyPem": public_pem},
            **extra,
        }
        server.serve(self.doc)
        self._n = 0

    def next_id(self, kind: str = "activities") -> str:
        self._n += 1
        return f"{self.uri}/{kind}/{self._n}"

    def note(self, content: str, **fields: Any) -> dict[str, Any]:
        note = {
            "id": self.next_id("statuses"),
            "type": "Note",
            "attributedTo": self.uri,
            "content": content,
            "published": "2026-11-20T10:00:00Z",
            "to": [AS_PUBLIC],
            "cc": [f"{self.uri}/followers"],
            **fields,
        }
        return note

    def activity(self, kind: str, obj: Any, **fields: Any) -> dict[str, Any]:
        return {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": self.next_id(),
            "type": kind,
            "actor": self.uri,
            "object": obj,
            **fields,
        }

    def post(self, client, path: str, activity: dict[str, Any], **options: Any):
        body = json.dumps(activity).encode()
        headers = self.signed_headers(path, body, **options)
        return client.post(path, data=body, headers=headers)

    def signed_headers(
        self, path: str, body: bytes, *, key_id: str | None = None,
        private_pem: str | None = None, date: str | None = None,
    ) -> dict[str, str]:  # fmt: skip
        key_id, private_pem = key_id or self.key_id, private_pem or self.private_pem
        headers = {"Content-Type": "application/activity+json"}
        if date is None:
            return signatures.sign_headers(
                method="POST", url=f"{LOCAL}{path}", body=body, key_id=key_id,
                private_key_pem=private_pem, headers=headers,
            )  # fmt: skip
        return cavage_sign(path, body, key_id, private_pem, date, headers)


def cavage_sign(
    path: str, body: bytes, key_id: str, private_pem: str, date: str, headers: dict[str, str]
) -> dict[str, str]:
    """A draft-cavage signature with a chosen Date (to test stale requests)."""
    digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
    values = {
        "(request-target)": f"post {path}", "host": "wren.test", "date": date, "digest": digest,
    }  # fmt: skip
    signed = "\n".join(f"{k}: {v}" for k, v in values.items()).encode()
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    signature = base64.b64encode(key.sign(signed, padding.PKCS1v15(), hashes.SHA256())).decode()
    return {
        **headers, "Host": "wren.test", "Date": date, "Digest": digest,
        "Signature": f'keyId="{key_id}",algorithm="rsa-sha256",'
        f'headers="(request-target) host date digest",signature="{signature}"',
    }  # fmt: skip


def stale_date(hours: int = 13) -> str:
    import time

    return formatdate(time.time() - hours * 3600, usegmt=True)


def fixture(name: str, **values: str) -> dict[str, Any]:
    """A recorded payload with {REMOTE}, {ACTOR}, {LOCAL_ACTOR}... placeholders filled in."""
    text = (FIXTURES / name).read_text()
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return json.loads(text)


# --- fixtures (imported by the inbound test modules) ----------------------------------------

import pytest  # noqa: E402


@pytest.fixture(scope="module")
def remote_server():
    server = RemoteServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def remote_keys() -> tuple[tuple[str, str], tuple[str, str]]:
    return new_key(), new_key()


@pytest.fixture
def private_fetches(app):
    """Our fetches may reach the loopback "remote server" in these tests."""
    settings = app.config["FEDI"]
    saved = list(settings.ALLOWED_PRIVATE_ADDRESSES)
    settings.ALLOWED_PRIVATE_ADDRESSES = ["127.0.0.0/8"]
    try:
        yield
    finally:
        settings.ALLOWED_PRIVATE_ADDRESSES = saved


@pytest.fixture
def rita(remote_server, remote_keys, private_fetches) -> RemoteActor:
    remote_server.posts.clear()
    return RemoteActor(remote_server, "rita", remote_keys[0])


@pytest.fixture
def mallory(remote_server, remote_keys, private_fetches) -> RemoteActor:
    return RemoteActor(remote_server, "mallory", remote_keys[1])
