"""OrderedCollections and their pages, and the queries behind an actor's collections."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from fedi.extensions import db
from fedi.federation.serializers.common import with_context
from fedi.models import Account, Status, StatusPin, Visibility

PAGE_SIZE = 20
LISTED = (Visibility.PUBLIC, Visibility.UNLISTED)


def arg_id(value: str | None) -> int | None:
    """A max_id/min_id query value; anything unparseable is ignored, as Mastodon does."""
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def page_url(base: str, **params: object) -> str:
    return f"{base}?{urlencode({**params, 'page': 'true'})}"


def collection(
    base: str, total: int, *, first: str | None = None, last: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"id": base, "type": "OrderedCollection", "totalItems": total}
    if first is not None:
        body["first"] = first
    if last is not None:
        body["last"] = last
    return with_context(body)


def page(
    base: str, current: str, items: list[Any], *, next_: str | None = None, prev: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"id": current, "type": "OrderedCollectionPage"}
    if next_ is not None:
        body["next"] = next_
    if prev is not None:
        body["prev"] = prev
    body["partOf"] = base
    body["orderedItems"] = items
    return with_context(body)


def outbox_statuses(
    account: Account, *, max_id: int | None, min_id: int | None, limit: int = PAGE_SIZE
) -> list[Status]:
    """Public and unlisted statuses and boosts of `account`, newest first."""
    query = select(Status).where(
        Status.account_id == account.id,
        Status.deleted_at.is_(None),
        Status.visibility.in_(LISTED),
    )
    if max_id is not None:
        query = query.where(Status.id < max_id)
    if min_id is not None:
        query = query.where(Status.id > min_id)
    order = Status.id.asc() if min_id is not None else Status.id.desc()
    query = query.options(selectinload(Status.reblog).selectinload(Status.account))
    rows = list(db.session.scalars(query.order_by(order).limit(limit)))
    return list(reversed(rows)) if min_id is not None else rows


def pinned_statuses(account: Account) -> list[Status]:
    return list(
        db.session.scalars(
            select(Status)
            .join(StatusPin, StatusPin.status_id == Status.id)
            .where(
                StatusPin.account_id == account.id,
                Status.account_id == account.id,
                Status.deleted_at.is_(None),
                Status.visibility.in_(LISTED),
            )
            .order_by(StatusPin.id.desc())
        )
    )
