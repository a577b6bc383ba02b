"""Shared plumbing for the signed-in pages: login required, the viewer, redirect back, and the
viewer's flags for a page of statuses. Pages render through fedi/web/render.py."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode, urlsplit

from flask import redirect, request, url_for

from fedi.models import Account, Status
from fedi.web import context
from fedi.web import session as web_session
from fedi.web.auth import safe_next


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


def card_context(
    statuses: list[Status], account: Account | None, filter_context: str | None = None
) -> dict[str, object]:
    """What the status cards need (the viewer's flags, media, mentions, muted conversations),
    loaded once for the page."""
    return {"ctx": context.page_context(account, statuses, filter_context)}
