"""Content negotiation: does a request want ActivityStreams JSON rather than HTML?"""

from __future__ import annotations

from flask import Request, Response

from fedi.http.json import json_response

ACTIVITY_JSON = "application/activity+json"
LD_JSON = "application/ld+json"
AS_PROFILE = "https://www.w3.org/ns/activitystreams"
CONTENT_TYPE = "application/activity+json; charset=utf-8"


def _is_as2(media_range: str) -> bool:
    kind, _, params = media_range.partition(";")
    kind = kind.strip().lower()
    if kind == ACTIVITY_JSON:
        return True
    if kind != LD_JSON:
        return False
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "profile" and AS_PROFILE in value.strip().strip('"').split():
            return True
    return False


def wants_activitypub(request: Request) -> bool:
    """True when Accept names application/activity+json, or application/ld+json with the
    ActivityStreams profile (with a non-zero quality)."""
    accept = request.headers.get("Accept", "")
    for media_range in _split(accept):
        if _is_as2(media_range) and not _zero_quality(media_range):
            return True
    return False


def _split(accept: str) -> list[str]:
    """Media ranges of an Accept header; commas inside quoted profile values are kept."""
    parts, current, quoted = [], [], False
    for ch in accept:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _zero_quality(media_range: str) -> bool:
    for param in media_range.split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value) == 0
            except ValueError:
                return False
    return False


def activity_response(document: dict, status: int = 200) -> Response:
    response = json_response(document, status=status)
    response.headers["Content-Type"] = CONTENT_TYPE
    response.vary.add("Accept")
    return response
