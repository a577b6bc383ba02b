"""/web/live over real WebSocket connections to a server in a thread: HTML fragments for htmx's
ws extension, the viewer's rules, catching up after a reconnect, who may connect, and the stream
ending with its browser session (signed out, revoked, password changed elsewhere)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from flask import Flask
from simple_websocket import Client, ConnectionClosed
from werkzeug.serving import make_server

from fedi.extensions import db
from fedi.hub import streams
from fedi.models import WebSession
from fedi.services import blocks, follows, statuses
from fedi.web.live import LiveSession
from tests.oauth_flow import csrf, sign_in
from tests.web.signed_in import form_post, signed_in

TIMEOUT = 3.0
ORIGIN = "http://127.0.0.1"  # simple-websocket's client sends `Host: 127.0.0.1` (no port)


@pytest.fixture(scope="module")
def server(app: Flask) -> Iterator[str]:
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{srv.server_port}"
    finally:
        srv.shutdown()
        thread.join(timeout=10)


class Live:
    def __init__(self, base: str, query: str, cookie: str | None, origin: str | None) -> None:
        headers = {}
        if cookie:
            headers["Cookie"] = f"session={cookie}"
        if origin:
            headers["Origin"] = origin
        self.ws = Client.connect(f"ws://{base}/web/live{query}", headers=headers)

    def sync(self, since_id: int = 2**62) -> list[str]:
        """Send the newest id shown; the server answers (after any newer cards) with the badge."""
        self.ws.send(f'{{"since_id": "{since_id}"}}')
        got = []
        while True:
            data = self.ws.receive(timeout=TIMEOUT)
            assert data is not None, "no answer to since_id"
            got.append(data)
            if 'id="nav-badge"' in data:
                return got

    def next(self) -> str:
        data = self.ws.receive(timeout=TIMEOUT)
        assert data is not None, f"nothing within {TIMEOUT} s"
        return data

    def quiet(self, seconds: float = 0.5) -> None:
        assert self.ws.receive(timeout=seconds) is None

    def closed_by_server(self, timeout: float = TIMEOUT) -> bool:
        """Whether the server closes the socket within `timeout` (messages before are skipped)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                self.ws.receive(timeout=left)
            except ConnectionClosed:
                return True
        return False

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()


@pytest.fixture
def live(server: str, app: Flask) -> Iterator[Callable[..., Live]]:
    opened: list[Live] = []

    def connect(who=None, query: str = "?timeline=home", origin: str | None = None) -> Live:
        """A socket for `who`: a username (signed in in a new browser) or a signed-in client."""
        cookie = None
        if who:
            client = who
            if isinstance(who, str):
                client = app.test_client()
                sign_in(client, who)
            cookie = client.get_cookie("session").value
        conn = Live(server, query, cookie, origin or ORIGIN)
        opened.append(conn)
        return conn

    yield connect
    for conn in opened:
        conn.close()
    deadline = time.monotonic() + 5
    while streams.open_connections() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_followed_post_arrives_as_a_card_for_the_top_of_the_timeline(live, alice, bob):
    follows.follow(account=alice, target=bob)
    conn = live("alice")
    conn.sync()

    started = time.monotonic()
    status = statuses.post_status(account=bob, text="Hello, live web")
    html = conn.next()

    assert time.monotonic() - started < 2
    assert html.startswith('<div id="timeline" hx-swap-oob="afterbegin">')
    assert f'id="status-{status.id}"' in html and "Hello, live web" in html
    conn.quiet()


def test_notification_updates_the_badge(live, alice, bob):
    conn = live("alice")
    assert ">0</span>" in conn.sync()[-1]

    statuses.post_status(account=bob, text="@alice look")
    messages = [conn.next()]
    while 'id="nav-badge"' not in messages[-1]:
        messages.append(conn.next())

    badge = messages[-1]
    assert 'hx-swap-oob="true"' in badge and ">1</span>" in badge and " hidden" not in badge


def test_blocked_author_never_shows_on_the_local_timeline(live, alice, bob, carol):
    blocks.block(account=alice, target=bob)
    conn = live("alice", "?timeline=local")
    conn.sync()

    statuses.post_status(account=bob, text="You should not see this")
    shown = statuses.post_status(account=carol, text="Carol here")

    html = conn.next()
    assert f'id="status-{shown.id}"' in html and "should not see" not in html
    conn.quiet()


def test_reconnect_catches_up_on_what_was_missed(live, alice, bob):
    follows.follow(account=alice, target=bob)
    seen = statuses.post_status(account=bob, text="Seen before the network went away")
    missed = statuses.post_status(account=bob, text="Posted while offline")

    conn = live("alice")
    got = conn.sync(since_id=seen.id)

    assert len(got) == 2
    assert "Posted while offline" in got[0] and f'id="status-{missed.id}"' in got[0]
    assert "Seen before" not in got[0]
    statuses.post_status(account=bob, text="And one more")
    later = conn.next()
    assert "And one more" in later and "Posted while offline" not in later


def test_deleted_status_is_removed(live, alice, bob):
    follows.follow(account=alice, target=bob)
    status = statuses.post_status(account=bob, text="Soon gone")
    conn = live("alice")
    conn.sync()

    statuses.delete_status(status=status, by=bob)

    messages = [conn.next()]
    while "delete" not in messages[-1]:
        messages.append(conn.next())
    assert messages[-1] == f'<div id="status-{status.id}" hx-swap-oob="delete"></div>'


def test_hashtag_timeline(live, alice, bob):
    conn = live("alice", "?timeline=hashtag&tag=wren")
    conn.sync()
    statuses.post_status(account=bob, text="nothing tagged")
    tagged = statuses.post_status(account=bob, text="about #Wren")
    html = conn.next()
    assert f'id="status-{tagged.id}"' in html and "nothing tagged" not in html


def _upgrade(server: str, headers: dict[str, str], query: str = "?timeline=home") -> int:
    headers = {
        "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", **headers,
    }  # fmt: skip
    return httpx.get(f"http://{server}/web/live{query}", headers=headers, timeout=5).status_code


def test_who_may_connect(server, app, alice):
    client = app.test_client()
    sign_in(client, "alice")
    cookie = f"session={client.get_cookie('session').value}"
    origin = f"http://{server}"  # httpx sends the port in Host

    assert _upgrade(server, {"Origin": origin}) == 401  # no session
    assert _upgrade(server, {"Cookie": cookie, "Origin": "https://evil.example"}) == 403
    assert _upgrade(server, {"Cookie": cookie}) == 403  # no Origin at all
    assert _upgrade(server, {"Cookie": cookie, "Origin": origin}, "?timeline=nope") == 400


# --- the stream ends with its browser session ------------------------------------------------


def _session_ids() -> list[int]:
    db.session.expire_all()
    return [row.id for row in db.session.query(WebSession).order_by(WebSession.created_at)]


def test_revoking_a_browser_session_closes_its_live_stream(app, live, alice):
    laptop = signed_in(app)
    phone = signed_in(app)
    _, phone_id = _session_ids()
    on_laptop, on_phone = live(laptop), live(phone)
    on_laptop.sync()
    on_phone.sync()

    assert form_post(laptop, f"/settings/sessions/{phone_id}/revoke").status_code == 303

    assert on_phone.closed_by_server()
    on_laptop.sync()  # the other browser's stream goes on


def test_password_change_closes_the_other_browsers_live_streams(app, live, alice):
    laptop, phone = signed_in(app), signed_in(app)
    on_laptop, on_phone = live(laptop), live(phone)
    on_laptop.sync()
    on_phone.sync()

    right = {"current_password": "correct horse battery", "password": "a new long password"}
    assert form_post(laptop, "/settings/password", right).status_code == 303

    assert on_phone.closed_by_server()
    on_laptop.sync()  # the browser that changed it stays signed in, and its stream open


def test_signing_out_closes_that_browsers_live_stream(app, live, alice):
    laptop = signed_in(app)
    on_laptop = live(laptop)
    on_laptop.sync()
    assert laptop.post("/auth/sign_out", data={"csrf_token": csrf(laptop, "/")}).status_code == 303
    assert on_laptop.closed_by_server()


def test_a_lost_kill_event_is_caught_by_the_periodic_check(app, live, alice, monkeypatch):
    monkeypatch.setattr(LiveSession, "tick_seconds", 0.2)
    laptop = signed_in(app)
    on_laptop = live(laptop)
    on_laptop.sync()

    db.session.query(WebSession).delete()  # ended without the bus hearing of it
    db.session.commit()

    assert on_laptop.closed_by_server()
