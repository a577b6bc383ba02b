"""Search: accounts, hashtags and posts, resolving remote `@user@domain` and URLs."""

from __future__ import annotations

from flask import Blueprint, request

from fedi.federation import remote_search
from fedi.web.render import render_page
from fedi.web.signed_in import card_context, login_required, viewer

bp = Blueprint("web_search", __name__)


@bp.get("/search")
@login_required
def index():
    q = request.args.get("q", "").strip()[:500]
    results = remote_search.run(viewer(), q) if q else None
    statuses = results.statuses if results else []
    return render_page(
        "app/search.html", block="results", q=q, results=results, **card_context(statuses, viewer())
    )
