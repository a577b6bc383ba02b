"""Content negotiation for the pages that are also ActivityPub objects (`/@name`, statuses):
browsers get HTML, ActivityPub clients a 302 to the object's id, which serves JSON."""

from __future__ import annotations

from flask import Response, redirect, request

from fedi.http.negotiation import wants_activitypub as _wants
from fedi.web.render import add_vary


def wants_activitypub() -> bool:
    return _wants(request)


def to_object(uri: str) -> Response:
    return add_vary(redirect(uri, 302), "Accept")
