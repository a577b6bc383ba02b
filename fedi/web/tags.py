"""Hashtag pages: `/tags/<name>`, the public posts that use it."""

from __future__ import annotations

from flask import Blueprint, request

from fedi.services import status_listings
from fedi.services.pagination import PageParams
from fedi.web import context
from fedi.web.render import render_page
from fedi.web.session import current_web_account

bp = Blueprint("web_tags", __name__)


@bp.get("/tags/<name>")
def show(name: str):
    viewer = current_web_account()
    max_id = PageParams.parse(request.args).max_id
    tag, page = status_listings.tag(viewer, name, max_id)
    return render_page(
        "tags/show.html",
        public=True,
        block="timeline",
        tag=tag,
        page=page,
        ctx=context.page_context(viewer, page.statuses, "public"),
        first_page=max_id is None,
    )
