"""Actions on a status from its card: boost, favourite, bookmark, pin, mute the conversation,
edit and delete. Each is a form posting to /statuses/<id>/<action>; an HTMX request gets the
updated card back, a plain one a redirect to where it came from."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request

from fedi.errors import DomainError
from fedi.extensions import db
from fedi.models import Status
from fedi.services import interactions, statuses, text_edits
from fedi.web.signed_in import (
    card_context,
    is_htmx,
    login_required,
    redirect_back,
    render,
    viewer,
)

bp = Blueprint("web_status_actions", __name__)

ACTIONS = {
    "favourite": interactions.favourite,
    "unfavourite": interactions.unfavourite,
    "reblog": interactions.reblog,
    "unreblog": interactions.unreblog,
    "bookmark": interactions.bookmark,
    "unbookmark": interactions.unbookmark,
    "pin": interactions.pin,
    "unpin": interactions.unpin,
    "mute": interactions.mute_conversation,
    "unmute": interactions.unmute_conversation,
}


def _card(target: Status):
    """The card the form came from: the post itself, or the boost of it shown in a timeline."""
    db.session.expire_all()
    card_id = statuses.parse_id(request.form.get("card_id"))
    card = db.session.get(Status, card_id) if card_id else None
    if card is None or card.deleted_at is not None or card.reblog_of_id != target.id:
        card = statuses.get_visible(target.id, viewer())
    return render("app/_card.html", status=card, **card_context([card], viewer()))


@bp.post("/statuses/<int:status_id>/<action>")
@login_required
def act(status_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    me = viewer()
    status = statuses.get_visible(status_id, me)
    status = status.reblog or status
    ACTIONS[action](status=status, by=me)
    return _card(status) if is_htmx() else redirect_back()


@bp.get("/statuses/<int:status_id>/delete")
@login_required
def confirm_delete(status_id: int):
    status = statuses.get_own(status_id, viewer())
    return render("app/delete.html", status=status, **card_context([status], viewer()))


@bp.post("/statuses/<int:status_id>/delete")
@login_required
def delete(status_id: int):
    me = viewer()
    statuses.delete_status(status=statuses.get_own(status_id, me), by=me)
    if is_htmx():
        return "", 200, {"Vary": "HX-Request"}
    return redirect("/home", 303)


@bp.route("/@<username>/<int:status_id>/edit", methods=["GET", "POST"])
@login_required
def edit(username: str, status_id: int):
    me = viewer()
    status = statuses.get_own(status_id, me)
    if request.method == "GET":
        form = {"text": status.text, "spoiler_text": status.spoiler_text}
        return render("app/edit.html", status=status, form=form, error=None)
    form = {key: request.form.get(key, "") for key in ("text", "spoiler_text")}
    try:
        text_edits.edit_text(status=status, by=me, **form)
    except DomainError as err:
        message = err.message.removeprefix("Validation failed: ")
        return render("app/edit.html", code=422, status=status, form=form, error=message)
    return redirect(f"/@{me.username}/{status.id}", 303)
