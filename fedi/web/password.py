"""Forgotten password: ask for a link, then choose a new password from it."""

from __future__ import annotations

from flask import Blueprint, request

from fedi.errors import DomainError, TooManyRequests, retry_headers
from fedi.http.client_address import client_ip
from fedi.services import mail, password_reset
from fedi.web.render import render_page

bp = Blueprint("web_password", __name__, url_prefix="/auth/password")


@bp.get("/new")
def new():
    return render_page("auth/password_new.html", sent=False, email="")


@bp.post("/new")
def send():
    email = request.form.get("email", "")
    try:
        password_reset.request_reset(email, client_address=client_ip())
    except TooManyRequests as err:
        page = render_page(
            "auth/password_new.html", http_status=429, sent=False, email=email, error=err.message
        )
        page.headers.update(retry_headers(err))
        return page
    return render_page("auth/password_new.html", sent=True, email=email, mailed=mail.can_send())


@bp.get("/edit")
def edit():
    token = request.args.get("token", "")
    password_reset.find_by_token(token)
    return render_page("auth/password_edit.html", token=token, error=None)


@bp.post("/edit")
def update():
    token = request.form.get("token", "")
    try:
        password_reset.reset(token=token, password=request.form.get("password", ""))
    except DomainError as err:
        message = err.message.removeprefix("Validation failed: ")
        return render_page(
            "auth/password_edit.html", http_status=err.status_code, token=token, error=message
        )
    return render_page("auth/password_done.html")
