"""Create of a Note (a Question shown as a post with its poll; an Article, Page or Event shown
with its title and a link; an Image, Video or Audio with its medium attached). The object must
come from the signer's host and be attributed to the signer, and it must concern someone here
(a follower, a mention, a reply to a known post). An object without `attributedTo` is the
signer's (some servers leave it out of their own objects). A Note named after an option of a
local poll, in reply to it and without content, is a vote (Mastodon's shape): counted, never
stored as a post."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from fedi.extensions import db
from fedi.federation import resolve
from fedi.federation.handlers.context import Inbound
from fedi.models import Account, Follow
from fedi.services import polls, remote


def _concerns_us(obj: dict[str, Any], actor: Account) -> bool:
    followed = db.session.scalar(
        select(Follow.id)
        .join(Account, Account.id == Follow.account_id)
        .where(Follow.target_account_id == actor.id, Account.domain.is_(None))
        .limit(1)
    )
    if followed is not None:
        return True
    addressed = [
        remote.ref(x) for x in remote.as_list(obj.get("to")) + remote.as_list(obj.get("cc"))
    ]
    mentioned = [t.get("href") for t in remote.as_list(obj.get("tag")) if isinstance(t, dict)]
    if any(resolve.is_local_uri(u) for u in addressed + mentioned if isinstance(u, str)):
        return True
    parent = remote.ref(obj.get("inReplyTo"))
    return parent is not None and resolve.find_status_by_uri(parent) is not None


def _vote(obj: dict[str, Any], actor: Account) -> bool:
    """Record `obj` as a vote when it is one on a local poll; False when it is no vote."""
    name, parent_uri = obj.get("name"), remote.ref(obj.get("inReplyTo"))
    if obj.get("type") != "Note" or not isinstance(name, str) or not name or not parent_uri:
        return False
    if obj.get("content"):
        return False
    parent = resolve.find_status_by_uri(parent_uri)
    if parent is None:
        return False
    return polls.record_remote_vote(parent=parent, voter=actor, name=name, uri=obj["id"])


def handle(ctx: Inbound) -> bool:
    obj = ctx.object
    if not isinstance(obj, dict):  # a bare reference: fetch it from the signer's host
        uri = ctx.object_id
        if not uri or not resolve.same_host(uri, ctx.actor.uri):
            return False
        obj = resolve.fetch_object(uri)
        if obj is None:
            return False
    if obj.get("type") not in resolve.STATUS_TYPES or not isinstance(obj.get("id"), str):
        return False
    if not resolve.same_host(obj["id"], ctx.actor.uri):
        ctx.note("object is not on the signer's host")
        return False
    if obj.get("attributedTo") is None:
        # Unambiguous: the signer created it and it lives on the signer's host.
        obj = {**obj, "attributedTo": ctx.actor.uri}
    if remote.ref(obj.get("attributedTo")) != ctx.actor.uri:
        ctx.note("object is not attributed to the signer")
        return False
    if _vote(obj, ctx.actor):
        return True
    if resolve.find_status_by_uri(obj["id"]) is not None:
        return True
    obj = resolve.with_mention_hrefs(obj, lookups=0)  # ours and known ones, named or not
    if not _concerns_us(obj, ctx.actor):
        ctx.note("unsolicited: nobody here follows, is mentioned or is replied to")
        return False
    return resolve.ingest_status(obj) is not None
