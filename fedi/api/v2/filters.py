"""Filters (v2): the filters with their keywords and statuses, and each keyword and status on its
own. Rules in services/filters.py."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.api.params import Params, params, to_bool
from fedi.entities.filter import filter_, filter_keyword, filter_status
from fedi.errors import Unprocessable
from fedi.http.json import json_response
from fedi.services import filters
from fedi.services.filters import KeywordChange

bp = Blueprint("api_v2_filters", __name__, url_prefix="/api/v2/filters")


def _keyword_changes(p: Params) -> list[KeywordChange]:
    changes = []
    for item in p.list("keywords_attributes"):
        if not isinstance(item, dict):
            raise Unprocessable("Validation failed: Keywords attributes must be objects")
        keyword = item.get("keyword")
        changes.append(
            KeywordChange(
                keyword=None if keyword is None else str(keyword),
                whole_word=to_bool(item.get("whole_word")),
                id=None if item.get("id") in (None, "") else str(item["id"]),
                destroy=bool(to_bool(item.get("_destroy"), False)),
            )
        )
    return changes


def _filter_fields(p: Params, *, creating: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": p.str("title", "" if creating else None),
        "context": p.list("context") if creating or "context" in p else None,
        "action": p.str("filter_action"),
        "keywords": _keyword_changes(p),
    }
    if creating or "expires_in" in p:
        fields["expires_in"] = p.int("expires_in")
    return fields


@bp.get("")
@require_oauth("read:filters")
def index():
    return json_response([filter_(f) for f in filters.list_filters(current_account())])


@bp.post("")
@require_oauth("write:filters")
def create():
    row = filters.create(current_account(), **_filter_fields(params(), creating=True))
    return json_response(filter_(row))


@bp.get("/<filter_id>")
@require_oauth("read:filters")
def show(filter_id: str):
    return json_response(filter_(filters.get(current_account(), filter_id)))


@bp.put("/<filter_id>")
@require_oauth("write:filters")
def update(filter_id: str):
    fields = _filter_fields(params(), creating=False)
    return json_response(filter_(filters.update(current_account(), filter_id, **fields)))


@bp.delete("/<filter_id>")
@require_oauth("write:filters")
def destroy(filter_id: str):
    filters.remove(current_account(), filter_id)
    return json_response({})


# --- keywords --------------------------------------------------------------------------------


@bp.get("/<filter_id>/keywords")
@require_oauth("read:filters")
def keywords(filter_id: str):
    row = filters.get(current_account(), filter_id)
    return json_response([filter_keyword(k) for k in row.keywords])


@bp.post("/<filter_id>/keywords")
@require_oauth("write:filters")
def add_keyword(filter_id: str):
    p = params()
    row = filters.add_keyword(current_account(), filter_id, p.str("keyword"), p.bool("whole_word"))
    return json_response(filter_keyword(row))


@bp.get("/keywords/<keyword_id>")
@require_oauth("read:filters")
def show_keyword(keyword_id: str):
    return json_response(filter_keyword(filters.get_keyword(current_account(), keyword_id)))


@bp.put("/keywords/<keyword_id>")
@require_oauth("write:filters")
def update_keyword(keyword_id: str):
    p = params()
    row = filters.update_keyword(
        current_account(), keyword_id, p.str("keyword"), p.bool("whole_word")
    )
    return json_response(filter_keyword(row))


@bp.delete("/keywords/<keyword_id>")
@require_oauth("write:filters")
def destroy_keyword(keyword_id: str):
    filters.remove_keyword(current_account(), keyword_id)
    return json_response({})


# --- statuses --------------------------------------------------------------------------------


@bp.get("/<filter_id>/statuses")
@require_oauth("read:filters")
def statuses(filter_id: str):
    row = filters.get(current_account(), filter_id)
    return json_response([filter_status(s) for s in row.statuses])


@bp.post("/<filter_id>/statuses")
@require_oauth("write:filters")
def add_status(filter_id: str):
    row = filters.add_status(current_account(), filter_id, params().str("status_id"))
    return json_response(filter_status(row))


@bp.get("/statuses/<filter_status_id>")
@require_oauth("read:filters")
def show_status(filter_status_id: str):
    return json_response(filter_status(filters.get_status(current_account(), filter_status_id)))


@bp.delete("/statuses/<filter_status_id>")
@require_oauth("write:filters")
def destroy_status(filter_status_id: str):
    filters.remove_status(current_account(), filter_status_id)
    return json_response({})
