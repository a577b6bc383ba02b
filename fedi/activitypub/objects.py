"""Local statuses as ActivityStreams: /users/<name>/statuses/<id>[/activity|/replies]; and the
local custom emoji their `Emoji` tags name: /emojis/<id> (enabled ones, to anyone).

Public and unlisted objects are served to anyone (signed requests only under AUTHORIZED_FETCH);
private and direct ones only to a signed request from an actor allowed to see them; a deleted
status answers 410 Gone with a Tombstone.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, request
from sqlalchemy import func, select

from fedi import urls
from fedi.activitypub import collections as colls
from fedi.activitypub.signed_fetch import require_signature_if_authorized
from fedi.extensions import db
from fedi.federation import serializers
from fedi.federation.serializers.common import emoji_tag, with_context
from fedi.federation.serializers.note import REPLIES_PAGE, self_replies
from fedi.http.negotiation import activity_response, wants_activitypub
from fedi.models import Account, Status, Visibility
from fedi.services import custom_emojis, relations, visibility

bp = Blueprint("activitypub_objects", __name__)


def _status(username: str, status_id: int) -> Status:
    status = db.session.scalar(
        select(Status).join(Account, Account.id == Status.account_id).where(
            Status.id == status_id, Status.local.is_(True), Account.domain.is_(None),
            func.lower(Account.username) == username.lower(),
        )
    )  # fmt: skip
    if status is None:
        abort(404)
    return status


def _gone(status: Status):
    return activity_response(with_context(serializers.tombstone(status)), status=410)


def _visible(status: Status) -> bool:
    """Whether this request may see the (live) status; 401 when a signature is required."""
    viewer = require_signature_if_authorized()
    if viewer is not None and relations.is_blocking(status.account_id, viewer.id):
        return False
    if status.visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
        return status.account.suspended_at is None and (
            status.reblog is None or status.reblog.deleted_at is None
        )
    return viewer is not None and visibility.can_see(viewer, status)


def _serve(username: str, status_id: int, render) -> Any:
    status = _status(username, status_id)
    if not wants_activitypub(request):
        target = status.reblog if status.reblog is not None else status
        response = redirect(urls.status_url(target.account.username, target.id), code=302)
        response.vary.add("Accept")
        return response
    if status.deleted_at is not None:
        if status.visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
            return _gone(status)
        abort(404)
    if not _visible(status):
        abort(404)
    return activity_response(render(status))


def _object(status: Status) -> dict[str, Any]:
    return serializers.announce(status) if status.reblog is not None else serializers.note(status)


def _activity(status: Status) -> dict[str, Any]:
    return serializers.announce(status) if status.reblog is not None else serializers.create(status)


@bp.get("/users/<username>/statuses/<int:status_id>")
def status(username: str, status_id: int):
    return _serve(username, status_id, _object)


@bp.get("/users/<username>/statuses/<int:status_id>/activity")
def activity(username: str, status_id: int):
    return _serve(username, status_id, _activity)


def _replies(status: Status) -> dict[str, Any]:
    """A page of the status' replies we know: self-replies first, then others' (as Mastodon)."""
    base = f"{status.uri}/replies"
    if request.args.get("page") != "true":
        return with_context(serializers.note(status, context=False)["replies"])
    if request.args.get("only_other_accounts") == "true":
        rows = _other_replies(status, colls.arg_id(request.args.get("min_id")) or 0)
        next_ = None
    else:
        rows = self_replies(status, min_id=colls.arg_id(request.args.get("min_id")) or 0)
        next_ = f"{base}?only_other_accounts=true&page=true"
        if len(rows) == REPLIES_PAGE:
            next_ = f"{base}?min_id={rows[-1].id}&page=true"
    body = {"id": request.url, "type": "CollectionPage", "next": next_, "partOf": base,
            "items": [r.uri for r in rows]}  # fmt: skip
    return with_context({k: v for k, v in body.items() if v is not None})


def _other_replies(status: Status, min_id: int) -> list[Status]:
    return list(
        db.session.scalars(
            select(Status).where(
                Status.in_reply_to_id == status.id,
                Status.account_id != status.account_id,
                Status.deleted_at.is_(None),
                Status.id > min_id,
                Status.visibility.in_(colls.LISTED),
            ).order_by(Status.id).limit(colls.PAGE_SIZE)
        )
    )  # fmt: skip


@bp.get("/users/<username>/statuses/<int:status_id>/replies")
def replies(username: str, status_id: int):
    return _serve(username, status_id, _replies)


@bp.get("/emojis/<int:emoji_id>")
def emoji(emoji_id: int):
    found = custom_emojis.get_local(emoji_id)
    if found is None:
        abort(404)
    return activity_response(with_context(emoji_tag(found)))
