"""Follow requests waiting for the signed-in account: list, authorize, reject."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.api.pagination import page_params
from fedi.api.v1.accounts_common import (
    ACCOUNTS_DEFAULT,
    ACCOUNTS_MAX,
    paged_accounts,
    relationship_response,
)
from fedi.services import account_lookup, follows

bp = Blueprint("api_v1_follow_requests", __name__, url_prefix="/api/v1/follow_requests")


@bp.get("")
@require_oauth("read:follows")
def index():
    page = page_params(default=ACCOUNTS_DEFAULT, maximum=ACCOUNTS_MAX)
    return paged_accounts(follows.requests_page(current_account(), page))


@bp.post("/<int:account_id>/authorize")
@require_oauth("write:follows")
def authorize(account_id: int):
    requester = account_lookup.get_account(account_id)
    follows.authorize_request(target=current_account(), requester=requester)
    return relationship_response(current_account(), requester)


@bp.post("/<int:account_id>/reject")
@require_oauth("write:follows")
def reject(account_id: int):
    requester = account_lookup.get_account(account_id)
    follows.reject_request(target=current_account(), requester=requester)
    return relationship_response(current_account(), requester)
