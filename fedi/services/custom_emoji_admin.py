"""How admins manage custom emoji (Permission.MANAGE_CUSTOM_EMOJIS; every change in the audit
log): upload a local one, copy a remote one here, set its category and whether the picker offers
it, disable, enable and delete; and the list the admin page shows (local or remote, filtered by
shortcode and domain).

An upload is processed within the request that sends it: it is one image of at most 256 KB
(Mastodon's limit), small enough to check and store at once. The file's type comes from its
content (PNG, GIF or WebP, as Pillow reads it), never from its name; its dimensions are checked
before anything is decoded, so a small file cannot unfold into a huge image. A still image is
stored re-encoded as PNG (without metadata); an animated one is kept as sent, with a PNG of its
first frame as the static copy that apps show when animations are off. Files go under
custom_emojis/<random name> (services/media_store.py).
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, select

from fedi.errors import NotFound, Unprocessable
from fedi.extensions import db
from fedi.ids import parse_id
from fedi.models import Account, CustomEmoji
from fedi.services import audit_log, media_store
from fedi.services.staff import Permission, require
from fedi.text.emoji import valid_shortcode

LIMIT = 256 * 1024  # bytes, as Mastodon's CustomEmoji::LOCAL_LIMIT
MAX_PIXELS = 1024 * 1024  # an emoji is small: larger images are refused before decoding
SHORTCODE_LIMIT = 128
CATEGORY_LIMIT = 64
FORMATS = {"PNG": "png", "GIF": "gif", "WEBP": "webp"}
PAGE = 50
FOLDER = "custom_emojis"


@dataclass(frozen=True)
class EmojiQuery:
    """The admin list: `remote` chooses the tab; `shortcode` matches part of the name,
    `domain` part of the server's name (remote tab)."""

    remote: bool = False
    shortcode: str = ""
    domain: str = ""
    page: int = 1


def listing(q: EmojiQuery, *, by: Account) -> tuple[list[CustomEmoji], bool]:
    """A page of emoji by domain and shortcode, and whether there are more."""
    require(by, Permission.MANAGE_CUSTOM_EMOJIS)
    query = select(CustomEmoji)
    if q.remote:
        query = query.where(CustomEmoji.domain.is_not(None))
        if q.domain.strip():
            query = query.where(CustomEmoji.domain.contains(q.domain.strip().lower()))
    else:
        query = query.where(CustomEmoji.domain.is_(None))
    if q.shortcode.strip():
        needle = q.shortcode.strip().strip(":").lower()
        query = query.where(func.lower(CustomEmoji.shortcode).contains(needle, autoescape=True))
    page = max(1, q.page)
    rows = list(
        db.session.scalars(
            query.order_by(CustomEmoji.domain, CustomEmoji.shortcode, CustomEmoji.id)
            .offset((page - 1) * PAGE)
            .limit(PAGE + 1)
        )
    )
    return rows[:PAGE], len(rows) > PAGE


def get(emoji_id: object) -> CustomEmoji:
    key = parse_id(emoji_id)
    emoji = db.session.get(CustomEmoji, key) if key is not None else None
    if emoji is None:
        raise NotFound("Record not found")
    return emoji


def _label(emoji: CustomEmoji) -> str:
    return f":{emoji.shortcode}:" + (f" ({emoji.domain})" if emoji.domain else "")


def _category(category: str | None) -> str | None:
    category = (category or "").strip()
    if len(category) > CATEGORY_LIMIT:
        raise Unprocessable(f"A category is at most {CATEGORY_LIMIT} characters")
    return category or None


def _checked_shortcode(shortcode: str) -> str:
    shortcode = (shortcode or "").strip().strip(":")
    if not valid_shortcode(shortcode) or len(shortcode) > SHORTCODE_LIMIT:
        raise Unprocessable(
            "A shortcode is at least 2 characters: letters, digits and underscores only"
        )
    taken = db.session.scalar(
        select(CustomEmoji.id).where(
            CustomEmoji.domain.is_(None), func.lower(CustomEmoji.shortcode) == shortcode.lower()
        )
    )
    if taken is not None:
        raise Unprocessable(f"The shortcode :{shortcode}: is already taken")
    return shortcode


@dataclass(frozen=True)
class _Images:
    image: bytes
    image_ext: str
    static: bytes | None  # the first frame of an animation


def _images(data: bytes) -> _Images:
    """Check an upload and make what is stored (see the module's docstring)."""
    if not data:
        raise Unprocessable("Choose an image file")
    if len(data) > LIMIT:
        raise Unprocessable(f"The image must be at most {LIMIT // 1024} KB")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            if fmt not in FORMATS:
                raise Unprocessable("The image must be a PNG, GIF or WebP file")
            if probe.width * probe.height > MAX_PIXELS:
                raise Unprocessable("The image's dimensions are too large")
            animated = bool(getattr(probe, "is_animated", False))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # the first frame
            still = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise Unprocessable("The file is not a valid image") from None
    out = io.BytesIO()
    still.save(out, "PNG", optimize=True)
    if animated:
        return _Images(data, FORMATS[fmt], out.getvalue())
    return _Images(out.getvalue(), "png", None)


def _store(images: _Images) -> tuple[str, str | None]:
    name = secrets.token_hex(16)
    image = f"{FOLDER}/{name}.{images.image_ext}"
    media_store.put(image, images.image, f"image/{images.image_ext}")
    static = None
    if images.static is not None:
        static = f"{FOLDER}/{name}-static.png"
        media_store.put(static, images.static, "image/png")
    return image, static


def create(
    *,
    shortcode: str,
    data: bytes,
    category: str | None = None,
    visible_in_picker: bool = True,
    by: Account,
) -> CustomEmoji:
    """A new local emoji from an uploaded image."""
    require(by, Permission.MANAGE_CUSTOM_EMOJIS)
    shortcode = _checked_shortcode(shortcode)
    category = _category(category)
    image, static = _store(_images(data))
    emoji = CustomEmoji(
        shortcode=shortcode, image_file=image, static_file=static, category=category,
        visible_in_picker=visible_in_picker, disabled=False,
    )  # fmt: skip
    db.session.add(emoji)
    db.session.flush()
    audit_log.record(by, "create", "CustomEmoji", emoji.id, _label(emoji))
    db.session.commit()
    return emoji


def remote_to_copy(emoji_id: object, *, by: Account) -> CustomEmoji:
    """The remote emoji an admin copies (its image is fetched by the caller, then `copy`)."""
    require(by, Permission.MANAGE_CUSTOM_EMOJIS)
    emoji = get(emoji_id)
    if emoji.domain is None:
        raise Unprocessable("This emoji is already local")
    if not emoji.image_remote_url and not emoji.image_file:
        raise Unprocessable("This emoji has no image to copy")
    _checked_shortcode(emoji.shortcode)
    return emoji


def copy(emoji_id: object, *, data: bytes, by: Account) -> CustomEmoji:
    """A local emoji with a remote one's shortcode, category and image (`data`, its file as
    fetched), as Mastodon's "copy"."""
    remote = remote_to_copy(emoji_id, by=by)
    image, static = _store(_images(data))
    emoji = CustomEmoji(
        shortcode=remote.shortcode, image_file=image, static_file=static,
        category=remote.category, visible_in_picker=True, disabled=False,
    )  # fmt: skip
    db.session.add(emoji)
    db.session.flush()
    audit_log.record(by, "copy", "CustomEmoji", emoji.id, _label(emoji), source=_label(remote))
    db.session.commit()
    return emoji


def update(
    emoji_id: object, *, category: str | None, visible_in_picker: bool, by: Account
) -> CustomEmoji:
    """A local emoji's category and whether the picker offers it."""
    require(by, Permission.MANAGE_CUSTOM_EMOJIS)
    emoji = get(emoji_id)
    if emoji.domain is not None:
        raise Unprocessable("Copy a remote emoji to change it")
    emoji.category = _category(category)
    emoji.visible_in_picker = visible_in_picker
    audit_log.record(
        by, "update", "CustomEmoji", emoji.id, _label(emoji),
        category=emoji.category or "", visible_in_picker=visible_in_picker,
    )  # fmt: skip
    db.session.commit()
    return emoji


def set_disabled(emoji_id: object, disabled: bool, *, by: Account) -> CustomEmoji:
    """Disable (no longer shown, offered or sent) or enable again, local or remote."""
    require(by, Permission.MANAGE_CUSTOM_EMOJIS)
    emoji = get(emoji_id)
    emoji.disabled = disabled
    action = "disable" if disabled else "enable"
    audit_log.record(by, action, "CustomEmoji", emoji.id, _label(emoji))
    db.session.commit()
    return emoji


def delete(emoji_id: object, *, by: Account) -> None:
    """Remove an emoji and its files (a remote one comes back if its server sends it again)."""
    require(by, Permission.MANAGE_CUSTOM_EMOJIS)
    emoji = get(emoji_id)
    files = (emoji.image_file, emoji.static_file)
    audit_log.record(by, "destroy", "CustomEmoji", emoji.id, _label(emoji))
    db.session.delete(emoji)
    db.session.commit()
    for path in files:
        media_store.delete(path)
