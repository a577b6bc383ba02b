"""Sign-up (as REGISTRATIONS_MODE allows) and the e-mail confirmation link."""

from __future__ import annotations

from flask import Blueprint, request

from fedi.errors import DomainError
from fedi.services import instance_rules, registrations
from fedi.web import session as web_session
from fedi.web.render import render_page

bp = Blueprint("web_signup", __name__, url_prefix="/auth")

FIELDS = ("username", "email", "reason")


def _form(form: dict[str, str], error: str | None = None, code: int = 200):
    return render_page(
        "auth/sign_up.html", http_status=code, form=form, error=error, mode=registrations.mode(),
        rules=instance_rules.rules(),
    )  # fmt: skip


@bp.get("/sign_up")
def sign_up_form():
    return _form({key: "" for key in FIELDS}, code=200 if registrations.mode() != "none" else 403)


@bp.post("/sign_up")
def sign_up():
    form = {key: request.form.get(key, "") for key in FIELDS}
    try:
        result = registrations.register(
            username=form["username"], email=form["email"],
            password=request.form.get("password", ""), reason=form["reason"],
            agreement=request.form.get("agreement") == "1",
        )  # fmt: skip
    except DomainError as err:
        return _form(form, err.message.removeprefix("Validation failed: "), err.status_code)
    user = result.account.user
    if user.can_sign_in:
        web_session.log_in(user)
    return render_page("auth/signed_up.html", result=result)


@bp.get("/confirmation")
def confirmation():
    registrations.confirm(request.args.get("token", ""))
    return render_page("auth/confirmed.html")
