"""GET /api/v2/search: accounts, hashtags and statuses (see `services.search`)."""

from __future__ import annotations

from flask import Blueprint

from fedi import entities
from fedi.api.auth import Unauthorized, optional_oauth, viewer
from fedi.api.pagination import page_params
from fedi.api.params import params
from fedi.api.v1.accounts_common import accounts_json
from fedi.entities.tag import tags
from fedi.errors import DomainError
from fedi.federation import remote_search
from fedi.http.json import json_response
from fedi.services import search

bp = Blueprint("api_v2_search", __name__, url_prefix="/api/v2/search")
LIMIT = 20


def _query() -> search.Query:
    p = params()
    q = p.str("q")
    if not q or not q.strip():
        raise DomainError("param is missing or the value is empty: q")
    if viewer() is None and p.str("offset"):
        raise Unauthorized("Search queries pagination is not supported without authentication")
    if viewer() is None and p.bool("resolve"):
        raise Unauthorized(
            "Search queries that resolve remote resources are not supported without authentication"
        )
    limit, offset = p.int("limit", LIMIT), p.int("offset", 0)
    if limit < 0 or offset < 0:
        raise DomainError("Pagination values for `offset` and `limit` must be positive")
    return search.Query(
        q=q, type=p.str("type") or None, resolve=bool(p.bool("resolve")),
        following=bool(p.bool("following")), account_id=p.str("account_id"),
        exclude_unreviewed=bool(p.bool("exclude_unreviewed")), offset=offset,
        limit=min(limit, LIMIT * 2), page=page_params(),
    )  # fmt: skip


def _resolve_remotely(who, query: search.Query, found: search.Results) -> bool:
    """`resolve=true` fetches the remote account or status named when nothing local matched."""
    wanted = who is not None and query.resolve and not query.offset
    return wanted and query.type != "hashtags" and not (found.accounts or found.statuses)


@bp.get("")
@optional_oauth("read:search")
def index():
    who, query = viewer(), _query()
    found = search.search(who, query)
    if _resolve_remotely(who, query, found):
        found = remote_search.resolve_remote(who, " ".join(query.q.split()), found)
        found.accounts = found.accounts if query.type in (None, "accounts") else []
        found.statuses = found.statuses if query.type in (None, "statuses") else []
    return json_response(
        {
            "accounts": accounts_json(found.accounts),
            "statuses": entities.statuses(found.statuses, who),
            "hashtags": tags(found.hashtags, who),
        }
    )
