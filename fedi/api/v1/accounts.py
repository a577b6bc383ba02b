"""Reading accounts: get, statuses, followers, following, featured tags, relationships, search,
lookup and familiar followers."""

from __future__ import annotations

from flask import Blueprint

from fedi import entities, ids
from fedi.api.auth import (
    current_account,
    current_account_id,
    optional_oauth,
    read_only,
    require_oauth,
    viewer,
)
from fedi.api.pagination import add_link_header, page_params
from fedi.api.params import params
from fedi.api.v1.accounts_common import (
    ACCOUNTS_DEFAULT,
    ACCOUNTS_MAX,
    account_json,
    accounts_json,
    paged_accounts,
)
from fedi.entities.featured_tag import featured_tag
from fedi.entities.relationship import relationship
from fedi.http.json import json_response
from fedi.services import account_lookup, featured_tags, follows, relationships, timelines

bp = Blueprint("api_v1_accounts", __name__, url_prefix="/api/v1/accounts")


def _ids() -> list[int]:
    """`id[]=` (or `id=`) values; ones that cannot be an id match nothing."""
    return [n for n in map(ids.parse_id, params().list("id")) if n is not None]


@bp.get("/<int:account_id>")
@optional_oauth("read:accounts")
def show(account_id: int):
    return json_response(account_json(account_lookup.get_account(account_id)))


@bp.get("/<int:account_id>/statuses")
@read_only
@optional_oauth("read:statuses")
def statuses(account_id: int):
    account, p, me = account_lookup.get_account_ref(account_id), params(), current_account_id()
    rows = timelines.account_statuses(
        me, account, page_params(), views=True,
        exclude_replies=bool(p.bool("exclude_replies")),
        exclude_reblogs=bool(p.bool("exclude_reblogs")),
        only_media=bool(p.bool("only_media")),
        pinned=bool(p.bool("pinned")),
        tagged=p.str("tagged") or None,
    )  # fmt: skip
    return add_link_header(json_response(entities.statuses(rows, me)), rows)


@bp.get("/<int:account_id>/followers")
@optional_oauth("read:accounts")
def followers(account_id: int):
    account = account_lookup.get_account(account_id)
    page = page_params(default=ACCOUNTS_DEFAULT, maximum=ACCOUNTS_MAX)
    return paged_accounts(follows.followers_page(account, viewer(), page))


@bp.get("/<int:account_id>/following")
@optional_oauth("read:accounts")
def following(account_id: int):
    account = account_lookup.get_account(account_id)
    page = page_params(default=ACCOUNTS_DEFAULT, maximum=ACCOUNTS_MAX)
    return paged_accounts(follows.following_page(account, viewer(), page))


@bp.get("/<int:account_id>/featured_tags")
@optional_oauth("read:accounts")
def account_featured_tags(account_id: int):
    account = account_lookup.get_account(account_id)
    return json_response([featured_tag(v, account) for v in featured_tags.featured(account)])


@bp.get("/<int:account_id>/identity_proofs")
@require_oauth("read:accounts")
def identity_proofs(account_id: int):
    account_lookup.get_account(account_id)
    return json_response([])  # identity proofs were removed from Mastodon; the answer is empty


@bp.get("/relationships")
@require_oauth("read:follows")
def relationships_():
    rows = relationships.relationships(
        current_account_id(), _ids(), with_suspended=bool(params().bool("with_suspended"))
    )
    return json_response([relationship(r) for r in rows])


@bp.get("/familiar_followers")
@require_oauth("read:follows")
def familiar_followers():
    found = relationships.familiar_followers(current_account(), _ids())
    return json_response([{"id": str(i), "accounts": accounts_json(rows)} for i, rows in found])


@bp.get("/search")
@require_oauth("read:accounts")
def search():
    p = params()
    limit = max(1, min(p.int("limit", ACCOUNTS_DEFAULT), ACCOUNTS_MAX))
    rows = account_lookup.search(
        current_account(), p.str("q", ""), limit=limit, offset=p.int("offset", 0),
        following=bool(p.bool("following")),
    )  # fmt: skip
    return json_response(accounts_json(rows))


@bp.get("/lookup")
@optional_oauth("read:accounts")
def lookup():
    return json_response(account_json(account_lookup.lookup(params().str("acct", ""))))
