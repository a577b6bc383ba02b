"""Filters (v1, deprecated but still used by apps): each v1 filter is one keyword of a v2 filter,
as Mastodon maps them (services/filters.py)."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.api.params import params
from fedi.entities.filter import filter_v1
from fedi.http.json import json_response
from fedi.services import filters

bp = Blueprint("api_v1_filters", __name__, url_prefix="/api/v1/filters")


@bp.get("")
@require_oauth("read:filters")
def index():
    return json_response([filter_v1(k) for k in filters.list_v1(current_account())])


@bp.post("")
@require_oauth("write:filters")
def create():
    p = params()
    row = filters.create_v1(
        current_account(), phrase=p.str("phrase"), context=p.list("context"),
        irreversible=bool(p.bool("irreversible", False)),
        whole_word=bool(p.bool("whole_word", True)), expires_in=p.int("expires_in"),
    )  # fmt: skip
    return json_response(filter_v1(row))


@bp.get("/<keyword_id>")
@require_oauth("read:filters")
def show(keyword_id: str):
    return json_response(filter_v1(filters.get_keyword(current_account(), keyword_id)))


@bp.put("/<keyword_id>")
@require_oauth("write:filters")
def update(keyword_id: str):
    p = params()
    extra = {"expires_in": p.int("expires_in")} if "expires_in" in p else {}
    row = filters.update_v1(
        current_account(), keyword_id, phrase=p.str("phrase"),
        context=p.list("context") if "context" in p else None,
        irreversible=p.bool("irreversible"), whole_word=p.bool("whole_word"), **extra,
    )  # fmt: skip
    return json_response(filter_v1(row))


@bp.delete("/<keyword_id>")
@require_oauth("write:filters")
def destroy(keyword_id: str):
    filters.remove_keyword(current_account(), keyword_id)
    return json_response({})
