"""Uploading media to attach to a status (Mastodon's MediaAttachment): images, validated with
Pillow, re-encoded without their metadata (so no location leaks out of a photo), turned upright,
scaled down to Mastodon's limits, with a small preview, stored under
MEDIA_ROOT/media_attachments/<account id>/ with random names. The web compose form uses it; the
client API's POST /api/v2/media can call `upload` as it is.

An upload is its own row until a status takes it (services.statuses.attachable_media); `discard`
removes uploads a failed post leaves behind.
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from fedi.errors import Unprocessable
from fedi.extensions import db
from fedi.models import Account, MediaAttachment, MediaType, ProcessingState
from fedi.services import media_files

IMAGE_LIMIT = 16 * 1024 * 1024  # bytes, as Mastodon's image_size_limit
MAX_PIXELS = 8_294_400  # 3840x2160: larger images are scaled down, as Mastodon does
PREVIEW_PIXELS = 230_400  # 640x360, Mastodon's "small" style
DECODE_LIMIT = 100_000_000  # larger images are refused before decoding (decompression bombs)
DESCRIPTION_LIMIT = 1500  # characters, as Mastodon's MediaAttachment::MAX_DESCRIPTION_LENGTH
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}


@dataclass(frozen=True)
class Upload:
    """One file as it came in: its bytes, and what the sender called it."""

    data: bytes
    filename: str = ""
    description: str = ""


def _invalid(description: str) -> Unprocessable:
    return Unprocessable(f"Validation failed: File {description}")


def _open(data: bytes) -> tuple[Image.Image, str]:
    if not data:
        raise _invalid("is empty")
    if len(data) > IMAGE_LIMIT:
        raise _invalid(f"file size must be less than {IMAGE_LIMIT // 2**20} MB")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            if probe.width * probe.height > DECODE_LIMIT:
                raise _invalid("dimensions are too large")
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()  # the first frame of an animation
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _invalid("content type is invalid") from None
    if fmt not in FORMATS:
        raise _invalid("content type is invalid")
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):  # palettes, CMYK...: scale in true colour
        alpha = image.mode in ("PA",) or "transparency" in image.info
        image = image.convert("RGBA" if alpha else "RGB")
    return image, fmt


def _scaled(image: Image.Image, pixels: int) -> Image.Image:
    """`image` scaled down (never up) to at most `pixels` pixels, keeping its aspect ratio."""
    if image.width * image.height <= pixels:
        return image
    ratio = (pixels / (image.width * image.height)) ** 0.5
    size = (max(1, int(image.width * ratio)), max(1, int(image.height * ratio)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _encode(image: Image.Image) -> tuple[bytes, str, str]:
    """PNG where there is transparency, JPEG otherwise (bytes, extension, content type)."""
    out = io.BytesIO()
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        image.convert("RGBA").save(out, "PNG", optimize=True)
        return out.getvalue(), "png", "image/png"
    image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), "jpeg", "image/jpeg"


def _store(relative: str, data: bytes) -> None:
    target = media_files.media_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_suffix(".part")
    part.write_bytes(data)
    os.replace(part, target)


def _meta(image: Image.Image) -> dict[str, object]:
    width, height = image.size
    return {"width": width, "height": height, "size": f"{width}x{height}",
            "aspect": width / height}  # fmt: skip


def check_description(description: str | None) -> str | None:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_LIMIT:
        limit = f"maximum is {DESCRIPTION_LIMIT} characters"
        raise Unprocessable(f"Validation failed: Description is too long ({limit})")
    return description or None


def upload(*, account: Account, upload: Upload) -> MediaAttachment:
    """Validate, process and store one image; the new attachment, not yet on a status."""
    description = check_description(upload.description)
    image, _fmt = _open(upload.data)
    original = _scaled(image, MAX_PIXELS)
    preview = _scaled(original, PREVIEW_PIXELS)
    data, ext, content_type = _encode(original)
    small, small_ext, _ = _encode(preview)
    name = secrets.token_hex(16)
    folder = f"media_attachments/{account.id}"
    media = MediaAttachment(
        account_id=account.id, type=MediaType.IMAGE, processing=ProcessingState.DONE,
        file_path=f"{folder}/{name}.{ext}", file_content_type=content_type, file_size=len(data),
        thumbnail_path=f"{folder}/{name}-small.{small_ext}", description=description,
        meta={"original": _meta(original), "small": _meta(preview)},
    )  # fmt: skip
    _store(media.file_path, data)
    _store(media.thumbnail_path, small)
    db.session.add(media)
    db.session.commit()
    return media


def upload_many(
    *, account: Account, uploads: Sequence[Upload], limit: int
) -> list[MediaAttachment]:
    """Several uploads for one post, all or none: more than `limit`, or one invalid file, and
    the ones already stored are removed again."""
    if len(uploads) > limit:
        raise Unprocessable(f"Cannot attach more than {limit} files")
    done: list[MediaAttachment] = []
    try:
        for item in uploads:
            done.append(upload(account=account, upload=item))
    except Exception:
        discard(done)
        raise
    return done


def discard(media: Sequence[MediaAttachment]) -> None:
    """Remove uploads that no status took (a post that failed validation), files included."""
    for item in media:
        if item.status_id is not None:
            continue
        media_files.delete(item.file_path)
        media_files.delete(item.thumbnail_path)
        db.session.delete(item)
    db.session.commit()
