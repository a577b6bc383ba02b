"""Server settings (admins): the name, descriptions, contact and who can sign up, overriding
the environment at run time (services/site_settings.py). A plain form; an empty field falls
back to the environment's value."""

from __future__ import annotations

from flask import Blueprint, redirect, request

from fedi.errors import Unprocessable
from fedi.services import site_settings
from fedi.services.staff import Permission
from fedi.web.render import render_page
from fedi.web.signed_in import login_required
from fedi.web.staff import staff_member

bp = Blueprint("web_admin_site", __name__, url_prefix="/admin/settings")


def _page(values: dict[str, str], *, error: str = "", saved: bool = False, code: int = 200):
    return render_page(
        "admin/site.html", http_status=code, fields=site_settings.FIELDS, values=values,
        overridden=site_settings.overridden(), modes=site_settings.MODES, error=error,
        saved=saved,
    )  # fmt: skip


@bp.get("/")
@login_required
def index():
    staff_member(Permission.MANAGE_SETTINGS)
    return _page(site_settings.values(), saved=request.args.get("saved") == "1")


@bp.post("/")
@login_required
def update():
    me = staff_member(Permission.MANAGE_SETTINGS)
    changes = {key: request.form.get(key, "") for key in site_settings.FIELDS}
    try:
        site_settings.update(changes, by=me)
    except Unprocessable as error:
        return _page(site_settings.values() | changes, error=str(error), code=422)
    return redirect("/admin/settings/?saved=1", 303)
