"""Notifications v1: list, get, dismiss, clear, unread count; the notification policy (v1 shape)
and notification requests (an always-empty queue: `filter` acts like `accept`, see
fedi/services/notifications/policy.py)."""

from __future__ import annotations

from flask import Blueprint, request

from fedi.api.auth import current_account, require_oauth
from fedi.api.pagination import add_link_header, page_params
from fedi.api.params import params, to_bool
from fedi.entities import notification as entity
from fedi.errors import NotFound
from fedi.http.json import json_response
from fedi.services import notifications
from fedi.services.pagination import PageParams

bp = Blueprint("api_v1_notifications", __name__, url_prefix="/api/v1/notifications")

READ = "read:notifications"
WRITE = "write:notifications"


def filters() -> notifications.Filters:
    p = params()
    return notifications.Filters.of(p.list("types"), p.list("exclude_types"), p.str("account_id"))


def notification_id(value: str) -> int:
    number = notifications.parse_id(value)
    if number is None or number < 0:
        raise NotFound("Record not found")
    return number


def count_limit() -> int:
    return PageParams.parse(request.args, default=100, maximum=1000).limit


@bp.get("")
@require_oauth(READ)
def index():
    viewer = current_account()
    rows = notifications.page(viewer, page_params(default=40, maximum=80), filters())
    return add_link_header(json_response(entity.render(rows, viewer)), rows)


@bp.get("/<id_>")
@require_oauth(READ)
def show(id_: str):
    viewer = current_account()
    return json_response(entity.one(notifications.get(viewer, notification_id(id_)), viewer))


@bp.post("/<id_>/dismiss")
@require_oauth(WRITE)
def dismiss(id_: str):
    notifications.dismiss(current_account(), notification_id(id_))
    return json_response({})


@bp.post("/clear")
@require_oauth(WRITE)
def clear():
    notifications.clear(current_account())
    return json_response({})


@bp.get("/unread_count")
@require_oauth(READ)
def unread_count():
    count = notifications.unread_count(current_account(), filters(), limit=count_limit())
    return json_response({"count": count})


def policy_v1(policy: dict[str, str]) -> dict[str, object]:
    body: dict[str, object] = {
        f"filter_{name}": policy[f"for_{name}"] != "accept"
        for name in notifications.policy.V1_FIELDS
    }
    body["summary"] = {"pending_requests_count": 0, "pending_notifications_count": 0}
    return body


@bp.get("/policy")
@require_oauth(READ)
def show_policy():
    return json_response(policy_v1(notifications.policy.get_policy(current_account())))


@bp.route("/policy", methods=["PATCH", "PUT"])
@require_oauth(WRITE)
def update_policy():
    changes = notifications.policy.v1_changes(params().data, to_bool)
    return json_response(policy_v1(notifications.policy.update_policy(current_account(), changes)))


@bp.get("/requests")
@require_oauth(READ)
def requests_index():
    return json_response([])


@bp.get("/requests/merged")
@require_oauth(READ)
def requests_merged():
    return json_response({"merged": True})


@bp.get("/requests/<id_>")
@require_oauth(READ)
def request_show(id_: str):
    raise NotFound("Record not found")


@bp.post("/requests/<id_>/accept")
@bp.post("/requests/<id_>/dismiss")
@require_oauth(WRITE)
def request_decide(id_: str):
    raise NotFound("Record not found")


@bp.post("/requests/accept")
@bp.post("/requests/dismiss")
@require_oauth(WRITE)
def requests_decide():
    return json_response({})
