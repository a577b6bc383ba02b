"""Sign-up (as REGISTRATIONS_MODE allows), the e-mail confirmation link, and asking for it
again. Sign-ups and confirmation e-mails are throttled (services/throttles.py): past a budget
the page says how long to wait, with Retry-After."""

from __future__ import annotations

from flask import Blueprint, request
from markupsafe import Markup

from fedi.errors import DomainError, TooManyRequests, retry_headers
from fedi.http.client_address import client_ip
from fedi.services import instance_rules, mail, registrations, site_settings
from fedi.web import session as web_session
from fedi.web.render import render_page

bp = Blueprint("web_signup", __name__, url_prefix="/auth")

FIELDS = ("username", "email", "reason")


def _form(form: dict[str, str], error: str | None = None, code: int = 200):
    return render_page(
        "auth/sign_up.html", http_status=code, form=form, error=error, mode=registrations.mode(),
        rules=instance_rules.rules(), message=Markup(site_settings.registrations_message_html()),
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
            agreement=request.form.get("agreement") == "1", client_address=client_ip(),
        )  # fmt: skip
    except TooManyRequests as err:
        page = _form(form, err.message, err.status_code)
        page.headers.update(retry_headers(err))
        return page
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


@bp.get("/confirmation/new")
def confirmation_new():
    return render_page("auth/confirmation_new.html", sent=False, email="")


@bp.post("/confirmation/new")
def confirmation_send():
    """The same answer whether or not an unconfirmed login uses the address."""
    email = request.form.get("email", "")
    try:
        registrations.resend(email, client_address=client_ip())
    except TooManyRequests as err:
        page = render_page(
            "auth/confirmation_new.html", http_status=429, sent=False, email=email,
            error=err.message,
        )  # fmt: skip
        page.headers.update(retry_headers(err))
        return page
    return render_page("auth/confirmation_new.html", sent=True, email=email, mailed=mail.can_send())
