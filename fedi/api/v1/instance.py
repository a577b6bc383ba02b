"""The instance's resources under /api/v1/instance/: rules, peers, weekly activity, extended
description, privacy policy and the moderated servers (the instance entity itself is
fedi/api/instance.py)."""

from __future__ import annotations

from flask import Blueprint

from fedi.entities.admin_blocks import public_domain_block
from fedi.entities.common import iso
from fedi.entities.rule import rule
from fedi.http.json import json_response
from fedi.services import (
    domain_moderation,
    instance_activity,
    instance_peers,
    instance_rules,
    instance_texts,
)

bp = Blueprint("api_v1_instance", __name__, url_prefix="/api/v1/instance")


@bp.get("/rules")
def rules():
    return json_response([rule(r) for r in instance_rules.rules()])


@bp.get("/peers")
def peers():
    return json_response(instance_peers.peers())


@bp.get("/activity")
def activity():
    return json_response(instance_activity.activity())


@bp.get("/extended_description")
def extended_description():
    page = instance_texts.extended_description()
    return json_response({"updated_at": iso(page.updated_at), "content": page.content})


@bp.get("/privacy_policy")
def privacy_policy():
    page = instance_texts.privacy_policy()
    return json_response({"updated_at": iso(page.updated_at), "content": page.content})


@bp.get("/domain_blocks")
def domain_blocks():
    """Mastodon's public list of moderated servers (shown to everyone here, as the about page
    shows it)."""
    return json_response([public_domain_block(b) for b in domain_moderation.public_blocks()])
