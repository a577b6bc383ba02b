"""JSON bodies nested past json_limits.MAX_DEPTH: Mastodon's error JSON (422), nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fedi.extensions import db
from fedi.json_limits import MAX_DEPTH
from fedi.models import OAuthApplication, Status
from tests.helpers import bearer, token_for


def deep(levels: int) -> bytes:
    return b'{"status": ' + b"[" * levels + b"1" + b"]" * levels + b"}"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("levels", [MAX_DEPTH, 300, 10_000])
def test_posting_a_deeply_nested_body_is_422(client, alice, levels):
    r = client.post(
        "/api/v1/statuses",
        data=deep(levels),
        headers={**bearer(token_for(alice)), "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert set(r.get_json()) == {"error"}
    assert count(Status) == 0


@pytest.mark.parametrize("levels", [300, 10_000])
def test_registering_an_app_with_a_deeply_nested_body_is_422(client, levels):
    body = b'{"client_name": "x", "redirect_uris": ' + b"[" * levels + b"]" * levels + b"}"
    apps_before = count(OAuthApplication)
    r = client.post("/api/v1/apps", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert set(r.get_json()) == {"error"}
    assert count(OAuthApplication) == apps_before


def test_a_plain_json_body_still_posts(client, alice):
    r = client.post(
        "/api/v1/statuses",
        json={"status": "Hello", "visibility": "public"},
        headers=bearer(token_for(alice)),
    )
    assert r.status_code == 200 and r.get_json()["content"] == "<p>Hello</p>"
