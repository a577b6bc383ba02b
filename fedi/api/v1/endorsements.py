"""Accounts the signed-in account features on its profile."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.api.pagination import page_params
from fedi.api.v1.accounts_common import ACCOUNTS_DEFAULT, ACCOUNTS_MAX, paged_accounts
from fedi.services import endorsements

bp = Blueprint("api_v1_endorsements", __name__, url_prefix="/api/v1/endorsements")


@bp.get("")
@require_oauth("read:accounts")
def index():
    page = page_params(default=ACCOUNTS_DEFAULT, maximum=ACCOUNTS_MAX)
    return paged_accounts(endorsements.endorsed_page(current_account(), page))
