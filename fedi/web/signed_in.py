"""Shared plumbing for the signed-in pages: login required, HTMX detection, redirect back,
rendering a page or one of its blocks, and the viewer's flags for a page of statuses."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode, urlsplit

from flask import make_response, redirect, render_template, request, url_for
from jinja2_fragments.flask import render_block

from fedi.models import Account, Status
from fedi.web import context
from fedi.web import session as web_session
from fedi.web.auth import safe_next
from fedi.web.render import add_vary, is_htmx


def viewer() -> Account:
    account = web_session.current_web_account()
    assert account is not None  # login_required ran first
    return account


def login_required(view):
    """Send visitors to the sign-in page, coming back here afterwards."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if web_session.current_web_account() is None:
            path = request.full_path.rstrip("?") if request.method == "GET" else request.path
            return redirect(url_for("web_auth.sign_in_form") + "?" + urlencode({"next": path}))
        return view(*args, **kwargs)

    return wrapper


def redirect_back(default: str = "/home"):
    """303 to the same-origin Referer (or an explicit `next`), else `default`."""
    target = safe_next(request.form.get("next"), "")
    if not target:
        referer = urlsplit(request.headers.get("Referer", ""))
        if referer.netloc == request.host and referer.scheme in ("http", "https"):
            path = referer.path + (f"?{referer.query}" if referer.query else "")
            target = safe_next(path, "")
    return redirect(target or default, 303)


def render(template: str, block: str | None = None, *, code: int = 200, **ctx):
    """The whole page, or only `block` for an HTMX request; responses vary on HX-Request."""
    if block and is_htmx():
        body = render_block(template, block, **ctx)
    else:
        body = render_template(template, **ctx)
    response = make_response(body, code)
    response.headers.setdefault("Cache-Control", "private, no-store")  # personal pages, tokens
    return add_vary(response, "HX-Request")


def card_context(statuses: list[Status], account: Account | None) -> dict[str, object]:
    """What the status cards need (the viewer's flags, media, mentions, muted conversations),
    loaded once for the page."""
    return {"ctx": context.page_context(account, statuses)}
