"""Trends: hashtags, statuses and links (preview cards) with the most activity over the last
week (services/trends.py). Paged by `offset`, with Link headers."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request

from fedi import entities
from fedi.api.auth import optional_oauth, viewer
from fedi.entities.preview_card import trends_links
from fedi.entities.tag import tags
from fedi.errors import DomainError
from fedi.http.json import json_response
from fedi.services import trends

bp = Blueprint("api_v1_trends", __name__, url_prefix="/api/v1/trends")


def offset_window(default: int, maximum: int) -> tuple[int, int]:
    try:
        limit = int(request.args.get("limit") or default)
        offset = int(request.args.get("offset") or 0)
    except ValueError:
        raise DomainError("Pagination values for `offset` and `limit` must be integers") from None
    if limit < 0 or offset < 0:
        raise DomainError("Pagination values for `offset` and `limit` must be positive")
    return offset, min(limit or default, maximum)


def _url(offset: int) -> str:
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "offset"]
    args.append(("offset", offset))
    return f"{current_app.config['FEDI'].base_url}{request.path}?{urlencode(args)}"


def offset_paged(body: list, offset: int, limit: int) -> Response:
    """`next` while a page comes back full; `prev` once past the first page."""
    response = json_response(body)
    links = []
    if len(body) == limit:
        links.append(f'<{_url(offset + limit)}>; rel="next"')
    if offset > 0:
        links.append(f'<{_url(max(offset - limit, 0))}>; rel="prev"')
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


@bp.get("")
@bp.get("/tags")
@optional_oauth()
def trending_tags():
    offset, limit = offset_window(10, 20)
    return offset_paged(
        tags(trends.trending_tags(offset=offset, limit=limit), viewer()), offset, limit
    )


@bp.get("/statuses")
@optional_oauth()
def trending_statuses():
    offset, limit = offset_window(20, 40)
    rows = trends.trending_statuses(viewer(), offset=offset, limit=limit)
    return offset_paged(entities.statuses(rows, viewer()), offset, limit)


@bp.get("/links")
@optional_oauth()
def trending_links():
    offset, limit = offset_window(10, 20)
    rows = trends.trending_links(offset=offset, limit=limit)
    return offset_paged(trends_links(rows), offset, limit)
