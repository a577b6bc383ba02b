"""Moderating accounts through Mastodon's admin API: `/api/v1/admin/accounts` (list with the v1
filters, show, action, approve, reject, enable, unsilence, unsuspend, unsensitive, delete).
Scopes `admin:read:accounts` / `admin:write:accounts`, and the MANAGE_USERS permission."""

from __future__ import annotations

from flask import Blueprint, request

from fedi.api.auth import current_account, require_staff
from fedi.api.pagination import add_link_header, page_params
from fedi.api.params import params
from fedi.entities.admin_account import admin_account
from fedi.http.json import json_response
from fedi.models import Role
from fedi.services import account_moderation, admin_accounts
from fedi.services.admin_accounts import AccountQuery
from fedi.services.staff import Permission

bp = Blueprint("api_v1_admin_accounts", __name__, url_prefix="/api/v1/admin/accounts")

READ = "admin:read:accounts"
WRITE = "admin:write:accounts"
LIMIT, MAX_LIMIT = 100, 200


def listing(query: AccountQuery):
    """A page of Admin::Account entities with Mastodon's Link header (v1 and v2)."""
    rows = admin_accounts.search(
        query, page_params(default=LIMIT, maximum=MAX_LIMIT), by=current_account()
    )
    return add_link_header(json_response([admin_account(r) for r in rows]), rows)


def _v1_query() -> AccountQuery:
    args = request.args
    status = "active"
    for name in ("active", "pending", "disabled", "silenced", "suspended", "sensitized"):
        if args.get(name):
            status = name
    return AccountQuery(
        origin="remote" if args.get("remote") else "local",
        status=status,
        roles=(Role.MODERATOR, Role.ADMIN) if args.get("staff") else (),
        username=args.get("username", ""), display_name=args.get("display_name", ""),
        by_domain=args.get("by_domain", ""), email=args.get("email", ""),
        ip=args.get("ip", ""),
    )  # fmt: skip


@bp.get("")
@require_staff(READ, Permission.MANAGE_USERS)
def index():
    return listing(_v1_query())


def _target(account_id: int):
    return admin_accounts.get(account_id, by=current_account())


def _entity(account_id: int):
    return json_response(admin_account(_target(account_id)))


@bp.get("/<int:account_id>")
@require_staff(READ, Permission.MANAGE_USERS)
def show(account_id: int):
    return _entity(account_id)


@bp.post("/<int:account_id>/action")
@require_staff(WRITE, Permission.MANAGE_USERS)
def action(account_id: int):
    p = params()
    account_moderation.act(
        _target(account_id), by=current_account(), type_=p.str("type"), text=p.str("text"),
        report_id=p.str("report_id"),
        send_email_notification=bool(p.bool("send_email_notification", True)),
    )  # fmt: skip
    return json_response({})


def _undo(name: str):
    def view(account_id: int):
        getattr(account_moderation, name)(_target(account_id), by=current_account())
        return _entity(account_id)

    view.__name__ = name
    bp.post(f"/<int:account_id>/{name}")(require_staff(WRITE, Permission.MANAGE_USERS)(view))


for _name in ("approve", "enable", "unsilence", "unsuspend", "unsensitive"):
    _undo(_name)


@bp.post("/<int:account_id>/reject")
@require_staff(WRITE, Permission.MANAGE_USERS)
def reject(account_id: int):
    account_moderation.reject(_target(account_id), by=current_account())
    return json_response({})


@bp.delete("/<int:account_id>")
@require_staff(WRITE, Permission.MANAGE_USERS)
def destroy(account_id: int):
    account_moderation.delete_data(_target(account_id), by=current_account())
    return json_response({})
