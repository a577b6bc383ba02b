"""GET /api/v1/instance and /api/v2/instance."""

from __future__ import annotations

from collections.abc import Callable

import orjson
from flask import Blueprint, Response, current_app

from fedi import entities
from fedi.entities.rule import rule
from fedi.services import instance, instance_rules, media_uploads, polls, push, site_settings
from fedi.software import MASTODON_API_VERSION, SOFTWARE_NAME, __version__

bp = Blueprint("api_instance", __name__)
SOURCE_URL = "https://github.com/wren-social/wren"
# What services.media_uploads accepts (it decides by content; these are the types clients send).
SUPPORTED_MIME_TYPES = list(media_uploads.SUPPORTED_MIME_TYPES)


def version() -> str:
    """Mastodon API level first, so clients detect what they may use."""
    return f"{MASTODON_API_VERSION} (compatible; {SOFTWARE_NAME} {__version__})"


def _configuration() -> dict:
    s = current_app.config["FEDI"]
    return {
        "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
        "statuses": {
            "max_characters": s.MAX_STATUS_CHARS,
            "max_media_attachments": 4,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": SUPPORTED_MIME_TYPES,
            "description_limit": media_uploads.DESCRIPTION_LIMIT,
            "image_size_limit": media_uploads.IMAGE_LIMIT,
            "image_matrix_limit": media_uploads.MATRIX_LIMIT,
            "video_size_limit": media_uploads.VIDEO_LIMIT,
            "video_frame_rate_limit": media_uploads.VIDEO_FRAME_RATE_LIMIT,
            "video_matrix_limit": media_uploads.VIDEO_MATRIX_LIMIT,
        },
        "polls": polls.limits(),
    }


def _streaming_url() -> str:
    s = current_app.config["FEDI"]
    return f"{'wss' if s.LOCAL_HTTPS else 'ws'}://{s.LOCAL_DOMAIN}"


def _contact_account() -> dict | None:
    account = instance.contact_account()
    return entities.account(account) if account is not None else None


def _cached_json(version: str, build: Callable[[], dict]) -> Response:
    """The instance entity changes rarely and every client asks for it at start-up: serve it
    from the per-process cache of the instance service (refreshed after STATS_TTL seconds, or
    at once after a write in this process), keyed on the settings it shows."""
    key = ("instance entity", version, repr(current_app.config["FEDI"]))
    body = instance.cached(key, lambda: orjson.dumps(build()))
    return Response(body, mimetype="application/json")


@bp.get("/api/v1/instance")
def instance_v1():
    return _cached_json("v1", _v1)


@bp.get("/api/v2/instance")
def instance_v2():
    return _cached_json("v2", _v2)


def _v1() -> dict:
    s = current_app.config["FEDI"]
    return {
        "uri": s.LOCAL_DOMAIN,
        "title": s.INSTANCE_TITLE,
        "short_description": s.INSTANCE_DESCRIPTION,
        "description": s.INSTANCE_DESCRIPTION,
        "email": s.INSTANCE_CONTACT_EMAIL,
        "version": version(),
        "urls": {"streaming_api": _streaming_url()},
        "stats": {
            "user_count": instance.user_count(),
            "status_count": instance.local_status_count(),
            "domain_count": instance.domain_count(),
        },
        "thumbnail": None,
        "languages": ["en"],
        "registrations": s.REGISTRATIONS_MODE != "none",
        "approval_required": s.REGISTRATIONS_MODE == "approved",
        "invites_enabled": False,
        "configuration": _configuration(),
        "contact_account": _contact_account(),
        "rules": [rule(r) for r in instance_rules.rules()],
    }


def _v2() -> dict:
    s = current_app.config["FEDI"]
    config = _configuration()
    config["urls"] = {"streaming": _streaming_url(), "status": None, "about": f"{s.base_url}/about"}
    config["vapid"] = {"public_key": push.public_key()}
    config["translation"] = {"enabled": False}
    config["accounts"]["max_profile_fields"] = 4
    return {
        "domain": s.LOCAL_DOMAIN,
        "title": s.INSTANCE_TITLE,
        "version": version(),
        "source_url": SOURCE_URL,
        "description": s.INSTANCE_DESCRIPTION,
        "usage": {"users": {"active_month": instance.active_users(30)}},
        "thumbnail": {"url": f"{s.base_url}/static/icons/icon-512.png"},
        "icon": [],
        "languages": ["en"],
        "configuration": config,
        "registrations": {
            "enabled": s.REGISTRATIONS_MODE != "none",
            "approval_required": s.REGISTRATIONS_MODE == "approved",
            "reason_required": s.REGISTRATIONS_MODE == "approved",
            "message": site_settings.registrations_message_html() or None,
            "url": None,
            "min_age": None,
        },
        "api_versions": {"mastodon": 2},
        "contact": {"email": s.INSTANCE_CONTACT_EMAIL, "account": _contact_account()},
        "rules": [rule(r) for r in instance_rules.rules()],
    }
