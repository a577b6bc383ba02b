"""Bounds on JSON from outside: inbound activities, API request bodies, fetched documents.

A document nested deeper than `MAX_DEPTH` is refused as invalid JSON wherever it comes in, before
anything reads or stores it. No real activity or API body comes near that depth, while deeper ones
break things further on: Python's json recurses once per level, and orjson writes at most 254
levels back out (into a JSON column, say).
"""

from __future__ import annotations

from typing import Any

import orjson

MAX_DEPTH = 64


class TooDeep(ValueError):
    """The document nests arrays and objects deeper than allowed."""


def loads(data: bytes | bytearray | memoryview | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON (orjson); ValueError when it is not JSON or nests deeper than `max_depth`."""
    value = orjson.loads(data)  # itself refuses more than 1,024 levels, without recursing
    if not within_depth(value, max_depth):
        raise TooDeep(f"JSON nested deeper than {max_depth} levels")
    return value


def loads_without_nul(data: bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """`loads`, with NUL characters dropped from every string and key: no database column can
    hold them (PostgreSQL's text and JSONB refuse them), and no document means anything by them.
    For documents from other servers (inbound activities, fetched objects)."""
    value = loads(data, max_depth=max_depth)
    return without_nul(value) if b"\\u0000" in data else value


def without_nul(value: Any) -> Any:
    """`value` with NUL characters dropped from its strings and keys (within MAX_DEPTH)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    return value


def within_depth(value: Any, max_depth: int = MAX_DEPTH) -> bool:
    """Whether `value` nests lists and dicts at most `max_depth` levels (a scalar is 0)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            return False
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return True
