"""Remote domains the signed-in account hides from itself."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.api.pagination import add_link_header, page_params
from fedi.api.params import params
from fedi.http.json import json_response
from fedi.services import blocks

bp = Blueprint("api_v1_domain_blocks", __name__, url_prefix="/api/v1/domain_blocks")


@bp.get("")
@require_oauth("read:blocks")
def index():
    rows = blocks.domain_blocks_page(current_account(), page_params(default=100, maximum=200))
    return add_link_header(json_response([r.domain for r in rows]), rows)


@bp.post("")
@require_oauth("write:blocks")
def create():
    blocks.block_domain(account=current_account(), domain=params().str("domain", ""))
    return json_response({})


@bp.delete("")
@require_oauth("write:blocks")
def destroy():
    blocks.unblock_domain(account=current_account(), domain=params().str("domain", ""))
    return json_response({})
