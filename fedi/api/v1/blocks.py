"""Accounts the signed-in account blocks."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.api.pagination import page_params
from fedi.api.v1.accounts_common import ACCOUNTS_DEFAULT, ACCOUNTS_MAX, paged_accounts
from fedi.services import blocks

bp = Blueprint("api_v1_blocks", __name__, url_prefix="/api/v1/blocks")


@bp.get("")
@require_oauth("read:blocks")
def index():
    page = page_params(default=ACCOUNTS_DEFAULT, maximum=ACCOUNTS_MAX)
    return paged_accounts(blocks.blocks_page(current_account(), page))
