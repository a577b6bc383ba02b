"""Accept of a Follow a local account sent: the request becomes a follow."""

from __future__ import annotations

from sqlalchemy import select

from fedi.extensions import db
from fedi.federation.handlers.context import Inbound, local_account
from fedi.models import Account, Follow, FollowRequest
from fedi.services import remote


def follow_requester(ctx: Inbound, model) -> Account | None:
    """The local account whose follow (or request) of the actor the object names: by the
    Follow's id, else by the inline Follow's actor."""
    if ctx.object_id:
        row = db.session.scalar(
            select(model).where(model.target_account_id == ctx.actor.id, model.uri == ctx.object_id)
        )
        if row is not None:
            return row.account
    if ctx.object_type == "Follow" and remote.ref(ctx.object.get("object")) == ctx.actor.uri:
        return local_account(remote.ref(ctx.object.get("actor")))
    return None


def handle(ctx: Inbound) -> bool:
    if ctx.object_type not in (None, "Follow"):
        return False
    requester = follow_requester(ctx, FollowRequest)
    if requester is None:
        return False
    pending = db.session.scalar(
        select(FollowRequest).where(
            FollowRequest.account_id == requester.id,
            FollowRequest.target_account_id == ctx.actor.id,
        )
    )
    if pending is None:
        return _already_following(requester, ctx)
    return remote.accept_follow(target=ctx.actor, requester=requester) is not None


def _already_following(requester: Account, ctx: Inbound) -> bool:
    return (
        db.session.scalar(
            select(Follow.id).where(
                Follow.account_id == requester.id, Follow.target_account_id == ctx.actor.id
            )
        )
        is not None
    )
