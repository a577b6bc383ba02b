"""Profile images (avatars and headers): validated with Pillow, re-encoded without metadata,
cropped to Mastodon's shapes and stored under MEDIA_ROOT/accounts/<id>/ with a random name."""

from __future__ import annotations

import io
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from fedi.errors import Unprocessable

LIMIT = 8 * 1024 * 1024  # bytes, for either image
MAX_PIXELS = 33_177_600  # 7680x4320: larger images are refused before decoding
FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}


@dataclass(frozen=True)
class Shape:
    field: str
    width: int
    height: int


AVATAR = Shape("avatar", 400, 400)
HEADER = Shape("header", 1500, 500)


def media_root() -> Path:
    return Path(current_app.config["FEDI"].MEDIA_ROOT)


def _invalid(shape: Shape, error: str, description: str) -> Unprocessable:
    label = shape.field.capitalize()
    return Unprocessable(
        f"Validation failed: {label} {description}",
        details={shape.field: [{"error": error, "description": description}]},
    )


def _open(data: bytes, shape: Shape) -> Image.Image:
    if len(data) > LIMIT:
        raise _invalid(shape, "ERR_TOO_BIG", f"file size must be less than {LIMIT // 2**20} MB")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if probe.width * probe.height > MAX_PIXELS:
                raise _invalid(shape, "ERR_TOO_BIG", "dimensions are too large")
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()  # the first frame of an animation
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _invalid(shape, "ERR_INVALID", "is not a valid image") from None
    if fmt not in FORMATS:
        raise _invalid(shape, "ERR_INVALID", "content type is invalid")
    return image


def _fit(image: Image.Image, shape: Shape) -> Image.Image:
    """Crop to the shape's aspect ratio around the centre; scale down (never up) to its size."""
    image = ImageOps.exif_transpose(image)
    ratio = shape.width / shape.height
    width, height = image.size
    if width / height > ratio:
        crop_w = max(1, round(height * ratio))
        left = (width - crop_w) // 2
        image = image.crop((left, 0, left + crop_w, height))
    elif width / height < ratio:
        crop_h = max(1, round(width / ratio))
        top = (height - crop_h) // 2
        image = image.crop((0, top, width, top + crop_h))
    if image.width > shape.width:
        image = image.resize((shape.width, shape.height), Image.Resampling.LANCZOS)
    return image


def _encode(image: Image.Image) -> tuple[bytes, str]:
    """PNG where there is transparency, JPEG otherwise; metadata is not carried over."""
    out = io.BytesIO()
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if has_alpha:
        image.convert("RGBA").save(out, "PNG", optimize=True)
        return out.getvalue(), "png"
    image.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
    return out.getvalue(), "jpeg"


def store_image(*, account_id: int, data: bytes, shape: Shape) -> str:
    """Validate and store one profile image; returns its path relative to MEDIA_ROOT."""
    image = _fit(_open(data, shape), shape)
    encoded, ext = _encode(image)
    relative = f"accounts/{account_id}/{shape.field}-{secrets.token_hex(16)}.{ext}"
    target = media_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    tmp.write_bytes(encoded)
    os.replace(tmp, target)
    return relative


def write(relative: str, data: bytes) -> None:
    """Store `data` at `relative` under MEDIA_ROOT (written aside, then moved into place)."""
    target = media_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_suffix(".part")
    part.write_bytes(data)
    os.replace(part, target)


def delete(relative: str | None) -> None:
    """Remove a stored file, if it is one of ours and still there."""
    if not relative:
        return
    root = media_root().resolve()
    path = (root / relative).resolve()
    if root in path.parents:
        path.unlink(missing_ok=True)
