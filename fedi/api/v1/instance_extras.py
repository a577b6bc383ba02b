"""Instance extras: rules, peers, weekly activity, extended description, privacy policy."""

from __future__ import annotations

from flask import Blueprint

from fedi.entities.common import iso
from fedi.entities.rule import rule
from fedi.http.json import json_response
from fedi.services import instance_extras

bp = Blueprint("api_v1_instance_extras", __name__, url_prefix="/api/v1/instance")


@bp.get("/rules")
def rules():
    return json_response([rule(r) for r in instance_extras.rules()])


@bp.get("/peers")
def peers():
    return json_response(instance_extras.peers())


@bp.get("/activity")
def activity():
    return json_response(instance_extras.activity())


@bp.get("/extended_description")
def extended_description():
    page = instance_extras.extended_description()
    return json_response({"updated_at": iso(page.updated_at), "content": page.content})


@bp.get("/privacy_policy")
def privacy_policy():
    page = instance_extras.privacy_policy()
    return json_response({"updated_at": iso(page.updated_at), "content": page.content})
