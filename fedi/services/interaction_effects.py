"""What happens after an account acts on a status, run in tasks: the author's notification."""

from __future__ import annotations

from fedi.extensions import db
from fedi.models import Favourite, NotificationType
from fedi.services import notifications


def favourited(favourite_id: int) -> None:
    fav = db.session.get(Favourite, favourite_id)
    if fav is None:
        return
    created = notifications.notify_many(
        recipients=[fav.status.account_id], sender=fav.account,
        type_=NotificationType.FAVOURITE, status_id=fav.status_id,
    )  # fmt: skip
    db.session.commit()
    notifications.publish(created)
