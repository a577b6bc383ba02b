"""Fast JSON responses (orjson), and request bodies read within fedi/json_limits.py."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider

from fedi import json_limits


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(data), status=status, headers=headers, mimetype="application/json")


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that `request.get_json()` parses with orjson and refuses documents
    nested deeper than json_limits.MAX_DEPTH as invalid JSON (a ValueError, which Flask answers
    as a bad request, or None with `silent=True`), instead of recursing into a RecursionError."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return json_limits.loads(s)
