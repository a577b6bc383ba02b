"""Grouped notifications (v2, Mastodon 4.3) and the notification policy (v2 shape)."""

from __future__ import annotations

from flask import Blueprint, request

from fedi.api.auth import current_account, require_oauth
from fedi.api.pagination import add_link_header, page_params
from fedi.api.params import params
from fedi.api.v1.accounts_common import accounts_json
from fedi.api.v1.notifications import READ, WRITE, count_limit, filters
from fedi.entities import notification_group as entity
from fedi.errors import DomainError
from fedi.http.json import json_response
from fedi.services import notifications
from fedi.services.notifications import groups

bp = Blueprint("api_v2_notifications", __name__, url_prefix="/api/v2/notifications")

EXPAND_ACCOUNTS = ("full", "partial_avatars")


def expand_accounts() -> str:
    value = request.args.get("expand_accounts")
    if value is None:
        return "full"
    if value not in EXPAND_ACCOUNTS:
        raise DomainError(  # Mastodon's InvalidParameterError: 400
            f"Invalid value for 'expand_accounts': '{value}', "
            "allowed values are 'full' and 'partial_avatars'"
        )
    return value


def grouped_types() -> list[str]:
    return [str(t) for t in params().list("grouped_types")]


@bp.get("")
@require_oauth(READ)
def index():
    viewer = current_account()
    expand = expand_accounts()
    result = groups.page(viewer, page_params(default=40, maximum=80), filters(), grouped_types())
    body = entity.grouped_results(result, viewer, expand_accounts=expand)
    return add_link_header(json_response(body), result.notifications)


@bp.get("/unread_count")
@require_oauth(READ)
def unread_count():
    count = groups.unread_count(
        current_account(), filters(), limit=count_limit(), grouped_types=grouped_types()
    )
    return json_response({"count": count})


@bp.get("/<group_key>")
@require_oauth(READ)
def show(group_key: str):
    viewer = current_account()
    return json_response(entity.grouped_results(groups.group(viewer, group_key), viewer))


@bp.post("/<group_key>/dismiss")
@require_oauth(WRITE)
def dismiss(group_key: str):
    groups.dismiss(current_account(), group_key)
    return json_response({})


@bp.get("/<group_key>/accounts")
@require_oauth(READ)
def accounts(group_key: str):
    rows = groups.accounts(current_account(), group_key, page_params(default=40, maximum=80))
    body = accounts_json([r.from_account for r in rows])
    return add_link_header(json_response(body), rows)


def policy_v2(policy: dict[str, str]) -> dict[str, object]:
    return {
        **policy,
        "summary": {"pending_requests_count": 0, "pending_notifications_count": 0},
    }


@bp.get("/policy")
@require_oauth(READ)
def show_policy():
    return json_response(policy_v2(notifications.policy.get_policy(current_account())))


@bp.route("/policy", methods=["PATCH", "PUT"])
@require_oauth(WRITE)
def update_policy():
    policy = notifications.policy.update_policy(current_account(), params().data)
    return json_response(policy_v2(policy))
