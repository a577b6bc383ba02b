"""Mastodon's GET/POST /api/v1/admin/domain_blocks and GET/PUT/DELETE .../:id (admins:
Permission.MANAGE_FEDERATION). A block that is already in place (this domain's, or a parent's
at least as strict) is Mastodon's 422 with the `existing_domain_block`."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_staff
from fedi.api.pagination import add_link_header, page_params
from fedi.api.params import Params, params
from fedi.entities.admin_blocks import admin_domain_block, existing_domain_block_error
from fedi.http.json import json_response
from fedi.ids import parse_id
from fedi.services import domain_moderation
from fedi.services.domain_moderation import BlockForm, ExistingBlock
from fedi.services.staff import Permission

bp = Blueprint("api_v1_admin_domain_blocks", __name__, url_prefix="/api/v1/admin/domain_blocks")

READ = "admin:read:domain_blocks"
WRITE = "admin:write:domain_blocks"


def _form(p: Params) -> BlockForm:
    return BlockForm(
        severity=p.str("severity"), reject_media=p.bool("reject_media"),
        reject_reports=p.bool("reject_reports"), private_comment=p.str("private_comment"),
        public_comment=p.str("public_comment"), obfuscate=p.bool("obfuscate"),
    )  # fmt: skip


@bp.get("")
@require_staff(READ, Permission.MANAGE_FEDERATION)
def index():
    rows = domain_moderation.blocks_page(current_account(), page_params(default=100, maximum=200))
    return add_link_header(json_response([admin_domain_block(r) for r in rows]), rows)


@bp.get("/<block_id>")
@require_staff(READ, Permission.MANAGE_FEDERATION)
def show(block_id: str):
    block = domain_moderation.get_block(current_account(), parse_id(block_id))
    return json_response(admin_domain_block(block))


@bp.post("")
@require_staff(WRITE, Permission.MANAGE_FEDERATION)
def create():
    p = params()
    try:
        block = domain_moderation.create_block(current_account(), p.str("domain", ""), _form(p))
    except ExistingBlock as err:
        return json_response(existing_domain_block_error(err.existing, err.message), status=422)
    return json_response(admin_domain_block(block))


@bp.put("/<block_id>")
@require_staff(WRITE, Permission.MANAGE_FEDERATION)
def update(block_id: str):
    block = domain_moderation.update_block(current_account(), parse_id(block_id), _form(params()))
    return json_response(admin_domain_block(block))


@bp.delete("/<block_id>")
@require_staff(WRITE, Permission.MANAGE_FEDERATION)
def destroy(block_id: str):
    domain_moderation.delete_block(current_account(), parse_id(block_id))
    return json_response({})
