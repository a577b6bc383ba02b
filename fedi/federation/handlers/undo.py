"""Undo of a Follow, Like, Announce or Block the actor sent earlier."""

from __future__ import annotations

from sqlalchemy import select

from fedi.extensions import db
from fedi.federation.handlers.context import Inbound, known_status, local_account
from fedi.models import Favourite, Follow, FollowRequest
from fedi.services import blocks, follows, interactions, remote


def _inner(ctx: Inbound) -> tuple[str | None, str | None, str | None]:
    """(type, id, object id) of the undone activity; a bare id is looked up in what we hold."""
    obj = ctx.object
    if isinstance(obj, dict):
        if remote.ref(obj.get("actor")) not in (None, ctx.actor.uri):
            return None, None, None
        return obj.get("type"), remote.ref(obj), remote.ref(obj.get("object"))
    return None, ctx.object_id, None


def _undo_follow(ctx: Inbound, uri: str | None, target_uri: str | None) -> bool:
    target = local_account(target_uri)
    if target is None and uri:
        for model in (Follow, FollowRequest):
            row = db.session.scalar(
                select(model).where(model.uri == uri, model.account_id == ctx.actor.id)
            )
            target = target or (row.target_account if row is not None else None)
    if target is None:
        return False
    follows.unfollow(account=ctx.actor, target=target)
    return True


def _undo_like(ctx: Inbound, uri: str | None, status_uri: str | None) -> bool:
    status = known_status(status_uri)
    if status is None and uri:
        row = db.session.scalar(
            select(Favourite).where(Favourite.uri == uri, Favourite.account_id == ctx.actor.id)
        )
        status = row.status if row is not None else None
    if status is None:
        return False
    interactions.unfavourite(status=status, by=ctx.actor)
    return True


def _undo_block(ctx: Inbound, target_uri: str | None) -> bool:
    target = local_account(target_uri)
    if target is None:
        return False
    blocks.unblock(account=ctx.actor, target=target)
    return True


def handle(ctx: Inbound) -> bool:
    kind, uri, object_uri = _inner(ctx)
    if kind == "Follow":
        return _undo_follow(ctx, uri, object_uri)
    if kind == "Like":
        return _undo_like(ctx, uri, object_uri)
    if kind == "Announce" or (kind is None and uri):
        if uri and remote.undo_boost(by=ctx.actor, uri=uri):
            return True
        if kind is None:  # a bare id: whichever of our records it names
            return _undo_follow(ctx, uri, None) or _undo_like(ctx, uri, None)
        return False
    if kind == "Block":
        return _undo_block(ctx, object_uri)
    return False
