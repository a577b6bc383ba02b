"""Accounts the signed-in account mutes, each with when its mute ends."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.api.pagination import add_link_header, page_params
from fedi.api.v1.accounts_common import ACCOUNTS_DEFAULT, ACCOUNTS_MAX, accounts_json
from fedi.entities.common import iso
from fedi.http.json import json_response
from fedi.services import blocks

bp = Blueprint("api_v1_mutes", __name__, url_prefix="/api/v1/mutes")


@bp.get("")
@require_oauth("read:mutes")
def index():
    page = page_params(default=ACCOUNTS_DEFAULT, maximum=ACCOUNTS_MAX)
    pairs = blocks.mutes_page(current_account(), page)
    body = accounts_json([account for _, account in pairs])
    for item, (mute, _) in zip(body, pairs, strict=True):
        item["mute_expires_at"] = iso(mute.expires_at)
    return add_link_header(json_response(body), pairs, key=lambda pair: pair[0].id)
