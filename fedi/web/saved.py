"""The signed-in user's favourites and bookmarks, newest first, with "load more"."""

from __future__ import annotations

from flask import Blueprint, request

from fedi.services import saved_statuses
from fedi.services.pagination import PageParams
from fedi.services.status_listings import Page
from fedi.web.render import render_page
from fedi.web.signed_in import card_context, login_required, viewer

bp = Blueprint("web_saved", __name__)


def _saved(kind: str, title: str):
    params = PageParams.parse(request.args)
    pairs = getattr(saved_statuses, kind)(viewer(), params)
    rows = [status for _, status in pairs]
    next_max_id = pairs[-1][0] if len(pairs) >= params.limit else None
    page = Page(statuses=rows, next_max_id=next_max_id)
    return render_page(
        "app/saved.html", block="page", page=page, first_page=params.max_id is None, title=title,
        **card_context(rows, viewer()),
    )  # fmt: skip


@bp.get("/favourites")
@login_required
def favourites():
    return _saved("favourites", "Favourites")


@bp.get("/bookmarks")
@login_required
def bookmarks():
    return _saved("bookmarks", "Bookmarks")
