"""What an account does to a status (favourite, boost, bookmark, pin, conversation mute, and
their undos) and who favourited or boosted it."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request

from fedi.api.auth import current_account, optional_oauth, require_oauth, viewer
from fedi.api.pagination import page_params
from fedi.api.params import params
from fedi.api.v1.accounts_common import accounts_json
from fedi.entities.status import one
from fedi.http.json import json_response
from fedi.models import Bookmark, Favourite
from fedi.services import interactions, statuses

bp = Blueprint("api_v1_statuses_actions", __name__, url_prefix="/api/v1/statuses/<int:status_id>")

ACCOUNTS_LIMIT = 40


def _visible(status_id: int):
    return statuses.get_visible(status_id, current_account())


@bp.post("/favourite")
@require_oauth("write:favourites")
def favourite(status_id: int):
    status = _visible(status_id)
    interactions.favourite(status=status, by=current_account())
    return json_response(one(status, current_account()))


@bp.post("/unfavourite")
@require_oauth("write:favourites")
def unfavourite(status_id: int):
    account = current_account()
    status = interactions.undo_target(Favourite, status_id, account)
    interactions.unfavourite(status=status, by=account)
    return json_response(one(status, account))


@bp.post("/reblog")
@require_oauth("write:statuses")
def reblog(status_id: int):
    account = current_account()
    boost = interactions.reblog(
        status=_visible(status_id), by=account, visibility_=params().str("visibility")
    )
    return json_response(one(boost, account))


@bp.post("/unreblog")
@require_oauth("write:statuses")
def unreblog(status_id: int):
    account = current_account()
    status = interactions.unreblog_target(status_id, account)
    interactions.unreblog(status=status, by=account)
    return json_response(one(status, account))


@bp.post("/bookmark")
@require_oauth("write:bookmarks")
def bookmark(status_id: int):
    status = _visible(status_id)
    interactions.bookmark(status=status, by=current_account())
    return json_response(one(status, current_account()))


@bp.post("/unbookmark")
@require_oauth("write:bookmarks")
def unbookmark(status_id: int):
    account = current_account()
    status = interactions.undo_target(Bookmark, status_id, account)
    interactions.unbookmark(status=status, by=account)
    return json_response(one(status, account))


@bp.post("/pin")
@require_oauth("write:accounts")
def pin(status_id: int):
    status = _visible(status_id)
    interactions.pin(status=status, by=current_account())
    return json_response(one(status, current_account()))


@bp.post("/unpin")
@require_oauth("write:accounts")
def unpin(status_id: int):
    status = _visible(status_id)
    interactions.unpin(status=status, by=current_account())
    return json_response(one(status, current_account()))


@bp.post("/mute")
@require_oauth("write:mutes")
def mute(status_id: int):
    status = _visible(status_id)
    interactions.mute_conversation(status=status, by=current_account())
    return json_response(one(status, current_account()))


@bp.post("/unmute")
@require_oauth("write:mutes")
def unmute(status_id: int):
    status = _visible(status_id)
    interactions.unmute_conversation(status=status, by=current_account())
    return json_response(one(status, current_account()))


@bp.get("/reblogged_by")
@optional_oauth("read:accounts")
def reblogged_by(status_id: int):
    page = page_params(default=ACCOUNTS_LIMIT, maximum=ACCOUNTS_LIMIT * 2)
    status = statuses.get_visible(status_id, viewer())
    return _accounts(interactions.reblogged_by(status, viewer(), page), page.limit)


@bp.get("/favourited_by")
@optional_oauth("read:accounts")
def favourited_by(status_id: int):
    page = page_params(default=ACCOUNTS_LIMIT, maximum=ACCOUNTS_LIMIT * 2)
    status = statuses.get_visible(status_id, viewer())
    return _accounts(interactions.favourited_by(status, viewer(), page), page.limit)


def _accounts(rows: list, limit: int) -> Response:
    """Accounts with Mastodon's Link header for these lists: `next` (max_id) only when the page
    is full, `prev` with since_id; both keyed by the boost or favourite id."""
    response = json_response(accounts_json([account for _, account in rows]))
    links = []
    if len(rows) == limit:
        links.append(f'<{_url(max_id=rows[-1][0])}>; rel="next"')
    if rows:
        links.append(f'<{_url(since_id=rows[0][0])}>; rel="prev"')
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


def _url(**cursor: int) -> str:
    args = {"limit": request.args["limit"]} if "limit" in request.args else {}
    args.update(cursor)
    base = current_app.config["FEDI"].base_url + request.path
    return f"{base}?{urlencode(sorted(args.items()))}"
