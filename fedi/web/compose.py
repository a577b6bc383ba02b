"""Writing: the compose form (on /home, /compose and the reply page) and posting it, images, video
and audio with their descriptions included (one multipart post, through services.media_uploads,
with or without JavaScript), and a poll on the compose page (four option fields, empty ones
ignored, a duration, multiple choice, hidden results). A worker processes the files; the post
waits for it (up to MEDIA_WAIT seconds, reading the rows only) and is made once they are ready,
so the form keeps working without JavaScript; a file still processing after that is refused like
any unfinished upload (Mastodon's "Try again in a moment"). Errors come back inline: HTMX swaps
the form with the message, without JavaScript the page re-renders with the text kept (files have
to be chosen again). A post made with HTMX answers with its card for the top of the timeline."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, request

from fedi.errors import DomainError, Unprocessable
from fedi.models import Account
from fedi.services import media_uploads, polls, profiles, scheduled_statuses, statuses
from fedi.services.statuses import MAX_MEDIA
from fedi.text.render import status_length
from fedi.web.render import is_htmx, render_page
from fedi.web.signed_in import card_context, login_required, viewer

bp = Blueprint("web_compose", __name__)

VISIBILITIES = ("public", "unlisted", "private", "direct")
POLL_DURATIONS = (
    ("300", "5 minutes"), ("1800", "30 minutes"), ("3600", "1 hour"), ("21600", "6 hours"),
    ("86400", "1 day"), ("259200", "3 days"), ("604800", "7 days"),
)  # fmt: skip
MEDIA_WAIT = 30.0  # seconds, under the web server's timeout


def form_context(
    form: dict[str, Any], error: str | None = None, *, media_slots: int = MAX_MEDIA
) -> dict[str, object]:
    """The compose form's template values; `media_slots` file fields (one on the home page,
    which links to the compose page for more, and for a poll)."""
    limit = current_app.config["FEDI"].MAX_STATUS_CHARS
    used = status_length(form.get("text", ""), spoiler_text=form.get("spoiler_text", ""))
    return {"form": form, "error": error, "max_chars": limit, "remaining": limit - used,
            "media_slots": media_slots, "with_poll": media_slots > 1,
            "poll_slots": polls.MAX_OPTIONS, "poll_chars": polls.MAX_OPTION_CHARS,
            "poll_durations": POLL_DURATIONS}  # fmt: skip


def empty_form(
    account: Account, *, media_slots: int = MAX_MEDIA, **values: str
) -> dict[str, object]:
    prefs = profiles.user_settings(account.user)
    form = {
        "text": "", "spoiler_text": "", "in_reply_to_id": "", "scheduled_at": "",
        "visibility": prefs.get("default_privacy") or "public",
        "language": prefs.get("default_language") or "",
        "poll_options": [], "poll_expires_in": "86400", "poll_multiple": "", "poll_hide_totals": "",
    } | values  # fmt: skip
    return form_context(form, media_slots=media_slots)


def _submitted() -> dict[str, Any]:
    keys = (
        "text", "spoiler_text", "visibility", "language", "in_reply_to_id", "scheduled_at",
        "poll_expires_in", "poll_multiple", "poll_hide_totals",
    )  # fmt: skip
    form: dict[str, Any] = {key: request.form.get(key, "") for key in keys}
    form["poll_options"] = request.form.getlist("poll_options")[: polls.MAX_OPTIONS]
    return form


def _poll(form: dict[str, Any]) -> polls.PollSpec | None:
    """A poll when any option was filled in (services/polls.py checks the rest)."""
    if not any(o.strip() for o in form["poll_options"]):
        return None
    return polls.PollSpec(
        options=form["poll_options"], expires_in=form["poll_expires_in"],
        multiple=bool(form["poll_multiple"]), hide_totals=bool(form["poll_hide_totals"]),
    )  # fmt: skip


@bp.get("/compose")
@login_required
def compose_page():
    return render_page("app/compose.html", **empty_form(viewer()))


@bp.get("/@<username>/<int:status_id>/reply")
@login_required
def reply_page(username: str, status_id: int):
    me = viewer()
    parent = statuses.get_visible(status_id, me)
    mentions = {parent.account.acct} - {me.acct}
    text = "".join(f"@{acct} " for acct in sorted(mentions))
    visibility = parent.visibility.value if parent.visibility.value != "public" else None
    form = empty_form(me, text=text, in_reply_to_id=str(parent.id))
    if visibility:
        form["form"]["visibility"] = visibility
    return render_page("app/compose.html", parent=parent, **card_context([parent], me), **form)


def _uploads() -> list[media_uploads.Upload]:
    """The chosen files with their descriptions, slot by slot (empty slots left out)."""
    files = request.files.getlist("media")
    descriptions = request.form.getlist("description")
    chosen = []
    for n, file in enumerate(files):
        data = file.read()
        if not data and not file.filename:
            continue
        description = descriptions[n] if n < len(descriptions) else ""
        chosen.append(media_uploads.Upload(data, file.filename or "", description))
    return chosen


@bp.post("/compose")
@login_required
def post():
    me = viewer()
    form = _submitted()
    media: list = []
    try:
        when = scheduled_statuses.wanted_time(form["scheduled_at"])
        poll = _poll(form)
        uploads = _uploads()
        if poll is not None and uploads:
            raise Unprocessable("A post cannot have both media and a poll")
        media = media_uploads.upload_many(
            account=me, uploads=uploads, limit=MAX_MEDIA, seconds=MEDIA_WAIT
        )
        fields = dict(
            account=me, text=form["text"], spoiler_text=form["spoiler_text"],
            visibility_=form["visibility"] if form["visibility"] in VISIBILITIES else None,
            language=form["language"] or None, in_reply_to_id=form["in_reply_to_id"] or None,
            media_ids=[m.id for m in media], poll=poll,
        )  # fmt: skip
        if when is not None:
            scheduled_statuses.schedule(scheduled_at=when, **fields)
        else:
            status = statuses.post_status(**fields)
    except DomainError as err:
        media_uploads.discard(media)
        return _error(form, err)
    if when is not None:  # the list of scheduled posts shows it, with its time
        if is_htmx():
            return "", 200, {"HX-Redirect": "/scheduled", "Vary": "HX-Request"}
        return redirect("/scheduled", 303)
    if is_htmx():
        return render_page("app/_card.html", status=status, **card_context([status], me))
    if status.in_reply_to_id:
        return redirect(f"/@{status.account.username}/{status.id}", 303)
    return redirect("/home", 303)


def _error(form: dict[str, Any], err: DomainError):
    message = err.message.removeprefix("Validation failed: ")
    ctx = form_context(form, message)
    if is_htmx():
        response = render_page("app/_compose_form.html", **ctx)
        response.headers.update({"HX-Retarget": "#compose", "HX-Reswap": "outerHTML"})
        return response
    return render_page("app/compose.html", http_status=err.status_code, **ctx)
