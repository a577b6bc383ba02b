"""Actions on a status from its card: boost, favourite, bookmark, pin, mute the conversation, vote
in its poll, edit and delete. A card's buttons submit the page's one action form to /statuses,
the pressed button named after the action and valued with the card's id (the card may be a boost:
the action applies to the boosted post); /statuses/<id>/<action> does the same for other forms.
An HTMX request gets the updated card back, told where it goes by HX-Retarget/HX-Reswap (so the
markup needs no hx-* attributes), a plain one a redirect to where it came from."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, request

from fedi.errors import DomainError
from fedi.extensions import db
from fedi.models import Status
from fedi.services import interactions, polls, statuses, text_edits
from fedi.web import context
from fedi.web.render import is_htmx, render_page
from fedi.web.signed_in import card_context, login_required, redirect_back, viewer

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


def _card(target: Status, card_id: int | None):
    """The card the form came from, swapped in place: the post itself, or the boost of it shown
    in a timeline (the boost may be gone: unboosting one's own boost shows the post)."""
    db.session.expire_all()
    card = db.session.get(Status, card_id) if card_id else None
    if card is None or card.deleted_at is not None or card.reblog_of_id != target.id:
        card = statuses.get_visible(target.id, viewer())
    # On the post's own page the card is the thread's focused one (htmx says where it is).
    here = urlsplit(request.headers.get("HX-Current-URL", "")).path
    focused = here == context.status_path(card.reblog or card)
    response = render_page(
        "app/_card.html", status=card, focused=focused, **card_context([card], viewer())
    )
    response.headers.update({
        "HX-Retarget": f"#status-{card_id or target.id}",
        "HX-Reswap": "outerHTML show:none",
        "HX-Push-Url": "false",
    })  # fmt: skip
    return response


def _act(status_id: int, action: str, card_id: int | None):
    if action not in ACTIONS:
        abort(404)
    me = viewer()
    status = statuses.get_visible(status_id, me)
    target = status.reblog or status
    ACTIONS[action](status=target, by=me)
    if not is_htmx():
        return redirect_back()
    return _card(target, card_id or (status.id if status.reblog_of_id else None))


@bp.post("/statuses")
@login_required
def act_on_card():
    """The page's action form (base.html): the pressed button is named after the action and
    valued with the card's id. A vote sends the card's chosen options as `choices-<post id>`."""
    if "vote" in request.form:
        return _vote(statuses.parse_id(request.form["vote"]))
    for action in ACTIONS:
        if action in request.form:
            card_id = statuses.parse_id(request.form[action])
            if card_id is None:
                abort(404)
            return _act(card_id, action, None)
    abort(400)


def _vote(card_id: int | None):
    if card_id is None:
        abort(404)
    me = viewer()
    status = statuses.get_visible(card_id, me)
    target = status.reblog or status
    poll = polls.for_status(target.id)
    if poll is None:
        abort(404)
    polls.vote(poll_id=poll.id, account=me, choices=request.form.getlist(f"choices-{target.id}"))
    if not is_htmx():
        return redirect_back()
    return _card(target, status.id if status.reblog_of_id else None)


@bp.post("/statuses/<int:status_id>/<action>")
@login_required
def act(status_id: int, action: str):
    return _act(status_id, action, statuses.parse_id(request.form.get("card_id")))


@bp.get("/statuses/<int:status_id>/delete")
@login_required
def confirm_delete(status_id: int):
    status = statuses.get_own(status_id, viewer())
    return render_page("app/delete.html", status=status, **card_context([status], viewer()))


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
        return render_page("app/edit.html", status=status, form=form, error=None)
    form = {key: request.form.get(key, "") for key in ("text", "spoiler_text")}
    try:
        text_edits.edit_text(status=status, by=me, **form)
    except DomainError as err:
        message = err.message.removeprefix("Validation failed: ")
        return render_page(
            "app/edit.html", http_status=422, status=status, form=form, error=message
        )
    return redirect(f"/@{me.username}/{status.id}", 303)
