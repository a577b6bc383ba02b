"""The admin accounts pages (MANAGE_USERS): the list with its search and filters, and one
account's page with its posts, the reports about it, moderators' notes, the warnings it was
sent, the action form (warn, mark sensitive, disable, limit, suspend; with a message the user
sees and an e-mail) and the undo buttons. Plain POST forms with the CSRF token that redirect
back with a notice; an error re-renders the page with the message."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

from fedi.errors import DomainError
from fedi.ids import parse_id
from fedi.models import Account, Role
from fedi.services import account_moderation, account_warnings, admin_accounts
from fedi.services.admin_accounts import AccountQuery
from fedi.services.pagination import PageParams
from fedi.services.staff import Permission
from fedi.web.render import render_page
from fedi.web.signed_in import login_required, viewer
from fedi.web.staff import staff_member

bp = Blueprint("web_admin_accounts", __name__, url_prefix="/admin/accounts")

PAGE = 50
ACTION_LABELS = {
    "none": "Warn only",
    "sensitive": "Mark media as sensitive",
    "disable": "Disable login",
    "silence": "Limit",
    "suspend": "Suspend",
}
UNDO = {
    "enable": "Enable login",
    "unsilence": "Lift the limit",
    "unsensitive": "Stop marking media as sensitive",
    "unsuspend": "Lift the suspension",
    "approve": "Approve the sign-up",
    "reject": "Reject the sign-up",
    "delete": "Delete the account's data now",
}
DONE = {
    "none": "Warning sent.",
    "sensitive": "Media marked as sensitive.",
    "disable": "Login disabled.",
    "silence": "Account limited.",
    "suspend": "Account suspended.",
    "enable": "Login enabled.",
    "unsilence": "Limit lifted.",
    "unsensitive": "Media no longer marked as sensitive.",
    "unsuspend": "Suspension lifted.",
    "approve": "Sign-up approved.",
    "reject": "Sign-up rejected and the account deleted.",
    "delete": "The account's data is being deleted.",
    "note": "Note added.",
    "note_deleted": "Note deleted.",
}
ROLES = {"user": (Role.USER,), "staff": (Role.MODERATOR, Role.ADMIN),
         "moderator": (Role.MODERATOR,), "admin": (Role.ADMIN,)}  # fmt: skip


@bp.get("")
@login_required
def index():
    me = staff_member(Permission.MANAGE_USERS)
    args = request.args
    origin = args.get("origin", "") if args.get("origin") in ("local", "remote") else ""
    status = args.get("status", "") if args.get("status") in admin_accounts.STATUSES else ""
    role = args.get("role", "") if args.get("role") in ROLES else ""
    query = AccountQuery(
        origin=origin, status=status, roles=ROLES.get(role, ()),
        username=args.get("username", "")[:100], display_name=args.get("display_name", "")[:100],
        by_domain=args.get("domain", "")[:255], email=args.get("email", "")[:320],
        ip=args.get("ip", "")[:64],
    )  # fmt: skip
    page = PageParams(max_id=parse_id(args.get("max_id")), limit=PAGE)
    rows = admin_accounts.search(query, page, by=me)
    return render_page(
        "admin/accounts.html", rows=rows, query=query, role=role, more=len(rows) == PAGE,
        statuses=admin_accounts.STATUSES,
    )  # fmt: skip


def _show(target: Account, *, error: str = "", http_status: int = 200, form=None):
    user = target.user
    if target.local:
        types = list(account_moderation.TYPES)
    else:
        types = list(account_moderation.REMOTE_TYPES)
    undo = account_moderation.undos(target, by=viewer())
    done = request.args.get("done", "")
    return render_page(
        "admin/account.html", http_status=http_status, target=target, user=user,
        statuses=admin_accounts.recent_statuses(target),
        reports=admin_accounts.reports_about(target), notes=admin_accounts.notes(target),
        warnings=account_warnings.about(target), types=types, labels=ACTION_LABELS,
        undo=[(_undo_url(target.id, name), UNDO[name]) for name in undo],
        notice=DONE.get(done, ""), error=error,
        form=form or {}, retention_days=account_moderation.RETENTION.days,
    )  # fmt: skip


def _undo_url(account_id: int, name: str) -> str:
    if name in ("reject", "delete"):
        return url_for(f"web_admin_accounts.{name}", account_id=account_id)
    return url_for("web_admin_accounts.undo", account_id=account_id, undo=name)


@bp.get("/<int:account_id>")
@login_required
def show(account_id: int):
    me = staff_member(Permission.MANAGE_USERS)
    return _show(admin_accounts.get(account_id, by=me))


def _back(target_id: int, done: str):
    return redirect(url_for("web_admin_accounts.show", account_id=target_id, done=done), 303)


@bp.post("/<int:account_id>/action")
@login_required
def action(account_id: int):
    me = staff_member(Permission.MANAGE_USERS)
    target = admin_accounts.get(account_id, by=me)
    form = request.form
    type_ = form.get("type", "")
    try:
        account_moderation.act(
            target, by=me, type_=type_, text=form.get("text", ""),
            report_id=form.get("report_id") or None,
            send_email_notification=form.get("send_email_notification") == "1",
        )  # fmt: skip
    except DomainError as err:
        message = err.message.removeprefix("Validation failed: ")
        if type_ not in ACTION_LABELS:
            message = "Choose an action."
        return _show(target, error=message, http_status=err.status_code, form=form)
    return _back(target.id, type_)


@bp.post("/<int:account_id>/<any(enable, unsilence, unsensitive, unsuspend, approve):undo>")
@login_required
def undo(account_id: int, undo: str):
    me = staff_member(Permission.MANAGE_USERS)
    target = admin_accounts.get(account_id, by=me)
    try:
        getattr(account_moderation, undo)(target, by=me)
    except DomainError as err:
        return _show(target, error=err.message, http_status=err.status_code)
    return _back(target.id, undo)


@bp.post("/<int:account_id>/reject")
@login_required
def reject(account_id: int):
    me = staff_member(Permission.MANAGE_USERS)
    target = admin_accounts.get(account_id, by=me)
    try:
        account_moderation.reject(target, by=me)
    except DomainError as err:
        return _show(target, error=err.message, http_status=err.status_code)
    return redirect(url_for("web_admin_accounts.index", done="rejected"), 303)


@bp.post("/<int:account_id>/delete")
@login_required
def delete(account_id: int):
    me = staff_member(Permission.MANAGE_USERS)
    target = admin_accounts.get(account_id, by=me)
    try:
        account_moderation.delete_data(target, by=me)
    except DomainError as err:
        return _show(target, error=err.message, http_status=err.status_code)
    return _back(target.id, "delete")


@bp.post("/<int:account_id>/notes")
@login_required
def add_note(account_id: int):
    me = staff_member(Permission.MANAGE_USERS)
    target = admin_accounts.get(account_id, by=me)
    try:
        admin_accounts.add_note(target, request.form.get("content", ""), by=me)
    except DomainError as err:
        message = err.message.removeprefix("Validation failed: ")
        return _show(target, error=message, http_status=err.status_code, form=request.form)
    return _back(target.id, "note")


@bp.post("/<int:account_id>/notes/<int:note_id>/delete")
@login_required
def delete_note(account_id: int, note_id: int):
    me = staff_member(Permission.MANAGE_USERS)
    target = admin_accounts.get(account_id, by=me)
    admin_accounts.delete_note(target, note_id, by=me)
    return _back(target.id, "note_deleted")
