"""Mastodon-style id pagination: max_id / since_id / min_id / limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam

from fedi.errors import Unprocessable
from fedi.ids import parse_id


def _id(value: Any) -> int | None:
    return parse_id(value)  # Mastodon ignores ids it cannot parse


@dataclass(frozen=True)
class PageParams:
    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None
    limit: int = 20

    @classmethod
    def parse(cls, args: Any, *, default: int = 20, maximum: int = 40) -> PageParams:
        raw = args.get("limit")
        try:
            limit = int(raw) if raw not in (None, "") else default
        except (TypeError, ValueError):
            raise Unprocessable("Validation failed: limit must be an integer") from None
        return cls(
            max_id=_id(args.get("max_id")),
            since_id=_id(args.get("since_id")),
            min_id=_id(args.get("min_id")),
            limit=max(1, min(limit, maximum)),
        )

    @property
    def ascending(self) -> bool:
        """min_id pages read upwards from min_id (the page right after it), then flip."""
        return self.min_id is not None

    def apply(self, query, column):
        if self.max_id is not None:
            query = query.where(column < self.max_id)
        if self.since_id is not None:
            query = query.where(column > self.since_id)
        if self.min_id is not None:
            query = query.where(column > self.min_id)
        order = column.asc() if self.ascending else column.desc()
        return query.order_by(order).limit(self.limit)

    def finish(self, rows: list) -> list:
        """Rows newest first, whichever way they were read."""
        return list(reversed(rows)) if self.ascending else rows

    # Prebuilt statements: the same conditions as `apply`, with bound parameters, so that a
    # statement is built once per shape and reused (see services/timelines.py).

    @property
    def shape(self) -> tuple[bool, bool, bool]:
        return (self.max_id is not None, self.since_id is not None, self.min_id is not None)

    @staticmethod
    def apply_bound(query, column, shape: tuple[bool, bool, bool]):
        """`apply` for any page of this `shape`; values come from `bound_values()`."""
        has_max, has_since, has_min = shape
        if has_max:
            query = query.where(column < bindparam("page_max_id"))
        if has_since:
            query = query.where(column > bindparam("page_since_id"))
        if has_min:
            query = query.where(column > bindparam("page_min_id"))
        order = column.asc() if has_min else column.desc()
        return query.order_by(order).limit(bindparam("page_limit"))

    def bound_values(self) -> dict[str, int]:
        values = {"page_limit": self.limit}
        for name in ("max_id", "since_id", "min_id"):
            if getattr(self, name) is not None:
                values[f"page_{name}"] = getattr(self, name)
        return values
