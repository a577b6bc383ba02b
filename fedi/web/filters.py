"""Settings → Filters: the viewer's filters (title, where they apply, warn or hide, expiry and
keywords), made and changed with plain forms. The rules are services/filters.py; the cards obey
them through fedi/web/context.py."""

from __future__ import annotations

from flask import Blueprint, redirect, request

from fedi.errors import DomainError
from fedi.models import Filter
from fedi.services import filters
from fedi.services.filters import KeywordChange
from fedi.web.render import render_page
from fedi.web.signed_in import login_required, viewer

bp = Blueprint("web_filters", __name__, url_prefix="/settings/filters")

CONTEXT_LABELS = {
    "home": "Home and lists", "notifications": "Notifications", "public": "Public timelines",
    "thread": "Conversations", "account": "Profiles",
}  # fmt: skip
EXPIRIES = [("", "Never"), ("1800", "30 minutes"), ("3600", "1 hour"), ("21600", "6 hours"),
            ("43200", "12 hours"), ("86400", "1 day"), ("604800", "1 week")]  # fmt: skip
KEEP = "keep"  # the expiry field's value that leaves an existing expiry as it is
BLANK_ROWS = 3
NEW_FILTER_CONTEXTS = ("home", "public", "thread")  # ticked on the form for a new filter


def _form(row: Filter | None, *, error: str | None = None, http_status: int = 200):
    keywords = [(str(k.id), k.keyword, k.whole_word) for k in row.keywords] if row else []
    keywords += [("", "", True)] * BLANK_ROWS
    return render_page(
        "settings/filter_form.html", http_status=http_status, row=row, keywords=keywords,
        contexts=CONTEXT_LABELS, checked=row.context if row else NEW_FILTER_CONTEXTS,
        expiries=EXPIRIES, keep=KEEP, error=error,
    )  # fmt: skip


def _keyword_changes() -> list[KeywordChange]:
    form, changes = request.form, []
    for i in range(len(form.getlist("keyword_row"))):
        keyword_id = form.get(f"keyword_id_{i}") or None
        text = form.get(f"keyword_{i}", "").strip()
        whole_word = form.get(f"whole_word_{i}") == "1"
        if keyword_id:
            removed = form.get(f"remove_{i}") == "1" or not text
            changes.append(KeywordChange(text, whole_word, keyword_id, destroy=removed))
        elif text:
            changes.append(KeywordChange(text, whole_word))
    return changes


def _fields(*, creating: bool) -> dict:
    form = request.form
    fields = {
        "title": form.get("title", ""), "context": form.getlist("context"),
        "action": form.get("action", "warn"), "keywords": _keyword_changes(),
    }  # fmt: skip
    expiry = form.get("expires_in", "")
    if creating or expiry != KEEP:
        fields["expires_in"] = int(expiry) if expiry.isdigit() else None
    return fields


@bp.get("")
@login_required
def index():
    return render_page(
        "settings/filters.html", rows=filters.list_filters(viewer()), contexts=CONTEXT_LABELS,
        saved=request.args.get("saved") == "1",
    )  # fmt: skip


@bp.get("/new")
@login_required
def new():
    return _form(None)


@bp.post("")
@login_required
def create():
    try:
        filters.create(viewer(), **_fields(creating=True))
    except DomainError as err:
        return _form(None, error=err.message.removeprefix("Validation failed: "),
                     http_status=err.status_code)  # fmt: skip
    return redirect("/settings/filters?saved=1", 303)


@bp.get("/<int:filter_id>/edit")
@login_required
def edit(filter_id: int):
    return _form(filters.get(viewer(), filter_id))


@bp.post("/<int:filter_id>")
@login_required
def update(filter_id: int):
    try:
        filters.update(viewer(), filter_id, **_fields(creating=False))
    except DomainError as err:
        row = filters.get(viewer(), filter_id)
        return _form(row, error=err.message.removeprefix("Validation failed: "),
                     http_status=err.status_code)  # fmt: skip
    return redirect("/settings/filters?saved=1", 303)


@bp.post("/<int:filter_id>/delete")
@login_required
def delete(filter_id: int):
    filters.remove(viewer(), filter_id)
    return redirect("/settings/filters", 303)
