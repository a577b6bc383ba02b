"""Signing up through an app, and the signed-in account's own profile: verify_credentials and
update_credentials."""

from __future__ import annotations

from flask import Blueprint
from werkzeug.datastructures import FileStorage

from fedi.api.auth import current_account, require_oauth, token_from_request
from fedi.api.params import Params, params
from fedi.entities.credential import credential_account, token
from fedi.http.client_address import client_ip
from fedi.http.json import json_response
from fedi.models import Account
from fedi.services import (
    account_lookup,
    custom_emojis,
    follows,
    media_files,
    profiles,
    registrations,
)

bp = Blueprint("api_v1_accounts_credentials", __name__, url_prefix="/api/v1/accounts")


def _credential(account: Account):
    moved = account_lookup.moved_targets([account]).get(account.moved_to_account_id or 0)
    count = follows.pending_requests_count(account)
    emojis = custom_emojis.of_account(account)
    return json_response(
        credential_account(account, follow_requests_count=count, moved=moved, emojis=emojis)
    )


@bp.post("")
@require_oauth("write:accounts", user=False)
def create():
    p = params()
    created = registrations.sign_up_through_app(
        application=token_from_request().application,
        username=p.str("username", ""), email=p.str("email", ""),
        password=p.str("password", ""), agreement=bool(p.bool("agreement")),
        locale=p.str("locale", ""), reason=p.str("reason", ""), client_address=client_ip(),
    )  # fmt: skip
    return json_response(token(created))


@bp.get("/verify_credentials")
@require_oauth("read:accounts", "profile")
def verify_credentials():
    return _credential(current_account())


def _image(upload: FileStorage | None) -> bytes | None:
    """The uploaded bytes (read up to one byte past the limit, so oversize is detectable)."""
    if upload is None:
        return None
    return upload.stream.read(media_files.LIMIT + 1)


def _text(p: Params, key: str) -> str | None:
    return p.str(key) if key in p else None


def _fields(p: Params) -> list[tuple[str, str]] | None:
    if "fields_attributes" not in p:
        return None
    out = []
    for item in p.list("fields_attributes"):
        if isinstance(item, dict):
            out.append((str(item.get("name") or ""), str(item.get("value") or "")))
    return out


@bp.patch("/update_credentials")
@require_oauth("write:accounts")
def update_credentials():
    p = params()
    source = Params(p.dict("source"))
    update = profiles.ProfileUpdate(
        display_name=_text(p, "display_name"), note=_text(p, "note"),
        avatar=_image(p.file("avatar")), header=_image(p.file("header")),
        fields=_fields(p), privacy=_text(source, "privacy"), language=_text(source, "language"),
        sensitive=source.bool("sensitive"),
        **{flag: p.bool(flag) for flag in profiles.FLAGS},
    )  # fmt: skip
    return _credential(profiles.update_profile(account=current_account(), update=update))
