"""NUL characters from outside, refused before any face reads them: no row may hold one
(PostgreSQL's text refuses it, so storing or even comparing such a value fails) and no client
has a reason to send one.

A path containing NUL names nothing (404); a query or form field containing one is refused
(422), on the API as Mastodon's error JSON and on the web as the error page. The API's JSON
bodies are checked where they are parsed (`fedi/api/params.py`, with `contains_nul`); the
inboxes read their own bodies and drop NUL from activities (`fedi/activitypub/inbox.py`).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from werkzeug.datastructures import FileStorage

from fedi.errors import NotFound, Unprocessable

REFUSED = "Validation failed: Parameters cannot contain null characters"
FORMS = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def contains_nul(value: Any) -> bool:
    """Whether a parsed value (text, lists, dicts and their keys, uploaded files' names) holds a
    NUL anywhere, without recursing."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, FileStorage):
            stack.append(item.filename or "")
    return False


def _pairs_contain_nul(pairs: Any) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs.items(multi=True))


def _form_contains_nul() -> bool:
    if request.method == "GET" or request.mimetype not in FORMS:
        return False
    files = request.files.values()
    return _pairs_contain_nul(request.form) or any("\x00" in (f.filename or "") for f in files)


def refuse_nul() -> None:
    if "\x00" in request.path:
        raise NotFound("Record not found")
    if _pairs_contain_nul(request.args) or _form_contains_nul():
        raise Unprocessable(REFUSED)


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)
