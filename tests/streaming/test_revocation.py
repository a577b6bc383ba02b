"""Streaming API connections end with their access: a password change (from the settings, by the
CLI), or revoking the app from the sessions page, closes the account's open WebSocket and
Server-Sent Events streams at once, and nobody else's."""

from __future__ import annotations

import time

import httpx
import pytest
from flask import Flask
from simple_websocket import ConnectionClosed

from fedi.extensions import db
from fedi.models import OAuthToken
from tests.helpers import token_for
from tests.streaming.conftest import FRAME_TIMEOUT, EventStream, WebSocket
from tests.web.signed_in import form_post, signed_in

NEW_PASSWORD = "a new long password"


def closed(ws: WebSocket, timeout: float = FRAME_TIMEOUT) -> bool:
    """Whether the server closes the socket within `timeout` (frames before are skipped)."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            ws.ws.receive(timeout=left)
        except ConnectionClosed:
            return True
    return False


def ended(stream: EventStream, timeout: float = FRAME_TIMEOUT) -> bool:
    """Whether the server ends the event stream within `timeout` (heartbeats come every 0.2 s,
    so the deadline is checked that often)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            stream.text += next(stream.chunks).decode()
        except (StopIteration, httpx.RemoteProtocolError, httpx.ReadError):
            return True
    return False


def opened(websocket, event_stream, account, bob):
    """Two of the account's apps streaming (a WebSocket and an event stream), and bob's."""
    ws = websocket(f"?stream=user&access_token={token_for(account)}")
    sse = event_stream("/api/v1/streaming/user", token_for(account, "read"))
    bobs = websocket(f"?stream=user&access_token={token_for(bob)}")
    ws.sync()
    bobs.sync()
    sse.read_until(lambda: sse.text.startswith(":)"), FRAME_TIMEOUT, "opening comment")
    return ws, sse, bobs


def test_password_change_closes_every_stream_of_the_account(app: Flask, websocket, event_stream,
                                                            alice, bob):  # fmt: skip
    browser = signed_in(app)
    ws, sse, bobs = opened(websocket, event_stream, alice, bob)

    right = {"current_password": "correct horse battery", "password": NEW_PASSWORD}
    assert form_post(browser, "/settings/password", right).status_code == 303

    assert closed(ws) and ended(sse)
    bobs.sync()  # someone else's stream goes on


def test_reset_by_the_cli_closes_every_stream_of_the_account(app: Flask, websocket, event_stream,
                                                             alice, bob):  # fmt: skip
    ws, sse, bobs = opened(websocket, event_stream, alice, bob)

    result = app.test_cli_runner().invoke(args=["fedi", "reset-password", "alice"])

    assert result.exit_code == 0, result.output
    assert closed(ws) and ended(sse)
    bobs.sync()


@pytest.mark.parametrize("page", ["/settings/sessions", "/settings/applications"])
def test_revoking_an_app_closes_its_streams_only(app: Flask, websocket, alice, page):
    browser = signed_in(app)
    revoked, kept = token_for(alice), token_for(alice)
    ws = websocket(f"?stream=user&access_token={revoked}")
    other = websocket(f"?stream=public&access_token={kept}")
    ws.sync()
    other.sync()
    app_id = db.session.query(OAuthToken.application_id).filter_by(access_token=revoked).scalar()

    r = form_post(browser, f"/settings/applications/{app_id}/revoke", {"next": page})

    assert r.status_code == 303 and r.headers["Location"] == page
    assert closed(ws)
    other.sync()  # another app's stream goes on
