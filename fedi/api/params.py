"""What clients send, in every shape they send it: query string, form, multipart or JSON;
`key[]` arrays; nested `key[sub]` and `key[0][sub]` parameters; booleans as true/false/1/0."""

from __future__ import annotations

import re
from typing import Any

from flask import request
from werkzeug.datastructures import FileStorage

from fedi.errors import Unprocessable
from fedi.http import null_characters

_PART = re.compile(r"\[([^\]]*)\]")
TRUE = {"true", "1", "on", "yes", "t"}
FALSE = {"false", "0", "off", "no", "f", ""}


def _insert(target: dict[str, Any], key: str, value: Any) -> None:
    """Place `value` at `key` the way Rack does: `a[]` appends, `a[b][c]` nests, and `a[][b]`
    builds a list of dicts: the first one without `b` gets it, else a new one. (Form fields
    come grouped by name, so when some dicts lack a key the value may land in an earlier dict
    than Rack would put it; clients send every dict with the same keys, or JSON.)"""
    head, _, rest = key.partition("[")
    parts = [head, *(_PART.findall("[" + rest) if rest else [])]
    node = target
    for i, part in enumerate(parts[:-1]):
        if part == "":
            return  # deeper nesting inside `a[]` is not something clients send
        if parts[i + 1] == "" and i + 3 >= len(parts):
            existing = node.get(part)
            if not isinstance(existing, list):
                existing = node[part] = [] if existing is None else [existing]
            if i + 2 == len(parts):
                existing.append(value)
                return
            if parts[i + 2]:
                _into_dicts(existing, parts[i + 2], value)
            return
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    if parts[-1]:
        node[parts[-1]] = value


def _into_dicts(items: list[Any], key: str, value: Any) -> None:
    """`a[][key]=value`: into the first dict of `items` without `key`, else a new one."""
    slot = next((d for d in items if isinstance(d, dict) and key not in d), None)
    if slot is None:
        items.append({key: value})
    else:
        slot[key] = value


def _collect() -> dict[str, Any]:
    data: dict[str, Any] = {}
    for source in (request.args, request.form):
        for key in source:
            for value in source.getlist(key):
                _insert(data, key, value)
    for key in request.files:
        for value in request.files.getlist(key):
            _insert(data, key, value)
    if request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            if null_characters.contains_nul(body):
                raise Unprocessable(null_characters.REFUSED)
            data.update(body)
        elif request.get_data() and body is None:
            raise Unprocessable("Invalid JSON body")
    return data


class Params:
    """Merged request parameters with typed getters."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def get(self, key: str, default: Any = None) -> Any:
        value = self.data.get(key, default)
        return value

    def str(self, key: str, default: str | None = None) -> str | None:
        value = self.data.get(key)
        if value is None or isinstance(value, (dict, list, FileStorage)):
            return default
        return str(value)

    def bool(self, key: str, default: bool | None = None) -> bool | None:
        return to_bool(self.data.get(key), default)

    def int(self, key: str, default: int | None = None) -> int | None:
        value = self.data.get(key)
        if value in (None, ""):
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise Unprocessable(f"Validation failed: {key} must be an integer") from None

    def list(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, dict):  # `key[0]=a&key[1]=b`
            return [value[k] for k in sorted(value, key=lambda k: (len(k), k))]
        return value if isinstance(value, list) else [value]

    def dict(self, key: str) -> dict[str, Any]:
        value = self.data.get(key)
        return value if isinstance(value, dict) else {}

    def file(self, key: str) -> FileStorage | None:
        value = self.data.get(key)
        return value if isinstance(value, FileStorage) else None

    def __contains__(self, key: str) -> bool:
        return key in self.data


def to_bool(value: Any, default: bool | None = None) -> bool | None:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    return default


def params() -> Params:
    """This request's parameters, parsed once."""
    if not hasattr(request, "wren_params"):
        request.wren_params = Params(_collect())
    return request.wren_params
