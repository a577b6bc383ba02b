"""Hashtags the signed-in account features on its profile, and suggestions for more."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.api.params import params
from fedi.entities.featured_tag import featured_tag, tag
from fedi.http.json import json_response
from fedi.services import featured_tags

bp = Blueprint("api_v1_featured_tags", __name__, url_prefix="/api/v1/featured_tags")


@bp.get("")
@require_oauth("read:accounts")
def index():
    account = current_account()
    return json_response([featured_tag(v, account) for v in featured_tags.featured(account)])


@bp.post("")
@require_oauth("write:accounts")
def create():
    account = current_account()
    view = featured_tags.feature(account=account, name=params().str("name", ""))
    return json_response(featured_tag(view, account))


@bp.delete("/<featured_tag_id>")
@require_oauth("write:accounts")
def destroy(featured_tag_id: str):
    featured_tags.unfeature(account=current_account(), featured_tag_id=featured_tag_id)
    return json_response({})


@bp.get("/suggestions")
@require_oauth("read:accounts")
def suggestions():
    rows = featured_tags.suggestions(current_account())
    history = featured_tags.history([r.id for r in rows])
    return json_response([tag(r, history[r.id]) for r in rows])
