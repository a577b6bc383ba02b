"""A local account's profile (names, bio, images, fields, flags) and the user's preferences."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fedi import queue, urls
from fedi.errors import Unprocessable
from fedi.extensions import db
from fedi.models import Account, User
from fedi.services import accounts, media_files
from fedi.text.render import (
    MentionTarget,
    render_field_value,
    render_plain_note,
    status_length,
)

MAX_DISPLAY_NAME = 30
MAX_NOTE = 500
MAX_FIELDS = 4
MAX_FIELD_NAME = 255
MAX_FIELD_VALUE = 255
PRIVACIES = ("public", "unlisted", "private")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
NOT_IN_LIST = "is not included in the list"
FLAGS = ("locked", "bot", "discoverable", "indexable", "hide_collections")

#: The user settings the API reads and writes, with their defaults.
SETTING_DEFAULTS: dict[str, Any] = {
    "default_privacy": "public",
    "default_sensitive": False,
    "default_language": None,
    "expand_media": "default",
    "expand_spoilers": False,
}


@dataclass
class ProfileUpdate:
    """What to change; None leaves an attribute as it is."""

    display_name: str | None = None
    note: str | None = None
    avatar: bytes | None = None
    header: bytes | None = None
    locked: bool | None = None
    bot: bool | None = None
    discoverable: bool | None = None
    indexable: bool | None = None
    hide_collections: bool | None = None
    fields: list[tuple[str, str]] | None = None
    privacy: str | None = None
    sensitive: bool | None = None
    language: str | None = None


def user_settings(user: User | None) -> dict[str, Any]:
    """The user's settings merged over the defaults; posts of a locked account default to
    followers-only, as in Mastodon."""
    stored = (user.settings if user is not None else None) or {}
    merged = {key: stored.get(key, default) for key, default in SETTING_DEFAULTS.items()}
    if not stored.get("default_privacy") and user is not None and user.account.locked:
        merged["default_privacy"] = "private"
    return merged


def preferences(user: User | None) -> dict[str, Any]:
    """Mastodon's Preferences entity."""
    settings = user_settings(user)
    return {
        "posting:default:visibility": settings["default_privacy"],
        "posting:default:sensitive": bool(settings["default_sensitive"]),
        "posting:default:language": settings["default_language"],
        "reading:expand:media": settings["expand_media"],
        "reading:expand:spoilers": bool(settings["expand_spoilers"]),
    }


def _resolve_mention(username: str, domain: str | None) -> MentionTarget | None:
    account = accounts.find_by_acct(username, domain)
    if account is None or account.suspended_at is not None:
        return None
    return MentionTarget(account.username, account.domain, account.url or account.uri, account.id)


def _render_note(text: str) -> str:
    return render_plain_note(text, resolve_mention=_resolve_mention, tag_url=urls.tag_url).html


def _render_value(text: str) -> str:
    return render_field_value(text, resolve_mention=_resolve_mention, tag_url=urls.tag_url).html


def _check_texts(update: ProfileUpdate) -> list[Unprocessable]:
    errors: list[Unprocessable] = []
    if update.display_name is not None and len(update.display_name) > MAX_DISPLAY_NAME:
        errors.append(accounts.too_long("display_name", MAX_DISPLAY_NAME))
    if update.note is not None and status_length(update.note) > MAX_NOTE:
        errors.append(accounts.too_long("note", MAX_NOTE))
    if update.fields is not None:
        named = [(n, v) for n, v in update.fields if n.strip()]
        if len(named) > MAX_FIELDS:
            too_many = f"is too big (maximum is {MAX_FIELDS})"
            errors.append(accounts.invalid("fields", "ERR_TOO_LONG", too_many))
        if any(len(n) > MAX_FIELD_NAME for n, _ in named):
            errors.append(accounts.too_long("fields.name", MAX_FIELD_NAME))
        if any(len(v) > MAX_FIELD_VALUE for _, v in named):
            errors.append(accounts.too_long("fields.value", MAX_FIELD_VALUE))
    if update.privacy is not None and update.privacy not in PRIVACIES:
        errors.append(accounts.invalid("source.privacy", "ERR_INCLUSION", NOT_IN_LIST))
    language = (update.language or "").strip().lower()
    if language and not LANGUAGE_RE.match(language):
        errors.append(accounts.invalid("source.language", "ERR_INCLUSION", NOT_IN_LIST))
    return errors


def _fields(account: Account, pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Rendered fields; a field keeps its verification while its value stays the same."""
    verified = {f.get("source", f.get("value")): f.get("verified_at") for f in account.fields or []}
    return [
        {"name": name.strip(), "value": _render_value(value.strip()), "source": value.strip(),
         "verified_at": verified.get(value.strip())}
        for name, value in pairs
        if name.strip()
    ]  # fmt: skip


def _settings(user: User, update: ProfileUpdate) -> None:
    changes: dict[str, Any] = {}
    if update.privacy is not None:
        changes["default_privacy"] = update.privacy
    if update.sensitive is not None:
        changes["default_sensitive"] = update.sensitive
    if update.language is not None:
        changes["default_language"] = update.language.strip().lower() or None
    if changes:
        user.settings = {**(user.settings or {}), **changes}  # a new dict, so it is saved


def _store_images(account: Account, update: ProfileUpdate) -> dict[str, str]:
    stored: dict[str, str] = {}
    try:
        images = ((media_files.AVATAR, update.avatar), (media_files.HEADER, update.header))
        for shape, data in images:
            if data is not None:
                stored[shape.field] = media_files.store_image(
                    account_id=account.id, data=data, shape=shape
                )
    except Unprocessable:
        for path in stored.values():
            media_files.delete(path)
        raise
    return stored


def update_profile(*, account: Account, update: ProfileUpdate) -> Account:
    """Validate every change first (one 422 naming them all), then store images and apply."""
    errors = _check_texts(update)
    if errors:
        raise accounts.merge_invalid(errors)
    stored = _store_images(account, update)
    replaced = [getattr(account, f"{kind}_file") for kind in stored]
    for kind, path in stored.items():
        setattr(account, f"{kind}_file", path)
    if update.display_name is not None:
        account.display_name = update.display_name.strip()
    if update.note is not None:
        account.note_source = update.note
        account.note = _render_note(update.note) if update.note.strip() else ""
    if update.fields is not None:
        account.fields = _fields(account, update.fields)
    for flag in FLAGS:
        if getattr(update, flag) is not None:
            setattr(account, flag, getattr(update, flag))
    if account.user is not None:
        _settings(account.user, update)
    db.session.commit()
    queue.enqueue("federate_profile", account.id)
    for path in replaced:
        media_files.delete(path)
    return account
