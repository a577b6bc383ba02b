"""The notifications page, filtered by type, and the unread count shown in the navigation.
Opening the page moves the notifications read marker to the newest one shown."""

from __future__ import annotations

import contextlib

from flask import Blueprint, request

from fedi.errors import Conflict
from fedi.services import markers, notifications
from fedi.services.pagination import PageParams
from fedi.web import session as web_session
from fedi.web.render import render_page
from fedi.web.signed_in import card_context, login_required, viewer

bp = Blueprint("web_notifications", __name__)

#: Filter tabs: name -> (label, notification types).
FILTERS = {
    "all": ("All", ()),
    "mentions": ("Mentions", ("mention",)),
    "follows": ("Follows", ("follow", "follow_request")),
    "favourites": ("Favourites", ("favourite",)),
    "boosts": ("Boosts", ("reblog",)),
    "posts": ("Posts", ("status",)),
    "edits": ("Edits", ("update",)),
}
BADGE_CAP = 99


def unread_badge_count() -> int:
    """Unread notifications of the signed-in user (0 for visitors), counted up to the cap."""
    account = web_session.current_web_account()
    if account is None:
        return 0
    return notifications.unread_badge_count(account.id, limit=BADGE_CAP + 1)


bp.add_app_template_global(unread_badge_count, "unread_badge_count")
bp.add_app_template_global(BADGE_CAP, "badge_cap")


def _mark_read(newest: int) -> None:
    current = notifications.last_read_id(viewer()) or 0
    if newest > current:
        with contextlib.suppress(Conflict):  # another tab moved the marker at the same moment
            markers.save_markers(viewer(), {"notifications": {"last_read_id": newest}})


@bp.get("/notifications")
@login_required
def index():
    name = request.args.get("filter", "all")
    name = name if name in FILTERS else "all"
    filters = notifications.Filters.of(types=FILTERS[name][1])
    rows = notifications.page(viewer(), PageParams.parse(request.args), filters)
    if rows and not request.args.get("max_id"):
        _mark_read(rows[0].id)
    more = rows[-1].id if len(rows) >= PageParams().limit else None
    statuses = [row.status for row in rows if row.status is not None]
    return render_page(
        "app/notifications.html", block="page", rows=rows, more=more, filter=name, filters=FILTERS,
        **card_context(statuses, viewer(), "notifications"),
    )  # fmt: skip
