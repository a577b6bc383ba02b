"""The end of polls: every minute, the polls that ended since get their `poll` notifications
(their local voters, and the author of a local one) and a local poll's final counts go out.
`services.polls.notify_ended` claims each poll with one UPDATE, so none is announced twice,
whichever worker runs it and however late."""

from __future__ import annotations

import logging

from huey import crontab

from fedi.extensions import db
from fedi.queue import periodic
from fedi.services import polls

log = logging.getLogger(__name__)


@periodic(crontab(minute="*"))
def notify_ended_polls() -> None:
    for poll_id in polls.ended_ids():
        try:
            polls.notify_ended(poll_id)
        except Exception:
            db.session.rollback()
            log.exception("announcing the end of poll %s failed", poll_id)
