"""Timelines: home, public (local/remote/only_media), hashtag and list."""

from __future__ import annotations

from flask import Blueprint

from fedi import entities
from fedi.api.auth import (
    current_account,
    current_account_id,
    optional_oauth,
    read_only,
    require_oauth,
)
from fedi.api.pagination import add_link_header, page_params
from fedi.api.params import params
from fedi.http.json import json_response
from fedi.services import lists, timelines

bp = Blueprint("api_v1_timelines", __name__, url_prefix="/api/v1/timelines")


def _page(rows, viewer_id: int | None):
    return add_link_header(json_response(entities.statuses(rows, viewer_id)), rows)


@bp.get("/home")
@read_only
@require_oauth("read:statuses")
def home():
    me = current_account_id()
    return _page(timelines.home(me, page_params(), views=True), me)


@bp.get("/public")
@read_only
@optional_oauth("read:statuses")
def public():
    p, me = params(), current_account_id()
    rows = timelines.public(
        me, page_params(), local=bool(p.bool("local")), remote=bool(p.bool("remote")), views=True
    )
    return _page(rows, me)


@bp.get("/tag/<hashtag>")
@read_only
@optional_oauth("read:statuses")
def tag(hashtag: str):
    me, local = current_account_id(), bool(params().bool("local"))
    return _page(timelines.tag(me, hashtag, page_params(), local=local, views=True), me)


@bp.get("/list/<list_id>")
@read_only
@require_oauth("read:lists")
def list_timeline(list_id: str):
    account = current_account()
    return _page(lists.timeline(lists.get_owned(list_id, account), page_params()), account.id)
