"""Announce (a boost). The boosted object is taken from what we already hold or fetched from
its origin; an object inlined by another host is never trusted."""

from __future__ import annotations

from fedi.federation import resolve
from fedi.federation.handlers.context import Inbound, known_status
from fedi.services import remote


def handle(ctx: Inbound) -> bool:
    uri = ctx.object_id
    boost_uri = ctx.activity.get("id")
    if not uri or not isinstance(boost_uri, str):
        return False
    if _wraps_an_activity(ctx.object):
        ctx.note("announced activity ignored (a group relaying it: the object comes on its own)")
        return False
    if not resolve.same_host(boost_uri, ctx.actor.uri):
        return False
    original = known_status(uri) or resolve.resolve_status(uri)
    if original is None or original.deleted_at is not None:
        ctx.note("boosted object could not be fetched")
        return False
    boost = remote.receive_boost(
        by=ctx.actor, original=original, uri=boost_uri,
        published=remote.parse_time(ctx.activity.get("published")),
        visibility_=remote.visibility_of(ctx.activity, ctx.actor),
    )  # fmt: skip
    return boost is not None


def _wraps_an_activity(obj: object) -> bool:
    """Lemmy's communities announce the activities of their members (Announce of a Create,
    Like, Delete...); for other servers they also announce the post or comment itself, which is
    what is shown here. An inline object of another type that carries an `object` or an `actor`
    is such an activity, and is not fetched."""
    if not isinstance(obj, dict) or obj.get("type") in resolve.STATUS_TYPES:
        return False
    return "object" in obj or "actor" in obj
