"""Admin → Federation (admins: Permission.MANAGE_FEDERATION): the domain blocks (add with a
severity, its options and comments; edit; remove), the domain allows of limited federation
mode, the domains we know, and a page per domain (its accounts, the follows across, its
delivery failures and unavailable marking, with a form to clear them, and its block). Plain
POST forms with the CSRF token that redirect back with a notice."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

from fedi.errors import DomainError
from fedi.models import DomainBlockSeverity
from fedi.services import domain_moderation, domain_policy
from fedi.services.domain_moderation import BlockForm, ExistingBlock
from fedi.services.staff import Permission
from fedi.web.render import render_page
from fedi.web.signed_in import login_required
from fedi.web.staff import staff_member

bp = Blueprint("web_admin_domains", __name__, url_prefix="/admin/domains")

NOTICES = {
    "blocked": "Domain blocked.",
    "updated": "Domain block updated.",
    "unblocked": "Domain block removed: what it set on the domain's accounts is lifted.",
    "allowed": "Domain allowed.",
    "disallowed": "Domain allow removed.",
    "cleared": "Delivery failures cleared: waiting deliveries are due now.",
    "nothing": "There were no delivery failures to clear.",
}
SEVERITIES = [
    (DomainBlockSeverity.SILENCE.value, "Limit (silence its accounts)"),
    (DomainBlockSeverity.SUSPEND.value, "Suspend (no federation at all)"),
    (DomainBlockSeverity.NOOP.value, "No action (only the options below)"),
]


def _form_values() -> BlockForm:
    f = request.form
    return BlockForm(
        severity=f.get("severity", "silence"), reject_media=f.get("reject_media") == "1",
        reject_reports=f.get("reject_reports") == "1",
        private_comment=f.get("private_comment", ""), public_comment=f.get("public_comment", ""),
        obfuscate=f.get("obfuscate") == "1",
    )  # fmt: skip


def _domain_page_url(domain: str) -> str:
    return url_for("web_admin_domains.show", domain=domain)


def _index(me, *, error: str | None = None, status: int = 200, form: dict | None = None):
    query = (request.args.get("q") or "").strip()[:255]
    return render_page(
        "admin/domains.html", http_status=status, blocks=domain_moderation.all_blocks(me),
        allows=domain_moderation.all_allows(me),
        known=domain_moderation.known_domains(me, query=query),
        query=query, limited=domain_policy.limited_federation(), severities=SEVERITIES,
        notice=NOTICES.get(request.args.get("notice", "")), error=error, form=form or {},
    )  # fmt: skip


@bp.get("")
@login_required
def index():
    return _index(staff_member(Permission.MANAGE_FEDERATION))


@bp.post("/blocks")
@login_required
def create_block():
    me = staff_member(Permission.MANAGE_FEDERATION)
    domain = request.form.get("domain", "")
    try:
        domain_moderation.create_block(me, domain, _form_values())
    except ExistingBlock as err:
        return _index(me, error=err.message, status=422, form=request.form.to_dict())
    except DomainError as err:
        message = err.message.removeprefix("Validation failed: ")
        return _index(me, error=message, status=err.status_code, form=request.form.to_dict())
    return redirect(url_for("web_admin_domains.index", notice="blocked"), 303)


@bp.post("/blocks/<int:block_id>")
@login_required
def update_block(block_id: int):
    me = staff_member(Permission.MANAGE_FEDERATION)
    try:
        block = domain_moderation.update_block(me, block_id, _form_values())
    except DomainError as err:
        if err.status_code == 404:
            raise
        block = domain_moderation.get_block(me, block_id)
        return _show(me, block.domain, error=err.message.removeprefix("Validation failed: "),
                     status=err.status_code)  # fmt: skip
    return redirect(_domain_page_url(block.domain) + "?notice=updated", 303)


@bp.post("/blocks/<int:block_id>/delete")
@login_required
def delete_block(block_id: int):
    me = staff_member(Permission.MANAGE_FEDERATION)
    domain_moderation.delete_block(me, block_id)
    return redirect(url_for("web_admin_domains.index", notice="unblocked"), 303)


@bp.post("/allows")
@login_required
def create_allow():
    me = staff_member(Permission.MANAGE_FEDERATION)
    try:
        domain_moderation.create_allow(me, request.form.get("domain", ""))
    except DomainError as err:
        message = err.message.removeprefix("Validation failed: ")
        return _index(me, error=message, status=err.status_code)
    return redirect(url_for("web_admin_domains.index", notice="allowed") + "#allows", 303)


@bp.post("/allows/<int:allow_id>/delete")
@login_required
def delete_allow(allow_id: int):
    me = staff_member(Permission.MANAGE_FEDERATION)
    domain_moderation.delete_allow(me, allow_id)
    return redirect(url_for("web_admin_domains.index", notice="disallowed") + "#allows", 303)


def _show(me, domain: str, *, error: str | None = None, status: int = 200):
    summary = domain_moderation.summary(me, domain)
    return render_page(
        "admin/domain.html", http_status=status, summary=summary, severities=SEVERITIES,
        notice=NOTICES.get(request.args.get("notice", "")), error=error,
    )  # fmt: skip


@bp.get("/<path:domain>")
@login_required
def show(domain: str):
    me = staff_member(Permission.MANAGE_FEDERATION)
    try:
        return _show(me, domain)
    except DomainError as err:
        if err.status_code != 422:
            raise
        return _index(me, error=f"{domain!r} is not a domain.", status=404)


@bp.post("/<path:domain>/clear_health")
@login_required
def clear_health(domain: str):
    me = staff_member(Permission.MANAGE_FEDERATION)
    cleared = domain_moderation.clear_health(me, domain)
    target = domain_policy.normalize(domain)
    notice = "cleared" if cleared else "nothing"
    return redirect(_domain_page_url(target) + f"?notice={notice}", 303)
