"""GET /api/v1/directory: the profile directory (offset pagination, as Mastodon's)."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import optional_oauth, viewer
from fedi.api.pagination import page_params
from fedi.api.params import params
from fedi.api.v1.accounts_common import accounts_json
from fedi.http.json import json_response
from fedi.services import directory

bp = Blueprint("api_v1_directory", __name__, url_prefix="/api/v1/directory")


@bp.get("")
@optional_oauth("read:accounts")
def index():
    p = params()
    limit = page_params(default=directory.DEFAULT_LIMIT, maximum=directory.MAX_LIMIT).limit
    rows = directory.page(
        viewer(), order=p.str("order"), local=bool(p.bool("local")),
        offset=max(p.int("offset") or 0, 0), limit=limit,
    )  # fmt: skip
    return json_response(accounts_json(rows))
