"""Response header helpers shared by every surface."""

from __future__ import annotations

from flask import Response


def add_missing(response: Response, headers: dict[str, str]) -> None:
    """Add the `headers` a view has not set (one pass over the response's headers, where
    `setdefault` would scan them once per header)."""
    present = {name.lower() for name, _value in response.headers.items()}
    response.headers.extend(
        [(name, value) for name, value in headers.items() if name.lower() not in present]
    )
