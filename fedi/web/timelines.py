"""The signed-in timelines: home (with the compose form), local and federated, each a page of
status cards with a "load more" link that HTMX turns into an in-place append."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

from fedi.models import Status
from fedi.services import announcements, timelines, visibility
from fedi.services.pagination import PageParams
from fedi.services.status_listings import Page
from fedi.web import compose
from fedi.web import session as web_session
from fedi.web.render import is_htmx, render_page
from fedi.web.signed_in import card_context, login_required, viewer

bp = Blueprint("web_timelines", __name__)


def timeline_page(
    template: str, rows: list[Status], params: PageParams, *, filtered: bool = False,
    filter_context: str | None = None, **ctx,
):  # fmt: skip
    """A page of cards, or, for "load more" with HTMX, just the cards and the next link.
    `filtered`: the rows are already what the viewer may see (the home feed, as in the API,
    read as light status views rather than models: the cards only read them)."""
    next_max_id = rows[-1].id if len(rows) >= params.limit else None
    shown = rows if filtered else visibility.permitted(viewer(), rows)
    page = Page(statuses=shown, next_max_id=next_max_id)
    return render_page(
        template, block="page", page=page, first_page=params.max_id is None,
        **card_context(page.statuses, viewer(), filter_context), **ctx,
    )  # fmt: skip


def _params() -> PageParams:
    return PageParams.parse(request.args)


@bp.get("/home")
@login_required
def home():
    me, params = viewer(), _params()
    notices = [] if is_htmx() or params.max_id else announcements.unread(me)
    return timeline_page(
        "app/timeline.html", timelines.home(me, params, views=True), params, filtered=True,
        filter_context="home", title="Home", name="home", announcements=notices,
        **compose.empty_form(me, media_slots=1),
    )  # fmt: skip


@bp.get("/local")
def local():
    if web_session.current_web_account() is None:  # visitors get the public page
        return redirect(url_for("web_public.local"), 302)
    params = _params()
    rows = timelines.public(viewer(), params, local=True)
    return timeline_page(
        "app/timeline.html", rows, params, filter_context="public", title="Local timeline",
        name="local",
    )  # fmt: skip


@bp.get("/federated")
def federated():
    if web_session.current_web_account() is None:
        return redirect(url_for("web_public.federated"), 302)
    params = _params()
    rows = timelines.public(viewer(), params)
    return timeline_page(
        "app/timeline.html", rows, params, filter_context="public", title="Federated timeline",
        name="federated",
    )  # fmt: skip
