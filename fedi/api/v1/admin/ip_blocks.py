"""Mastodon's /api/v1/admin/ip_blocks (admins: Permission.MANAGE_BLOCKS): list, show, create,
update, delete. `ip` is a CIDR range (a single address is a /32 or /128), `severity` one of
sign_up_requires_approval, sign_up_block, no_access, `expires_in` seconds."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_staff
from fedi.api.pagination import add_link_header, page_params
from fedi.api.params import params
from fedi.entities.admin_blocks import admin_ip_block
from fedi.http.json import json_response
from fedi.ids import parse_id
from fedi.services import sign_up_blocks
from fedi.services.staff import Permission

bp = Blueprint("api_v1_admin_ip_blocks", __name__, url_prefix="/api/v1/admin/ip_blocks")

READ = "admin:read:ip_blocks"
WRITE = "admin:write:ip_blocks"


@bp.get("")
@require_staff(READ, Permission.MANAGE_BLOCKS)
def index():
    rows = sign_up_blocks.ip_blocks_page(current_account(), page_params(default=100, maximum=200))
    return add_link_header(json_response([admin_ip_block(r) for r in rows]), rows)


@bp.get("/<block_id>")
@require_staff(READ, Permission.MANAGE_BLOCKS)
def show(block_id: str):
    return json_response(
        admin_ip_block(sign_up_blocks.get_ip_block(current_account(), parse_id(block_id)))
    )


@bp.post("")
@require_staff(WRITE, Permission.MANAGE_BLOCKS)
def create():
    p = params()
    block = sign_up_blocks.create_ip_block(
        current_account(), ip=p.str("ip", "") or "", severity=p.str("severity"),
        comment=p.str("comment", "") or "", expires_in=p.int("expires_in"),
    )  # fmt: skip
    return json_response(admin_ip_block(block))


@bp.put("/<block_id>")
@require_staff(WRITE, Permission.MANAGE_BLOCKS)
def update(block_id: str):
    p = params()
    block = sign_up_blocks.update_ip_block(
        current_account(), parse_id(block_id), ip=p.str("ip"), severity=p.str("severity"),
        comment=p.str("comment"), expires_in=p.int("expires_in"),
    )  # fmt: skip
    return json_response(admin_ip_block(block))


@bp.delete("/<block_id>")
@require_staff(WRITE, Permission.MANAGE_BLOCKS)
def destroy(block_id: str):
    sign_up_blocks.delete_ip_block(current_account(), parse_id(block_id))
    return json_response({})
