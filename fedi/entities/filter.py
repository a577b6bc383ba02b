"""The Filter entities: v2's Filter, FilterKeyword, FilterStatus and FilterResult (a status's
`filtered`), and v1's Filter (one keyword of a v2 filter)."""

from __future__ import annotations

from typing import Any

from fedi.entities.common import iso
from fedi.models import Filter, FilterKeyword, FilterStatus
from fedi.services.filters import FilterInfo, FilterMatch


def filter_(row: Filter | FilterInfo, *, rules: bool = True) -> dict[str, Any]:
    """`rules`: with its keywords and statuses (not inside a FilterResult)."""
    action = row.action if isinstance(row, FilterInfo) else row.action.value
    body: dict[str, Any] = {
        "id": str(row.id),
        "title": row.title,
        "context": list(row.context),
        "expires_at": iso(row.expires_at),
        "filter_action": action,
    }
    if rules and isinstance(row, Filter):
        body["keywords"] = [filter_keyword(k) for k in row.keywords]
        body["statuses"] = [filter_status(s) for s in row.statuses]
    return body


def filter_keyword(row: FilterKeyword) -> dict[str, Any]:
    return {"id": str(row.id), "keyword": row.keyword, "whole_word": row.whole_word}


def filter_status(row: FilterStatus) -> dict[str, Any]:
    return {"id": str(row.id), "status_id": str(row.status_id)}


def filter_result(match: FilterMatch) -> dict[str, Any]:
    return {
        "filter": filter_(match.filter, rules=False),
        "keyword_matches": match.keyword_matches,
        "status_matches": match.status_matches,
    }


def filter_v1(row: FilterKeyword) -> dict[str, Any]:
    parent = row.filter
    return {
        "id": str(row.id),
        "phrase": row.keyword,
        "context": list(parent.context),
        "whole_word": row.whole_word,
        "expires_at": iso(parent.expires_at),
        "irreversible": parent.action.value == "hide",
    }
