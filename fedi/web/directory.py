"""The profile directory (`/directory`): discoverable accounts, recently active or newest first,
from this server or everywhere known here, with a plain "Load more" link (offset paging)."""

from __future__ import annotations

from flask import Blueprint, request

from fedi.services import directory
from fedi.web.render import render_page
from fedi.web.session import current_web_account

bp = Blueprint("web_directory", __name__)

PAGE = 20


def _offset() -> int:
    try:
        return max(int(request.args.get("offset", 0)), 0)
    except ValueError:
        return 0


@bp.get("/directory")
def index():
    order = "new" if request.args.get("order") == "new" else "active"
    local = request.args.get("local") == "1"
    offset = _offset()
    rows = directory.page(
        current_web_account(), order=order, local=local, offset=offset, limit=PAGE + 1
    )
    more = len(rows) > PAGE
    return render_page(
        "public/directory.html", public=True, block="page", accounts=rows[:PAGE], order=order,
        local=local, offset=offset, next_offset=offset + PAGE if more else None,
    )  # fmt: skip
