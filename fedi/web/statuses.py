"""A single status with its thread: `/@user/<id>` (and `/@user@domain/<id>` for remote ones).
Anything the viewer may not see is a 404, exactly like a status that does not exist."""

from __future__ import annotations

from flask import Blueprint, redirect

from fedi.services import status_listings, threads
from fedi.text.sanitize import html_to_text
from fedi.web import context, negotiate
from fedi.web.render import add_vary, render_page
from fedi.web.session import current_web_account

bp = Blueprint("web_statuses", __name__)


@bp.get("/@<acct>/<int:status_id>")
def show(acct: str, status_id: int):
    viewer = current_web_account()
    status = status_listings.status_at(viewer, acct, status_id)
    if negotiate.wants_activitypub():
        return negotiate.to_object(status.uri)
    if status.reblog is not None:  # a boost's page is its original's
        return add_vary(redirect(context.status_path(status.reblog), 302), "Accept")
    thread = threads.context(status, viewer)
    everything = [*thread.ancestors, status, *thread.descendants]
    response = render_page(
        "statuses/show.html",
        public=True,
        block="thread",
        status=status,
        focus=status,
        thread=thread,
        ctx=context.page_context(viewer, everything, "thread"),
        summary=_summary(status),
    )
    return add_vary(response, "Accept")


def _summary(status) -> str:
    """What a link preview shows: the content warning when there is one, else the text."""
    if status.spoiler_text:
        return f"Content warning: {status.spoiler_text}"
    return html_to_text(status.content)[:300]
