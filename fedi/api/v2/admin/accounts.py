"""`GET /api/v2/admin/accounts`: the admin account list with Mastodon's v2 filters (origin,
status, permissions, role_ids, invited_by, username, display_name, by_domain, email, ip); the
other account routes are v1's (fedi/api/v1/admin/accounts.py)."""

from __future__ import annotations

from flask import Blueprint, request

from fedi.api.auth import require_staff
from fedi.api.v1.admin.accounts import READ, listing
from fedi.entities.admin_account import roles_named
from fedi.models import Role
from fedi.services.admin_accounts import AccountQuery
from fedi.services.staff import Permission

bp = Blueprint("api_v2_admin_accounts", __name__, url_prefix="/api/v2/admin/accounts")


@bp.get("")
@require_staff(READ, Permission.MANAGE_USERS)
def index():
    args = request.args
    roles = roles_named(args.getlist("role_ids[]") + args.getlist("role_ids"))
    if args.get("permissions") == "staff":
        roles = [Role.MODERATOR, Role.ADMIN]
    nobody = bool(args.getlist("role_ids[]") or args.getlist("role_ids")) and not roles
    query = AccountQuery(
        origin=args.get("origin", ""), status=args.get("status", ""), roles=tuple(roles),
        username=args.get("username", ""), display_name=args.get("display_name", ""),
        by_domain=args.get("by_domain", ""), email=args.get("email", ""), ip=args.get("ip", ""),
        invited_by=args.get("invited_by", ""), nobody=nobody,
    )  # fmt: skip
    return listing(query)
