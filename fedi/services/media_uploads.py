"""Uploading media to attach to a status (Mastodon's MediaAttachment): images, validated with
Pillow, re-encoded without their metadata (so no location leaks out of a photo), turned upright,
scaled down to Mastodon's limits, with a small preview and its blurhash, stored under
media_attachments/<account id>/ with random names (services/media_store.py). The web compose
form and the client API (POST /api/v1/media and /api/v2/media) use it.

An upload is its own row until a status takes it (services.statuses.attachable_media). Until
then its owner may read it, change its description and focal point, or delete it (GET, PUT and
DELETE /api/v1/media/:id, with Mastodon's rules: an attached upload is "not found" to read or
change and "in use" to delete); `discard` removes uploads a failed post leaves behind.
"""

from __future__ import annotations

import io
import math
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import delete as sa_delete
from sqlalchemy import select

from fedi.errors import NotFound, Unprocessable
from fedi.extensions import db
from fedi.models import Account, MediaAttachment, MediaType, ProcessingState
from fedi.services import media_blurhash, media_store

IMAGE_LIMIT = 16 * 1024 * 1024  # bytes, as Mastodon's image_size_limit
MAX_PIXELS = 8_294_400  # 3840x2160: larger images are scaled down, as Mastodon does
PREVIEW_PIXELS = 230_400  # 640x360, Mastodon's "small" style
MATRIX_LIMIT = 33_177_600  # 7680x4320: larger images are refused before decoding, as Mastodon does
DESCRIPTION_LIMIT = 1500  # characters, as Mastodon's MediaAttachment::MAX_DESCRIPTION_LENGTH
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
IN_USE = "Media attachment is currently used by a status"
PROCESSING_FAILED = "Error processing thumbnail for uploaded media"
_FLOAT = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class Upload:
    """One file as it came in: its bytes, and what the sender called it."""

    data: bytes
    filename: str = ""
    description: str = ""
    focus: str | None = None  # "x,y", each -1.0..1.0 (Mastodon's focal point)


def _invalid(description: str) -> Unprocessable:
    return Unprocessable(f"Validation failed: File {description}")


def _open(data: bytes) -> tuple[Image.Image, str]:
    if not data:
        raise _invalid("can't be blank")
    if len(data) > IMAGE_LIMIT:
        raise _invalid(f"file size must be less than {IMAGE_LIMIT // 2**20} MB")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            if probe.width * probe.height > MATRIX_LIMIT:
                kind = "GIF files" if fmt == "GIF" else "images"
                raise Unprocessable(f"{probe.width}x{probe.height} {kind} are not supported")
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


def _float(text: str) -> float:
    """The number `text` starts with, else 0.0 (Ruby's String#to_f, which Mastodon uses)."""
    match = _FLOAT.match(text)
    value = float(match.group(0)) if match else 0.0
    return value if math.isfinite(value) else math.copysign(1.0, value)


def parse_focus(value: object) -> tuple[float, float] | None:
    """A focal point "x,y" (or a two-item list) as two numbers within -1.0..1.0; None when
    blank, which leaves the focal point as it was (as in Mastodon)."""
    if isinstance(value, (list, tuple)):
        parts = [str(v) for v in value]
    elif isinstance(value, str) and value.strip():
        parts = value.split(",")
    else:
        return None
    x, y = _float(parts[0]), _float(parts[1]) if len(parts) > 1 else 0.0
    return max(-1.0, min(1.0, x)), max(-1.0, min(1.0, y))


def upload(*, account: Account, upload: Upload) -> MediaAttachment:
    """Validate, process and store one image; the new attachment, not yet on a status."""
    description = check_description(upload.description)
    focus = parse_focus(upload.focus)
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
        blurhash=media_blurhash.encode(preview),
        focus_x=focus[0] if focus else None, focus_y=focus[1] if focus else None,
    )  # fmt: skip
    media_store.put(media.file_path, data, content_type)
    media_store.put(media.thumbnail_path, small, f"image/{small_ext}")
    db.session.add(media)
    db.session.commit()
    return media


def get_unattached(media_id: int, account: Account) -> MediaAttachment:
    """The account's upload `media_id` while no status has it (else "not found", as Mastodon's
    GET and PUT /api/v1/media/:id answer for attached media and for other accounts' media)."""
    media = db.session.scalar(
        select(MediaAttachment).where(
            MediaAttachment.id == media_id,
            MediaAttachment.account_id == account.id,
            MediaAttachment.status_id.is_(None),
        )
    )
    if media is None:
        raise NotFound("Record not found")
    if media.processing == ProcessingState.FAILED:
        raise Unprocessable(PROCESSING_FAILED)
    return media


def update(
    *, media: MediaAttachment, description: str | None = None, focus: object = None
) -> MediaAttachment:
    """Change an unattached upload's description ("" clears it) and focal point; None leaves
    either as it is."""
    if media.status_id is not None:
        raise NotFound("Record not found")
    if description is not None:
        media.description = check_description(description)
    point = parse_focus(focus)
    if point is not None:
        media.focus_x, media.focus_y = point
    db.session.commit()
    return media


def delete(*, media_id: int, account: Account) -> None:
    """Delete one of the account's uploads and its files; one a status uses stays (422)."""
    media = db.session.scalar(
        select(MediaAttachment).where(
            MediaAttachment.id == media_id, MediaAttachment.account_id == account.id
        )
    )
    if media is None:
        raise NotFound("Record not found")
    if media.status_id is not None or media.scheduled_status_id is not None:
        raise Unprocessable(IN_USE)
    paths = (media.file_path, media.thumbnail_path)
    # Only while still unattached, should a post take it between the read and the delete.
    gone = db.session.execute(
        sa_delete(MediaAttachment).where(
            MediaAttachment.id == media.id,
            MediaAttachment.status_id.is_(None),
            MediaAttachment.scheduled_status_id.is_(None),
        )
    )
    db.session.commit()
    if not gone.rowcount:
        raise Unprocessable(IN_USE)
    for path in paths:
        media_store.delete(path)


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
        media_store.delete(item.file_path)
        media_store.delete(item.thumbnail_path)
        db.session.delete(item)
    db.session.commit()
