"""Reject of a local account's Follow: the request (or the follow) ends."""

from __future__ import annotations

from fedi.federation.handlers.accept import follow_requester
from fedi.federation.handlers.context import Inbound
from fedi.models import Follow, FollowRequest
from fedi.services import remote


def handle(ctx: Inbound) -> bool:
    if ctx.object_type not in (None, "Follow"):
        return False
    requester = follow_requester(ctx, FollowRequest) or follow_requester(ctx, Follow)
    if requester is None or not requester.local:
        return False
    remote.reject_follow(target=ctx.actor, requester=requester)
    return True
