"""Mastodon's GET/POST /api/v1/admin/email_domain_blocks and GET/DELETE .../:id (admins:
Permission.MANAGE_BLOCKS): sign-ups with an address at these domains are refused."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_staff
from fedi.api.pagination import add_link_header, page_params
from fedi.api.params import params
from fedi.entities.admin_blocks import admin_email_domain_block
from fedi.http.json import json_response
from fedi.ids import parse_id
from fedi.services import sign_up_blocks
from fedi.services.staff import Permission

bp = Blueprint(
    "api_v1_admin_email_domain_blocks", __name__, url_prefix="/api/v1/admin/email_domain_blocks"
)

READ = "admin:read:email_domain_blocks"
WRITE = "admin:write:email_domain_blocks"


@bp.get("")
@require_staff(READ, Permission.MANAGE_BLOCKS)
def index():
    page = page_params(default=100, maximum=200)
    rows = sign_up_blocks.email_domain_blocks_page(current_account(), page)
    return add_link_header(json_response([admin_email_domain_block(r) for r in rows]), rows)


@bp.get("/<block_id>")
@require_staff(READ, Permission.MANAGE_BLOCKS)
def show(block_id: str):
    block = sign_up_blocks.get_email_domain_block(current_account(), parse_id(block_id))
    return json_response(admin_email_domain_block(block))


@bp.post("")
@require_staff(WRITE, Permission.MANAGE_BLOCKS)
def create():
    p = params()
    block = sign_up_blocks.create_email_domain_block(
        current_account(), p.str("domain", ""),
        allow_with_approval=bool(p.bool("allow_with_approval")),
    )  # fmt: skip
    return json_response(admin_email_domain_block(block))


@bp.delete("/<block_id>")
@require_staff(WRITE, Permission.MANAGE_BLOCKS)
def destroy(block_id: str):
    sign_up_blocks.delete_email_domain_block(current_account(), parse_id(block_id))
    return json_response({})
