"""Open streams hold no request thread: a gunicorn worker with 2 threads keeps answering requests
with 24 WebSocket and Server-Sent Events streams open, and every stream gets the next post.

One gunicorn process on the session app's database; with REDIS_URL a `fedi worker` runs the
fan-out, else the worker's in-process queue does. Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from flask import Flask
from simple_websocket import Client

from fedi.services import follows
from tests import helpers
from tests.processes import FEDI, process, session_app_env, web

pytestmark = pytest.mark.slow
STREAMS_OF_EACH_KIND = 12
DELIVERY_TIMEOUT = 20.0


def _read_sse_event(response: httpx.Response, deadline: float) -> tuple[str, str]:
    """The first `event:`/`data:` pair of an event stream (comments and heartbeats skipped)."""
    event = None
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line[len("event: ") :]
        elif line.startswith("data: ") and event is not None:
            return event, line[len("data: ") :]
        assert time.monotonic() < deadline, "no event in time"
    raise AssertionError("the event stream ended")


def test_open_streams_leave_the_request_threads_free(app: Flask, tmp_path: Path, alice, bob):
    env = session_app_env(app, tmp_path, helpers.redis_url() if os.environ.get("REDIS_URL") else "")
    follows.follow(account=alice, target=bob)
    reader, author = helpers.token_for(alice, "read"), helpers.token_for(bob, "write")
    with ExitStack() as stack:
        if env["REDIS_URL"]:
            stack.enter_context(process([*FEDI, "worker"], env, tmp_path / "worker"))
        base = stack.enter_context(web(env, tmp_path / "web", threads=2))
        http = stack.enter_context(httpx.Client(base_url=f"http://{base}", timeout=10))

        # Given 12 WebSockets and 12 event streams open on a worker with 2 request threads
        sockets = []
        for _ in range(STREAMS_OF_EACH_KIND):
            ws = Client.connect(f"ws://{base}/api/v1/streaming?stream=user&access_token={reader}")
            stack.callback(ws.close)
            sockets.append(ws)
        streams = []
        for _ in range(STREAMS_OF_EACH_KIND):
            request = http.build_request(
                "GET", "/api/v1/streaming/user", headers={"Authorization": f"Bearer {reader}"}
            )
            response = http.send(request, stream=True)
            stack.callback(response.close)
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            streams.append(response)

        # Then ordinary requests are still answered at once
        started = time.monotonic()
        for _ in range(10):
            assert http.get("/api/v1/instance").status_code == 200
        assert time.monotonic() - started < 5

        # And a post made through the same server reaches every stream
        posted = http.post(
            "/api/v1/statuses",
            json={"status": "To every stream"},
            headers={"Authorization": f"Bearer {author}"},
        )
        assert posted.status_code == 200, posted.text
        status_id = posted.json()["id"]
        deadline = time.monotonic() + DELIVERY_TIMEOUT
        for ws in sockets:
            frame = json.loads(ws.receive(timeout=DELIVERY_TIMEOUT) or "{}")
            assert frame.get("event") == "update", frame
            assert json.loads(frame["payload"])["id"] == status_id
        for response in streams:
            event, data = _read_sse_event(response, deadline)
            assert event == "update"
            assert json.loads(data)["id"] == status_id
