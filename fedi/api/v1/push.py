"""Web Push subscriptions of the client API: /api/v1/push/subscription (one per access token)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth, token_from_request
from fedi.api.params import params
from fedi.http.json import json_response
from fedi.models import PushSubscription
from fedi.services import push

bp = Blueprint("api_v1_push", __name__, url_prefix="/api/v1/push/subscription")


def entity(row: PushSubscription) -> dict[str, Any]:
    """Mastodon's WebPushSubscription entity."""
    return {
        "id": str(row.id),
        "endpoint": row.endpoint,
        "standard": True,
        "alerts": dict(row.alerts or {}),
        "policy": row.policy,
        "server_key": push.public_key(),
    }


def _token_id() -> int:
    token = token_from_request()
    assert token is not None  # require_oauth ran
    return token.id


@bp.post("")
@require_oauth("push")
def create():
    p = params()
    sub, data = p.dict("subscription"), p.dict("data")
    keys = sub.get("keys") if isinstance(sub.get("keys"), dict) else {}
    row = push.subscribe(
        account=current_account(),
        token_id=_token_id(),
        endpoint=sub.get("endpoint"),
        p256dh=keys.get("p256dh"),
        auth=keys.get("auth"),
        alerts=data.get("alerts") if isinstance(data.get("alerts"), dict) else None,
        policy=data.get("policy") or p.str("policy"),
    )
    return json_response(entity(row))


@bp.get("")
@require_oauth("push")
def show():
    return json_response(entity(push.for_token(_token_id())))


@bp.put("")
@require_oauth("push")
def update():
    p = params()
    data = p.dict("data")
    row = push.update(
        push.for_token(_token_id()),
        alerts=data.get("alerts") if isinstance(data.get("alerts"), dict) else None,
        policy=data.get("policy") or p.str("policy"),
    )
    return json_response(entity(row))


@bp.delete("")
@require_oauth("push")
def destroy():
    push.unsubscribe_token(_token_id())
    return json_response({})
