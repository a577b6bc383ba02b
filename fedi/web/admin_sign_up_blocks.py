"""Admin → Sign-up blocks (admins: Permission.MANAGE_BLOCKS): e-mail domain blocks and IP
blocks, each listed with a form to add one and a form to remove each. Plain POST forms with
the CSRF token that redirect back with a notice; a mistake is shown on the page (422)."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

from fedi.errors import DomainError
from fedi.models import IpBlockSeverity
from fedi.services import sign_up_blocks
from fedi.services.staff import Permission
from fedi.web.render import render_page
from fedi.web.signed_in import login_required
from fedi.web.staff import staff_member

bp = Blueprint("web_admin_sign_up_blocks", __name__, url_prefix="/admin/sign_up_blocks")

NOTICES = {
    "email_blocked": "E-mail domain blocked.",
    "email_unblocked": "E-mail domain block removed.",
    "ip_blocked": "IP block added.",
    "ip_unblocked": "IP block removed.",
}
IP_SEVERITIES = [
    (IpBlockSeverity.SIGN_UP_REQUIRES_APPROVAL.value, "Sign-ups need approval"),
    (IpBlockSeverity.SIGN_UP_BLOCK.value, "Block sign-ups"),
    (IpBlockSeverity.NO_ACCESS.value, "Block all access"),
]
EXPIRIES = [("", "Never"), ("86400", "1 day"), ("1209600", "2 weeks"), ("2592000", "1 month"),
            ("15552000", "6 months"), ("31536000", "1 year")]  # fmt: skip


def _page(me, *, error: str | None = None, status: int = 200, form: dict | None = None):
    return render_page(
        "admin/sign_up_blocks.html", http_status=status,
        email_blocks=sign_up_blocks.all_email_domain_blocks(me),
        ip_blocks=sign_up_blocks.all_ip_blocks(me), severities=IP_SEVERITIES, expiries=EXPIRIES,
        labels=dict(IP_SEVERITIES), notice=NOTICES.get(request.args.get("notice", "")),
        error=error, form=form or {},
    )  # fmt: skip


def _back(notice: str, anchor: str):
    return redirect(url_for("web_admin_sign_up_blocks.index", notice=notice) + anchor, 303)


@bp.get("")
@login_required
def index():
    return _page(staff_member(Permission.MANAGE_BLOCKS))


@bp.post("/email_domains")
@login_required
def create_email_domain_block():
    me = staff_member(Permission.MANAGE_BLOCKS)
    try:
        sign_up_blocks.create_email_domain_block(
            me, request.form.get("domain", ""),
            allow_with_approval=request.form.get("allow_with_approval") == "1",
        )  # fmt: skip
    except DomainError as err:
        message = "E-mail domain: " + err.message.removeprefix("Validation failed: ")
        return _page(me, error=message, status=err.status_code, form=request.form.to_dict())
    return _back("email_blocked", "#email-domains")


@bp.post("/email_domains/<int:block_id>/delete")
@login_required
def delete_email_domain_block(block_id: int):
    sign_up_blocks.delete_email_domain_block(staff_member(Permission.MANAGE_BLOCKS), block_id)
    return _back("email_unblocked", "#email-domains")


@bp.post("/ips")
@login_required
def create_ip_block():
    me = staff_member(Permission.MANAGE_BLOCKS)
    expires = request.form.get("expires_in", "")
    try:
        sign_up_blocks.create_ip_block(
            me, ip=request.form.get("ip", ""), severity=request.form.get("severity"),
            comment=request.form.get("comment", ""),
            expires_in=int(expires) if expires.isdigit() else None,
        )  # fmt: skip
    except DomainError as err:
        message = "IP block: " + err.message.removeprefix("Validation failed: ")
        return _page(me, error=message, status=err.status_code, form=request.form.to_dict())
    return _back("ip_blocked", "#ips")


@bp.post("/ips/<int:block_id>/delete")
@login_required
def delete_ip_block(block_id: int):
    sign_up_blocks.delete_ip_block(staff_member(Permission.MANAGE_BLOCKS), block_id)
    return _back("ip_unblocked", "#ips")
