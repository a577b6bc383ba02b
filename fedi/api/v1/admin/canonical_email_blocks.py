"""Mastodon's /api/v1/admin/canonical_email_blocks (admins: Permission.MANAGE_BLOCKS): list,
show, `test` (which blocks an address meets), create (from `email` or `canonical_email_hash`),
delete."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_staff
from fedi.api.pagination import add_link_header, page_params
from fedi.api.params import params
from fedi.entities.admin_blocks import admin_canonical_email_block
from fedi.http.json import json_response
from fedi.ids import parse_id
from fedi.services import sign_up_blocks
from fedi.services.staff import Permission

bp = Blueprint(
    "api_v1_admin_canonical_email_blocks", __name__,
    url_prefix="/api/v1/admin/canonical_email_blocks",
)  # fmt: skip

READ = "admin:read:canonical_email_blocks"
WRITE = "admin:write:canonical_email_blocks"


@bp.get("")
@require_staff(READ, Permission.MANAGE_BLOCKS)
def index():
    page = page_params(default=100, maximum=200)
    rows = sign_up_blocks.canonical_email_blocks_page(current_account(), page)
    return add_link_header(json_response([admin_canonical_email_block(r) for r in rows]), rows)


@bp.get("/<block_id>")
@require_staff(READ, Permission.MANAGE_BLOCKS)
def show(block_id: str):
    block = sign_up_blocks.get_canonical_email_block(current_account(), parse_id(block_id))
    return json_response(admin_canonical_email_block(block))


@bp.post("/test")
@require_staff(READ, Permission.MANAGE_BLOCKS)
def test():
    rows = sign_up_blocks.matching_canonical_email_blocks(
        current_account(), params().str("email", "") or ""
    )
    return json_response([admin_canonical_email_block(r) for r in rows])


@bp.post("")
@require_staff(WRITE, Permission.MANAGE_BLOCKS)
def create():
    p = params()
    block = sign_up_blocks.create_canonical_email_block(
        current_account(), email=p.str("email"),
        canonical_email_hash_value=p.str("canonical_email_hash"),
    )  # fmt: skip
    return json_response(admin_canonical_email_block(block))


@bp.delete("/<block_id>")
@require_staff(WRITE, Permission.MANAGE_BLOCKS)
def destroy(block_id: str):
    sign_up_blocks.delete_canonical_email_block(current_account(), parse_id(block_id))
    return json_response({})
