"""Site settings: what the admins change from the server settings page, overriding the
environment at run time without a restart.

Each key names a Settings attribute (INSTANCE_TITLE, REGISTRATIONS_MODE, ...) or one of the
texts below. The effective values are laid over the app's Settings object: `refresh` runs before
each request and reloads the overrides at most every REFRESH seconds (at once in the process
that wrote them), so every process catches up within that time, and everything that reads the
settings (templates, the instance entity, sign-up) sees the same values. A key set back to empty
falls back to the environment's value again."""

from __future__ import annotations

import html
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import delete, select

from fedi.config import Settings
from fedi.errors import Unprocessable
from fedi.extensions import db
from fedi.models import Account, SiteSetting
from fedi.services import accounts, audit_log
from fedi.services.staff import Permission, require
from fedi.text.sanitize import sanitize_remote_html

REFRESH = 5.0
MODES = ("open", "approved", "none")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Field:
    label: str
    limit: int
    kind: str = "text"  # text, long (a textarea), email, username, mode, html, switch


FIELDS: dict[str, Field] = {
    "INSTANCE_TITLE": Field("Server name", 100),
    "INSTANCE_DESCRIPTION": Field("Short description", 500, "long"),
    "EXTENDED_DESCRIPTION": Field(
        "Extended description (HTML: links, lists, emphasis)", 20_000, "html"
    ),
    "INSTANCE_CONTACT_EMAIL": Field("Contact e-mail address", 320, "email"),
    "INSTANCE_CONTACT_USERNAME": Field("Contact account (a local username)", 30, "username"),
    "REGISTRATIONS_MODE": Field("Who can sign up", 16, "mode"),
    "REGISTRATIONS_MESSAGE": Field("Message on the sign-up page", 1_000, "long"),
    "TRENDS_NEED_REVIEW": Field(
        "Hashtags and posts trend only once a moderator approves", 3, "switch"
    ),
}
SWITCH = {"on": True, "off": False}
# Texts that are not Settings attributes: read with `text(key)`.
TEXTS = ("EXTENDED_DESCRIPTION", "REGISTRATIONS_MESSAGE")

_lock = threading.Lock()


def _state(settings: Settings) -> dict[str, Any]:
    """Per Settings object: the environment's values of the keys laid over, and when the
    overrides were last loaded."""
    return settings.__dict__.setdefault("_site_settings", {"env": {}, "texts": {}, "at": -1e9})


def refresh(settings: Settings, *, force: bool = False) -> None:
    """Lay the stored overrides over `settings` (at most every REFRESH seconds)."""
    state = _state(settings)
    now = time.monotonic()
    if not force and now - state["at"] < REFRESH:
        return
    rows = {
        key: value for key, value in db.session.execute(select(SiteSetting.key, SiteSetting.value))
    }
    with _lock:
        state["at"] = now
        env = state["env"]
        for key in FIELDS.keys() - set(TEXTS):
            value = rows.get(key)
            if value not in (None, ""):
                env.setdefault(key, getattr(settings, key))
                setattr(settings, key, SWITCH.get(value, False) if _is_switch(key) else value)
            elif key in env:
                setattr(settings, key, env.pop(key))
        if settings.SINGLE_USER_MODE:
            settings.REGISTRATIONS_MODE = "none"
        state["texts"] = {key: rows[key] for key in TEXTS if rows.get(key)}


def _is_switch(key: str) -> bool:
    return FIELDS[key].kind == "switch"


def forget(settings: Settings) -> None:
    """Put the environment's values back (the overrides load again on the next refresh): for
    tests, which empty the tables between them."""
    state = _state(settings)
    with _lock:
        for key, value in state["env"].items():
            setattr(settings, key, value)
        state.update(env={}, texts={}, at=-1e9)


def text(key: str) -> str:
    """One of TEXTS as stored ("" when unset)."""
    return _state(current_app.config["FEDI"])["texts"].get(key, "")


def values() -> dict[str, str]:
    """What the settings form shows: each key's effective value."""
    settings = current_app.config["FEDI"]
    refresh(settings, force=True)
    return {key: _shown(settings, key) for key in FIELDS}


def _shown(settings: Settings, key: str) -> str:
    if key in TEXTS:
        return text(key)
    value = getattr(settings, key)
    return ("on" if value else "off") if _is_switch(key) else str(value)


def updated_at(key: str) -> datetime | None:
    row = db.session.get(SiteSetting, key)
    return row.updated_at if row is not None else None


def overridden() -> set[str]:
    return set(db.session.scalars(select(SiteSetting.key)))


def _clean(key: str, raw: str) -> str:
    field = FIELDS[key]
    value = (raw or "").strip()
    if len(value) > field.limit:
        raise Unprocessable(f"{field.label} is too long (at most {field.limit} characters)")
    if not value:
        return ""
    if field.kind == "email" and not _EMAIL.match(value):
        raise Unprocessable(f"{field.label} is not an e-mail address")
    if field.kind == "username":
        value = value.removeprefix("@")
        if accounts.find_local(value) is None:
            raise Unprocessable(f"{field.label}: there is no local account @{value}")
    if field.kind == "switch" and value not in SWITCH:
        raise Unprocessable(f"{field.label} must be on or off")
    if field.kind == "mode" and value not in MODES:
        raise Unprocessable(f"{field.label} must be one of {', '.join(MODES)}")
    if field.kind == "html":
        value = sanitize_remote_html(value)
    if field.kind in ("text", "long"):
        value = value.replace("\x00", "")
    return value


def update(changes: dict[str, str], *, by: Account) -> list[str]:
    """Store the changed keys (an empty value falls back to the environment) and record them
    in the audit log; returns the keys that changed."""
    require(by, Permission.MANAGE_SETTINGS)
    current = values()
    cleaned = {key: _clean(key, raw) for key, raw in changes.items() if key in FIELDS}
    changed = [key for key, value in cleaned.items() if value != current[key]]
    for key in changed:
        value = cleaned[key]
        row = db.session.get(SiteSetting, key)
        if not value:
            db.session.execute(delete(SiteSetting).where(SiteSetting.key == key))
        elif row is None:
            db.session.add(SiteSetting(key=key, value=value))
        else:
            row.value = value
        audit_log.record(by, "update", "SiteSetting", None, key, value=value[:200])
    db.session.commit()
    refresh(current_app.config["FEDI"], force=True)
    return changed


def registrations_message_html() -> str:
    """The sign-up page's message, as HTML paragraphs."""
    message = text("REGISTRATIONS_MESSAGE")
    return "".join(f"<p>{html.escape(p)}</p>" for p in message.split("\n\n") if p.strip())
