"""Statuses: post, read (one, many, thread), edit (with history and source), delete.

Favourites, boosts, bookmarks, pins and conversation mutes live in statuses_actions.py.
"""

from __future__ import annotations

from flask import Blueprint, request

from fedi import entities
from fedi.api.auth import (
    current_account,
    optional_oauth,
    require_oauth,
    token_from_request,
    viewer,
)
from fedi.api.params import Params, params, to_bool
from fedi.api.v1.scheduled_statuses import one as scheduled_one
from fedi.entities.status import one
from fedi.entities.status_edit import status_edits
from fedi.http.json import json_response
from fedi.services import polls, statuses, threads
from fedi.services import scheduled_statuses as scheduled
from fedi.services import status_edits as edits

bp = Blueprint("api_v1_statuses", __name__, url_prefix="/api/v1/statuses")


def _poll(p: Params) -> polls.PollSpec | None:
    """`poll[options][]`, `poll[expires_in]`, `poll[multiple]`, `poll[hide_totals]` (form or
    JSON); None without a poll."""
    raw = p.dict("poll")
    if not raw:
        return None
    options = raw.get("options")
    if isinstance(options, dict):  # `poll[options][0]=a&poll[options][1]=b`
        options = [options[k] for k in sorted(options, key=lambda k: (len(k), k))]
    elif not isinstance(options, list):
        options = [] if options is None else [options]
    return polls.PollSpec(
        options=[o for o in options if isinstance(o, str | int | float)],
        expires_in=raw.get("expires_in"),
        multiple=bool(to_bool(raw.get("multiple"), False)),
        hide_totals=bool(to_bool(raw.get("hide_totals"), False)),
    )


@bp.post("")
@require_oauth("write:statuses")
def create():
    p, account, token = params(), current_account(), token_from_request()
    fields = {
        "account": account,
        "text": p.str("status") or "",
        "visibility_": p.str("visibility"),
        "sensitive": p.bool("sensitive"),
        "language": p.str("language"),
        "in_reply_to_id": p.str("in_reply_to_id"),
        "application_id": token.application_id,
        "media_ids": p.list("media_ids"),
        "idempotency_key": request.headers.get("Idempotency-Key"),
        "poll": _poll(p),
    }
    when = scheduled.wanted_time(p.get("scheduled_at"))
    if when is not None:  # a ScheduledStatus instead of a Status, as Mastodon answers
        row = scheduled.schedule(scheduled_at=when, spoiler_text=p.str("spoiler_text"), **fields)
        return scheduled_one(row)
    status = statuses.post_status(spoiler_text=p.str("spoiler_text") or "", **fields)
    return json_response(one(status, account))


@bp.get("")
@optional_oauth("read:statuses")
def index():
    rows = statuses.get_many(params().list("id"), viewer())
    return json_response(entities.statuses(rows, viewer()))


@bp.get("/<int:status_id>")
@optional_oauth("read:statuses")
def show(status_id: int):
    return json_response(one(statuses.get_visible(status_id, viewer()), viewer()))


@bp.delete("/<int:status_id>")
@require_oauth("write:statuses")
def destroy(status_id: int):
    account = current_account()
    status = statuses.get_own(status_id, account)
    statuses.delete_status(status=status, by=account)
    return json_response(one(status, account, source=True))


@bp.put("/<int:status_id>")
@require_oauth("write:statuses")
def update(status_id: int):
    p, account = params(), current_account()
    status = edits.edit_status(
        status=statuses.get_own(status_id, account),
        by=account,
        text=p.str("status"),
        spoiler_text=p.str("spoiler_text"),
        sensitive=p.bool("sensitive"),
        language=p.str("language"),
        media_ids=p.list("media_ids"),
        media_attributes=p.list("media_attributes"),
        poll=_poll(p),
    )
    return json_response(one(status, account))


@bp.get("/<int:status_id>/context")
@optional_oauth("read:statuses")
def context(status_id: int):
    who = viewer()
    thread = threads.context(statuses.get_visible(status_id, who), who)
    rendered = entities.statuses(thread.ancestors + thread.descendants, who)
    split = len(thread.ancestors)
    return json_response({"ancestors": rendered[:split], "descendants": rendered[split:]})


@bp.get("/<int:status_id>/history")
@optional_oauth("read:statuses")
def history(status_id: int):
    status = statuses.get_visible(status_id, viewer())
    return json_response(status_edits(edits.history(status)))


@bp.get("/<int:status_id>/source")
@require_oauth("read:statuses", user=False)
def source(status_id: int):
    status = statuses.get_visible(status_id, viewer())
    return json_response(
        {"id": str(status.id), "text": status.text, "spoiler_text": status.spoiler_text}
    )
