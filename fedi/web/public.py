"""The public timelines: `/public/local` (this server) and `/public` (everything known here)."""

from __future__ import annotations

from flask import Blueprint, request

from fedi.services import status_listings
from fedi.services.pagination import PageParams
from fedi.web import context
from fedi.web.render import render_page
from fedi.web.session import current_web_account

bp = Blueprint("web_public", __name__)


def _timeline(*, local: bool):
    viewer = current_web_account()
    max_id = PageParams.parse(request.args).max_id
    page = status_listings.public(viewer, local=local, max_id=max_id)
    return render_page(
        "public/timeline.html",
        public=True,
        block="timeline",
        local=local,
        page=page,
        ctx=context.page_context(viewer, page.statuses, "public"),
        first_page=max_id is None,
    )


@bp.get("/public/local")
def local():
    return _timeline(local=True)


@bp.get("/public")
def federated():
    return _timeline(local=False)
