"""Streaming across processes: a post made through one web process reaches a WebSocket client
connected to another, over Redis (two gunicorn web processes and a `fedi worker`, sharing the
session app's database).

Runs only with REDIS_URL (the in-memory bus cannot cross processes); every wait is bounded and
every process is killed in `finally`.
"""

from __future__ import annotations

import contextlib
import json
import os
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from flask import Flask
from simple_websocket import Client

from fedi.services import follows
from tests import helpers
from tests.processes import FEDI, output, process, session_app_env, wait_for, web

pytestmark = pytest.mark.slow
DELIVERY_TIMEOUT = 20.0  # the worker picks the fan-out task from Redis, then publishes


def _require_redis() -> str:
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: events cross processes only over Redis pub/sub")
    url = helpers.redis_url()
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError as exc:
        helpers.service_unavailable(f"Redis at {url} ({exc.__class__.__name__}: {exc})")
    return url


def test_post_through_one_process_reaches_a_websocket_on_another(
    app: Flask, tmp_path: Path, alice, bob
):
    env = session_app_env(app, tmp_path, _require_redis())
    follows.follow(account=alice, target=bob)
    reader, author = helpers.token_for(alice, "read"), helpers.token_for(bob, "write")

    with ExitStack() as stack:
        worker = stack.enter_context(process([*FEDI, "worker"], env, tmp_path / "worker"))
        process_a = stack.enter_context(web(env, tmp_path / "a"))
        process_b = stack.enter_context(web(env, tmp_path / "b"))

        # Given a client streaming alice's home timeline from process B
        ws = Client.connect(f"ws://{process_b}/api/v1/streaming?stream=user&access_token={reader}")
        stack.callback(ws.close)
        ws.send(json.dumps({"type": "subscribe", "stream": "sync.marker"}))
        answer = ws.receive(timeout=10)  # handled in order: the user stream is live by now
        assert json.loads(answer) == {"error": "Unknown stream type", "status": 400}

        # ...and one reading the local timeline as Server-Sent Events from process A
        sse = stack.enter_context(
            httpx.stream(
                "GET", f"http://{process_a}/api/v1/streaming/public/local",
                headers=helpers.bearer(reader), timeout=httpx.Timeout(10, read=DELIVERY_TIMEOUT),
            )
        )  # fmt: skip
        chunks = sse.iter_text()
        assert next(chunks).startswith(":)\n")  # subscribed

        # When bob posts through process A's API
        response = httpx.post(
            f"http://{process_a}/api/v1/statuses",
            headers=helpers.bearer(author),
            data={"status": "Hello from process A"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        status_id = response.json()["id"]

        # Then the update reaches the client on process B (fanned out by the worker, via Redis)
        def update() -> dict | None:
            if worker.poll() is not None:
                pytest.fail(f"the worker exited: {output(tmp_path / 'worker')}")
            data = ws.receive(timeout=0.5)
            frame = json.loads(data) if data else None
            return frame if frame and frame.get("event") == "update" else None

        frame = wait_for("the update on process B", update, DELIVERY_TIMEOUT, interval=0)
        assert frame["stream"] == ["user"]
        entity = json.loads(frame["payload"])
        assert entity["id"] == status_id
        assert entity["account"]["acct"] == "bob"
        assert entity["content"] == "<p>Hello from process A</p>"

        # ...and the SSE client on process A too, in Mastodon's framing
        received = ""
        while "\n\n" not in received:
            received += next(chunks)  # bounded by the read timeout
        event = received[received.index("event: ") :].split("\n\n")[0]
        assert event.startswith("event: update\ndata: {")
        assert json.loads(event.split("data: ", 1)[1])["id"] == status_id

    for name in ("worker", "a", "b"):
        stdout, stderr = output(tmp_path / name)
        assert "Traceback" not in stdout + stderr, f"{name}:\n{stdout}\n{stderr}"


def _close_quietly(client: Client) -> None:
    with contextlib.suppress(Exception):  # closed by the server already
        client.close()


def test_password_change_in_one_process_closes_streams_on_another(
    app: Flask, tmp_path: Path, alice
):
    from simple_websocket import ConnectionClosed

    from tests.web.signed_in import form_post, signed_in

    env = session_app_env(app, tmp_path, _require_redis())
    laptop, phone = signed_in(app), signed_in(app)  # two browsers; the laptop changes it
    token = helpers.token_for(alice, "read")

    def closed(client: Client) -> bool:
        try:
            while client.receive(timeout=10) is not None:
                pass
        except ConnectionClosed:
            return True
        return False

    with ExitStack() as stack:
        other = stack.enter_context(web(env, tmp_path / "b"))
        # Given an app streaming alice's home from process B...
        ws = Client.connect(f"ws://{other}/api/v1/streaming?stream=user&access_token={token}")
        stack.callback(_close_quietly, ws)
        ws.send(json.dumps({"type": "subscribe", "stream": "sync.marker"}))
        assert json.loads(ws.receive(timeout=10))["status"] == 400  # the user stream is live
        # ...and the phone's browser showing it live from process B too
        cookie = f"session={phone.get_cookie('session').value}"
        live = Client.connect(
            f"ws://{other}/web/live?timeline=home",
            headers={"Cookie": cookie, "Origin": "http://127.0.0.1"},
        )
        stack.callback(_close_quietly, live)
        live.send('{"since_id": "1"}')
        assert 'id="nav-badge"' in live.receive(timeout=10)  # subscribed

        # When the password changes through this process
        right = {"current_password": "correct horse battery", "password": "a new long password"}
        assert form_post(laptop, "/settings/password", right).status_code == 303

        # Then both streams on process B close (the kills went over Redis)
        assert closed(ws) and closed(live)

    stdout, stderr = output(tmp_path / "b")
    assert "Traceback" not in stdout + stderr, f"{stdout}\n{stderr}"
