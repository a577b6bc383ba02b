"""Hashtags: show one, follow and unfollow, and the list of followed hashtags."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, optional_oauth, require_oauth, viewer
from fedi.api.pagination import add_link_header, page_params
from fedi.entities.tag import tag, tags
from fedi.http.json import json_response
from fedi.services import tag_follows

bp = Blueprint("api_v1_tags", __name__, url_prefix="/api/v1")


@bp.get("/tags/<name>")
@optional_oauth()
def show(name: str):
    return json_response(tag(tag_follows.find_or_new(name), viewer()))


@bp.post("/tags/<name>/follow")
@require_oauth("write:follows")
def follow(name: str):
    account = current_account()
    return json_response(tag(tag_follows.follow_tag(account=account, name=name), account))


@bp.post("/tags/<name>/unfollow")
@require_oauth("write:follows")
def unfollow(name: str):
    account = current_account()
    return json_response(tag(tag_follows.unfollow_tag(account=account, name=name), account))


@bp.get("/followed_tags")
@require_oauth("read:follows")
def followed():
    """100 per page (at most 200); Link headers go by the follow, not the tag id."""
    account = current_account()
    pairs = tag_follows.followed_tags(account, page_params(default=100, maximum=200))
    response = json_response(tags([t for _, t in pairs], account))
    return add_link_header(response, pairs, key=lambda pair: pair[0])
