"""Timelines: home, public (local/remote/only_media), hashtag and list."""

from __future__ import annotations

from flask import Blueprint

from fedi.api import entities
from fedi.api.auth import current_account, optional_oauth, require_oauth, viewer
from fedi.api.json import json_response
from fedi.api.pagination import add_link_header, page_params
from fedi.api.params import params
from fedi.services import lists, timelines

bp = Blueprint("api_v1_timelines", __name__, url_prefix="/api/v1/timelines")


def _page(rows, who):
    return add_link_header(json_response(entities.statuses(rows, who)), rows)


@bp.get("/home")
@require_oauth("read:statuses")
def home():
    account = current_account()
    return _page(timelines.home(account, page_params()), account)


@bp.get("/public")
@optional_oauth("read:statuses")
def public():
    p = params()
    rows = timelines.public(
        viewer(), page_params(), local=bool(p.bool("local")), remote=bool(p.bool("remote"))
    )
    return _page(rows, viewer())


@bp.get("/tag/<hashtag>")
@optional_oauth("read:statuses")
def tag(hashtag: str):
    rows = timelines.tag(viewer(), hashtag, page_params(), local=bool(params().bool("local")))
    return _page(rows, viewer())


@bp.get("/list/<list_id>")
@require_oauth("read:lists")
def list_timeline(list_id: str):
    account = current_account()
    return _page(lists.timeline(lists.get_owned(list_id, account), page_params()), account)
