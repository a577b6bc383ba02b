"""Remote custom emoji from the `Emoji` tags of statuses and actors: stored once per shortcode and
domain (the author's), refreshed when the tag's image or its `updated` time changes. The image
is shown from its remote URL for now (remote media are not cached here yet). Which emoji a
status or an account uses is read from its text when it is shown (services/custom_emojis.py),
so nothing links them here. Emoji an admin disabled stay disabled."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from fedi.extensions import db
from fedi.models import CustomEmoji, utcnow
from fedi.services.remote.common import MAX_TAGS, as_list, parse_time, ref, url
from fedi.services.upsert import insert_ignore
from fedi.text.emoji import valid_shortcode

MAX_SHORTCODE = 128


def _parsed(tag: Any) -> tuple[str, str, str | None, Any] | None:
    """(shortcode, image URL, id, updated) of an Emoji tag, or None when it is not usable."""
    if not isinstance(tag, dict) or tag.get("type") != "Emoji":
        return None
    name = tag.get("name")
    shortcode = name.strip(":") if isinstance(name, str) else ""
    if not valid_shortcode(shortcode) or len(shortcode) > MAX_SHORTCODE:
        return None
    icon = tag.get("icon")
    icon = as_list(icon)[0] if as_list(icon) else None
    image = url(icon.get("url") if isinstance(icon, dict) else icon)
    if not image:
        return None
    return shortcode, image, ref(tag.get("id")), parse_time(tag.get("updated"))


def store(obj: dict[str, Any], *, domain: str | None) -> None:
    """Create or refresh the emoji of `obj`'s `Emoji` tags for the author's `domain` (not
    committed: the caller's transaction stores them with what it stores)."""
    if not domain:
        return
    tags: dict[str, tuple[str, str | None, Any]] = {}
    for tag in as_list(obj.get("tag"))[: MAX_TAGS * 2]:
        parsed = _parsed(tag)
        if parsed is not None:
            tags.setdefault(parsed[0], parsed[1:])
    if not tags:
        return
    existing = {
        e.shortcode: e
        for e in db.session.scalars(
            select(CustomEmoji).where(
                CustomEmoji.domain == domain, CustomEmoji.shortcode.in_(list(tags))
            )
        )
    }
    now, new = utcnow(), []
    for shortcode, (image, uri, updated) in tags.items():
        emoji = existing.get(shortcode)
        if emoji is None:
            new.append({"shortcode": shortcode, "domain": domain, "image_remote_url": image,
                        "uri": uri, "visible_in_picker": True, "disabled": False,
                        "created_at": now, "updated_at": now})  # fmt: skip
        elif emoji.image_remote_url != image or (
            updated is not None and updated > emoji.updated_at
        ):
            emoji.image_remote_url, emoji.uri = image, uri or emoji.uri
    if new:  # one stored meanwhile by another worker is left as it is
        db.session.execute(insert_ignore(CustomEmoji, new))
