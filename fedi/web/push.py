"""Web Push for the web UI: the signed-in browser's service worker subscription.

static/js/app.js asks for the key, subscribes through the Push API and posts the subscription
here (JSON, with the session's CSRF token in `X-CSRF-Token`), again on every page load while
permission is granted. The subscription belongs to the browser session and is deleted with it.
"""

from __future__ import annotations

from flask import Blueprint, request

from fedi.errors import Forbidden, Unprocessable
from fedi.http.json import json_response
from fedi.http.session import current_session_id
from fedi.services import push
from fedi.web.session import current_web_account

bp = Blueprint("web_push", __name__, url_prefix="/web/push")

WEB_ALERTS = {
    "mention": True,
    "follow": True,
    "follow_request": True,
    "favourite": True,
    "reblog": True,
    "poll": True,
    "update": False,
    "status": False,
}


def _account():
    account = current_web_account()
    if account is None:
        raise Forbidden("Sign in first")
    return account


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Unprocessable("Expected a JSON push subscription")
    return data


@bp.get("/key")
def key():
    _account()
    return json_response({"public_key": push.public_key()})


@bp.post("/subscribe")
def subscribe():
    data = _body()
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    row = push.subscribe(
        account=_account(),
        token_id=None,
        endpoint=data.get("endpoint"),
        p256dh=keys.get("p256dh"),
        auth=keys.get("auth"),
        alerts=WEB_ALERTS,
        web_session_id=current_session_id(),  # it ends with this browser's session
    )
    return json_response({"id": str(row.id)}, status=201)


@bp.post("/unsubscribe")
def unsubscribe():
    data = _body()
    endpoint = data.get("endpoint")
    if not isinstance(endpoint, str):
        raise Unprocessable("Expected the subscription's endpoint")
    push.unsubscribe_endpoint(_account(), endpoint)
    return json_response({}, status=200)
