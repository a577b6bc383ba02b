"""Lists: CRUD, members, and the lists of yours that contain an account."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.api.pagination import add_link_header, page_params
from fedi.api.params import params
from fedi.api.v1.accounts_common import accounts_json
from fedi.entities.list import list_ as list_entity
from fedi.http.json import json_response
from fedi.services import lists

bp = Blueprint("api_v1_lists", __name__, url_prefix="/api/v1")


def _fields() -> dict:
    p = params()
    return {
        "title": p.str("title"),
        "replies_policy": p.str("replies_policy"),
        "exclusive": p.bool("exclusive"),
    }


@bp.get("/lists")
@require_oauth("read:lists")
def index():
    return json_response([list_entity(r) for r in lists.owned(current_account())])


@bp.post("/lists")
@require_oauth("write:lists")
def create():
    return json_response(list_entity(lists.create_list(owner=current_account(), **_fields())))


@bp.get("/lists/<list_id>")
@require_oauth("read:lists")
def show(list_id: str):
    return json_response(list_entity(lists.get_owned(list_id, current_account())))


@bp.route("/lists/<list_id>", methods=["PUT", "PATCH"])
@require_oauth("write:lists")
def update(list_id: str):
    row = lists.get_owned(list_id, current_account())
    return json_response(list_entity(lists.update_list(list_=row, **_fields())))


@bp.delete("/lists/<list_id>")
@require_oauth("write:lists")
def destroy(list_id: str):
    lists.delete_list(list_=lists.get_owned(list_id, current_account()))
    return json_response({})


@bp.get("/lists/<list_id>/accounts")
@require_oauth("read:lists")
def accounts(list_id: str):
    """Members, 40 per page (at most 80); `limit=0` gives all of them without paging."""
    row = lists.get_owned(list_id, current_account())
    if params().str("limit") == "0":
        return json_response(accounts_json(lists.members(row, None)))
    members = lists.members(row, page_params(default=40, maximum=80))
    return add_link_header(json_response(accounts_json(members)), members)


@bp.post("/lists/<list_id>/accounts")
@require_oauth("write:lists")
def add_accounts(list_id: str):
    row = lists.get_owned(list_id, current_account())
    lists.add_members(list_=row, account_ids=params().list("account_ids"))
    return json_response({})


@bp.delete("/lists/<list_id>/accounts")
@require_oauth("write:lists")
def remove_accounts(list_id: str):
    row = lists.get_owned(list_id, current_account())
    lists.remove_members(list_=row, account_ids=params().list("account_ids"))
    return json_response({})


@bp.get("/accounts/<account_id>/lists")
@require_oauth("read:lists")
def account_lists(account_id: str):
    return json_response([list_entity(r) for r in lists.lists_with(current_account(), account_id)])
