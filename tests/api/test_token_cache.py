"""The per-process cache of checked tokens (fedi/services/token_cache.py): it saves the token's
query, and a change to a token, login or suspension still applies to the very next request."""

from __future__ import annotations

import time

from sqlalchemy import select, text

from fedi.extensions import db
from fedi.models import OAuthToken, Role, utcnow
from fedi.services import oauth, sign_up_reviews, token_cache
from tests.helpers import bearer, count_queries, make_local, token_for

HOME = "/api/v1/timelines/home"


def _token_queries(client, token: str) -> tuple[int, int]:
    """(status code, statements reading oauth_tokens) of one home request."""
    with count_queries() as seen:
        status = client.get(HOME, headers=bearer(token)).status_code
    return status, sum("FROM oauth_tokens" in s for s in seen)


def _settle() -> None:
    """Wait out the moment after a change during which nothing is cached."""
    time.sleep(token_cache.QUIET_AFTER_CHANGE + 0.05)


def test_a_token_is_checked_once_then_served_from_the_cache(client, alice):
    token = token_for(alice, "read")
    _settle()
    assert _token_queries(client, token) == (200, 1)
    assert _token_queries(client, token) == (200, 0)
    assert _token_queries(client, "not-a-token") == (401, 1)
    assert _token_queries(client, "not-a-token") == (401, 1)  # unknown values are never kept


def test_revoking_applies_to_the_next_request(client, alice):
    token = token_for(alice, "read")
    _settle()
    assert _token_queries(client, token) == (200, 1)
    app_id = db.session.scalar(select(OAuthToken.application_id))
    oauth.revoke_app(alice, app_id)  # one bulk UPDATE, no ORM object changes
    assert client.get(HOME, headers=bearer(token)).status_code == 401


def test_suspension_and_approval_apply_to_the_next_request(client, alice):
    admin = make_local("staffer")
    admin.user.role = Role.ADMIN
    pending = make_local("newcomer")
    pending.user.approved = False
    db.session.commit()
    token = token_for(pending, "read")
    assert client.get(HOME, headers=bearer(token)).status_code == 403
    sign_up_reviews.approve(user_id=pending.user.id, by=admin)
    assert client.get(HOME, headers=bearer(token)).status_code == 200

    mine = token_for(alice, "read")
    _settle()
    assert client.get(HOME, headers=bearer(mine)).status_code == 200
    alice.suspended_at = utcnow()
    db.session.commit()
    assert client.get(HOME, headers=bearer(mine)).status_code == 403


def test_a_change_made_by_another_process_applies_within_the_ttl(client, alice, monkeypatch):
    monkeypatch.setattr(token_cache.cache, "ttl", 0.3)
    token = token_for(alice, "read")
    _settle()
    assert client.get(HOME, headers=bearer(token)).status_code == 200
    # Outside this process's engine (as another process would): no commit hook runs here.
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("UPDATE oauth_tokens SET revoked_at = created_at")
        raw.commit()
    finally:
        raw.close()
    assert client.get(HOME, headers=bearer(token)).status_code == 200  # still cached
    time.sleep(0.35)
    assert client.get(HOME, headers=bearer(token)).status_code == 401


def test_an_expiring_token_is_not_kept_past_its_expiry(client, alice):
    token = token_for(alice, "read")
    db.session.execute(text("UPDATE oauth_tokens SET expires_in = 1"))
    db.session.commit()
    _settle()
    # Created a moment ago with a one-second life: cached for what is left of it at most.
    assert client.get(HOME, headers=bearer(token)).status_code in (200, 401)
    time.sleep(1.1)
    assert client.get(HOME, headers=bearer(token)).status_code == 401
