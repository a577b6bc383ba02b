"""Rendering every web page and its HTMX fragments from one template.

A page template defines its fragment blocks (`{% block timeline %}`...). A view calls
`render_page("x.html", block="timeline", **ctx)`: the whole page for a normal request, only the
named block when HTMX asks (the `HX-Request` header), so both come from the same markup. Every
response varies on `HX-Request` so caches keep the two apart.
"""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, request
from jinja2_fragments.flask import render_block

#: Personal pages (a viewer's timelines, forms carrying a token) are kept out of every cache.
PRIVATE_CACHE_CONTROL = "private, no-store"


def is_htmx() -> bool:
    """Whether HTMX sent this request (history restores ask for the whole page)."""
    return request.headers.get("HX-Request") == "true" and (
        request.headers.get("HX-History-Restore-Request") != "true"
    )


def add_vary(response: Response, *names: str) -> Response:
    existing = [v.strip() for v in (response.headers.get("Vary") or "").split(",") if v.strip()]
    for name in names:
        if name.lower() not in {v.lower() for v in existing}:
            existing.append(name)
    response.headers["Vary"] = ", ".join(existing)
    return response


def render_page(
    template: str,
    *,
    block: str | None = None,
    http_status: int = 200,
    public: bool = False,
    **context: Any,
) -> Response:
    """The page, or only `block` of it for an HTMX request; `Vary: HX-Request` either way.

    A page is private unless `public` (the pages anyone may read: the start page, public
    timelines, profiles, posts, tags): private ones are sent `Cache-Control: private, no-store`.
    (`http_status`, not `status`: templates use `status` for a post.)"""
    if block is not None and is_htmx():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, http_status)
    if not public:
        response.headers["Cache-Control"] = PRIVATE_CACHE_CONTROL
    return add_vary(response, "HX-Request")
