"""Mentions of remote accounts this server has never seen, in a local post.

When the post is written, `@user@domain` of an unknown account renders as plain text. Before
the post's Create (or Update) is built, the federate task calls `resolve_unknown_mentions`:
each unknown account is resolved (WebFinger, then a signed fetch of its actor), and when any
is found the text is rendered again, so the post links the account (Mastodon's
`h-card`/`u-url mention` markup), gets its Mention rows and thus addresses the account and
reaches its server. Mastodon resolves while handling the request; doing it in the task keeps
posting independent of other servers' speed. Unresolvable mentions stay plain text. Streams
that show the post get a `status.update` with the linked version.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from fedi import urls
from fedi.events import channels
from fedi.extensions import db
from fedi.federation import resolve
from fedi.ids import new_id
from fedi.models import Mention, Status, StatusEdit
from fedi.services import accounts, status_edits, statuses
from fedi.text import parse

log = logging.getLogger(__name__)

MAX_LOOKUPS = 10  # unknown accounts resolved for one post


def unknown_accts(text: str) -> list[str]:
    """`user@domain` of the remote accounts `text` mentions that are not known here."""
    local = urls.local_domain().lower()
    found: dict[str, None] = {}
    for entity in parse.extract_entities(text or ""):
        if not isinstance(entity, parse.Mention) or entity.domain is None:
            continue
        if entity.domain.lower() == local:
            continue
        if accounts.find_by_acct(entity.username, entity.domain) is None:
            found.setdefault(f"{entity.username}@{entity.domain}".lower())
    return list(found)[:MAX_LOOKUPS]


def resolve_unknown_mentions(status: Status) -> bool:
    """Resolve the unknown remote accounts a local status mentions and, when any was found,
    render it again with their mentions (one commit). True when the status changed."""
    if not status.local or status.reblog_of_id is not None or status.deleted_at is not None:
        return False
    wanted = unknown_accts(status.text or "")
    if not wanted:
        return False
    if not [acct for acct in wanted if resolve.resolve_account(acct) is not None]:
        return False
    rendered = statuses.render(status.text or "")
    if rendered.html == status.content:
        return False
    before, status.content = status.content, rendered.html
    known = set(
        db.session.scalars(select(Mention.account_id).where(Mention.status_id == status.id))
    )
    for target in rendered.mentions:
        if target.key not in known and target.key != status.account_id:
            known.add(target.key)
            db.session.add(Mention(id=new_id(), status_id=status.id, account_id=target.key))
    _refresh_latest_revision(status, before)
    db.session.commit()
    log.info("status %s: %d unknown mention(s) resolved", status.id, len(wanted))
    # Clients that got the post as first written (plain-text mentions) show it linked now.
    channels.publish_update(status_edits.update_channels(status), status.id, event="status.update")
    return True


def _refresh_latest_revision(status: Status, before: str) -> None:
    """An edited status keeps its revisions: the newest one shows what the status shows now."""
    latest = db.session.scalar(
        select(StatusEdit)
        .where(StatusEdit.status_id == status.id)
        .order_by(StatusEdit.id.desc())
        .limit(1)
    )
    if latest is not None and latest.content == before:
        latest.content = status.content
