"""The instance's peers: the remote domains it knows accounts on."""

from __future__ import annotations

from sqlalchemy import select

from fedi.extensions import db
from fedi.models import Account


def peers() -> list[str]:
    """Remote domains this server knows accounts on."""
    return list(
        db.session.scalars(
            select(Account.domain)
            .where(Account.domain.is_not(None))
            .distinct()
            .order_by(Account.domain)
        )
    )
