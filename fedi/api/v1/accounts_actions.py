"""What the viewer does to an account: follow, unfollow, block, mute, remove from followers,
a private note, endorse. Each answers the Relationship that results."""

from __future__ import annotations

from flask import Blueprint

from fedi.api.auth import current_account, require_oauth
from fedi.api.params import params
from fedi.api.v1.accounts_common import relationship_response
from fedi.services import account_lookup, blocks, endorsements, follows, relationships

bp = Blueprint("api_v1_accounts_actions", __name__, url_prefix="/api/v1/accounts/<int:account_id>")


@bp.post("/follow")
@require_oauth("write:follows")
def follow(account_id: int):
    p = params()
    target = account_lookup.get_account(account_id)
    languages = [str(x) for x in p.list("languages")] if "languages" in p else None
    follows.follow(
        account=current_account(), target=target, reblogs=p.bool("reblogs"),
        notify=p.bool("notify"), languages=languages,
    )  # fmt: skip
    return relationship_response(current_account(), target)


@bp.post("/unfollow")
@require_oauth("write:follows")
def unfollow(account_id: int):
    target = account_lookup.get_account(account_id)
    follows.unfollow(account=current_account(), target=target)
    return relationship_response(current_account(), target)


@bp.post("/remove_from_followers")
@require_oauth("write:follows")
def remove_from_followers(account_id: int):
    target = account_lookup.get_account(account_id)
    follows.remove_from_followers(account=current_account(), follower=target)
    return relationship_response(current_account(), target)


@bp.post("/block")
@require_oauth("write:blocks")
def block(account_id: int):
    target = account_lookup.get_account(account_id)
    blocks.block(account=current_account(), target=target)
    return relationship_response(current_account(), target)


@bp.post("/unblock")
@require_oauth("write:blocks")
def unblock(account_id: int):
    target = account_lookup.get_account(account_id)
    blocks.unblock(account=current_account(), target=target)
    return relationship_response(current_account(), target)


@bp.post("/mute")
@require_oauth("write:mutes")
def mute(account_id: int):
    p = params()
    target = account_lookup.get_account(account_id)
    blocks.mute(
        account=current_account(), target=target,
        notifications=p.bool("notifications", True), duration=p.int("duration", 0),
    )  # fmt: skip
    return relationship_response(current_account(), target)


@bp.post("/unmute")
@require_oauth("write:mutes")
def unmute(account_id: int):
    target = account_lookup.get_account(account_id)
    blocks.unmute(account=current_account(), target=target)
    return relationship_response(current_account(), target)


@bp.post("/note")
@require_oauth("write:accounts")
def note(account_id: int):
    target = account_lookup.get_account(account_id)
    relationships.set_note(
        account=current_account(), target=target, comment=params().str("comment", "")
    )
    return relationship_response(current_account(), target)


@bp.post("/pin")
@require_oauth("write:accounts")
def pin(account_id: int):
    target = account_lookup.get_account(account_id)
    endorsements.endorse(account=current_account(), target=target)
    return relationship_response(current_account(), target)


@bp.post("/unpin")
@require_oauth("write:accounts")
def unpin(account_id: int):
    target = account_lookup.get_account(account_id)
    endorsements.unendorse(account=current_account(), target=target)
    return relationship_response(current_account(), target)
