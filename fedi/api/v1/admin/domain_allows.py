"""Mastodon's GET/POST /api/v1/admin/domain_allows and GET/DELETE .../:id (admins:
Permission.MANAGE_FEDERATION): the domains allowed in limited federation mode."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_staff
from fedi.api.pagination import add_link_header, page_params
from fedi.api.params import params
from fedi.entities.admin_blocks import admin_domain_allow
from fedi.http.json import json_response
from fedi.ids import parse_id
from fedi.services import domain_moderation
from fedi.services.staff import Permission

bp = Blueprint("api_v1_admin_domain_allows", __name__, url_prefix="/api/v1/admin/domain_allows")

READ = "admin:read:domain_allows"
WRITE = "admin:write:domain_allows"


@bp.get("")
@require_staff(READ, Permission.MANAGE_FEDERATION)
def index():
    rows = domain_moderation.allows_page(current_account(), page_params(default=100, maximum=200))
    return add_link_header(json_response([admin_domain_allow(r) for r in rows]), rows)


@bp.get("/<allow_id>")
@require_staff(READ, Permission.MANAGE_FEDERATION)
def show(allow_id: str):
    return json_response(
        admin_domain_allow(domain_moderation.get_allow(current_account(), parse_id(allow_id)))
    )


@bp.post("")
@require_staff(WRITE, Permission.MANAGE_FEDERATION)
def create():
    allow = domain_moderation.create_allow(current_account(), params().str("domain", ""))
    return json_response(admin_domain_allow(allow))


@bp.delete("/<allow_id>")
@require_staff(WRITE, Permission.MANAGE_FEDERATION)
def destroy(allow_id: str):
    domain_moderation.delete_allow(current_account(), parse_id(allow_id))
    return json_response({})
