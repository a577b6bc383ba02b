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
