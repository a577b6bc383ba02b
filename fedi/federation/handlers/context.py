"""What every inbound handler gets, and the small lookups they share."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from fedi.extensions import db
from fedi.federation import inbox, resolve
from fedi.models import Account, Status
from fedi.services import remote

log = logging.getLogger("fedi.federation.handlers")


@dataclass
class Inbound:
    """A verified activity: `actor` signed it; `recipient` is the inbox owner (None: shared)."""

    item_id: int
    activity: dict[str, Any]
    actor: Account
    recipient: Account | None

    @property
    def object(self) -> Any:
        return self.activity.get("object")

    @property
    def object_id(self) -> str | None:
        return remote.ref(self.object)

    @property
    def object_type(self) -> str | None:
        obj = self.object
        return obj.get("type") if isinstance(obj, dict) else None

    def note(self, message: str) -> None:
        log.info("inbox item %s: %s", self.item_id, message)
        inbox.note(self.item_id, message)


def local_account(uri: str | None) -> Account | None:
    """The local account with this actor URI, if any."""
    if not uri or not resolve.is_local_uri(uri):
        return None
    account = db.session.scalar(select(Account).where(Account.uri == uri))
    return account if account is not None and account.local else None


def known_status(uri: str | None) -> Status | None:
    status = resolve.find_status_by_uri(uri)
    return status if status is not None and status.deleted_at is None else None
