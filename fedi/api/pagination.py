"""Link headers for paged lists: rel="next" (older, max_id) and rel="prev" (newer, min_id)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, request

from fedi.services.pagination import PageParams


def page_params(*, default: int = 20, maximum: int = 40) -> PageParams:
    return PageParams.parse(request.args, default=default, maximum=maximum)


def _url(**changes: Any) -> str:
    args = [(k, v) for k, v in request.args.items(multi=True)
            if k not in ("max_id", "min_id", "since_id")]  # fmt: skip
    args += [(k, v) for k, v in changes.items() if v is not None]
    base = current_app.config["FEDI"].base_url + request.path
    return f"{base}?{urlencode(args)}" if args else base


def add_link_header(
    response: Response, items: Sequence[Any], *, key: Callable[[Any], int] = lambda x: x.id
) -> Response:
    """Mastodon's Link header for a page of `items` (newest first)."""
    if not items:
        return response
    links = [
        f'<{_url(max_id=key(items[-1]))}>; rel="next"',
        f'<{_url(min_id=key(items[0]))}>; rel="prev"',
    ]
    response.headers["Link"] = ", ".join(links)
    return response
