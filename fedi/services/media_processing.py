"""Processing an upload, in a worker (the `process_media` task), never in a web request: the file
as uploaded (services/media_uploads.py stored it under a server-generated name) becomes what is
served, and the upload is removed.

- Still images (JPEG, PNG, WebP, a GIF of one frame): Pillow, re-encoded without their metadata
  (so no location leaks out of a photo), turned upright, scaled down to Mastodon's limits, with
  a small preview and its blurhash.
- Animated GIFs, video and audio: services/media_av.py (PyAV), with the poster frame as preview.
- A custom thumbnail (Mastodon's `thumbnail`, the poster of a video or the cover of an audio
  file) replaces the preview and its blurhash.

A file that cannot be processed is marked failed (GET /api/v1/media/:id then answers 422) and the
worker goes on: every error of one file is caught here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import logging
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from PIL import (
    GifImagePlugin,
    Image,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
    UnidentifiedImageError,
    WebPImagePlugin,
)
from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from fedi import clock
from fedi.extensions import db
from fedi.models import MediaAttachment, MediaType, ProcessingState
from fedi.services import media_av, media_blurhash, media_sniff, media_store

log = logging.getLogger(__name__)
try:
    _libc: ctypes.CDLL | None = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    _libc.malloc_trim  # glibc only  # noqa: B018
except (OSError, AttributeError):
    _libc = None

MAX_PIXELS = 8_294_400  # 3840x2160: larger images are scaled down, as Mastodon does
PREVIEW_PIXELS = 230_400  # 640x360, Mastodon's "small" style
MATRIX_LIMIT = 33_177_600  # 7680x4320: larger images are refused before decoding, as Mastodon does
IMAGE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
                Image.DecompressionBombError)  # fmt: skip


STALLED_AFTER = timedelta(minutes=10)
ABANDONED_AFTER = timedelta(hours=1)


class ProcessingError(ValueError):
    """This file cannot become media."""


_PLUGINS = {
    "JPEG": JpegImagePlugin.JpegImageFile, "PNG": PngImagePlugin.PngImageFile,
    "GIF": GifImagePlugin.GifImageFile, "WEBP": WebPImagePlugin.WebPImageFile,
}  # fmt: skip


def image_header(data: bytes, reader: str) -> tuple[int, int]:
    """(width, height) from the header of an image in the format `reader` (sniffed), nothing
    decoded; ProcessingError when it is no such image or claims more pixels than MATRIX_LIMIT
    (a decompression bomb's shape: Pillow's own bomb check would refuse it without its size)."""
    try:
        with _PLUGINS[reader](io.BytesIO(data)) as probe:
            width, height = probe.width, probe.height
    except (KeyError, *IMAGE_ERRORS):
        raise ProcessingError("content type is invalid") from None
    if width * height > MATRIX_LIMIT:
        kind = "GIF files" if reader == "GIF" else "images"
        raise ProcessingError(f"{width}x{height} {kind} are not supported")
    return width, height


def _decode(data: bytes) -> Image.Image:
    try:
        image_header(data, media_sniff.sniff(data).reader)
    except media_sniff.NotMedia:
        raise ProcessingError("content type is invalid") from None
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()  # the first frame of an animation
    except IMAGE_ERRORS as err:
        raise ProcessingError(f"unreadable image: {err}") from None
    ImageOps.exif_transpose(image, in_place=True)  # no copy of a 12-megapixel photo
    if image.mode not in ("RGB", "RGBA", "L", "LA"):  # palettes, CMYK...: scale in true colour
        alpha = image.mode in ("PA",) or "transparency" in image.info
        image = image.convert("RGBA" if alpha else "RGB")
    return image


def _scaled(
    image: Image.Image, pixels: int, resample: Image.Resampling = Image.Resampling.LANCZOS
) -> Image.Image:
    """`image` scaled down (never up) to at most `pixels` pixels, keeping its aspect ratio."""
    if image.width * image.height <= pixels:
        return image
    ratio = (pixels / (image.width * image.height)) ** 0.5
    size = (max(1, int(image.width * ratio)), max(1, int(image.height * ratio)))
    return image.resize(size, resample, reducing_gap=3.0)


def _encode(image: Image.Image) -> tuple[bytes, str, str]:
    """PNG where there is transparency, JPEG otherwise (bytes, extension, content type)."""
    out = io.BytesIO()
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        _as(image, "RGBA").save(out, "PNG", optimize=True)
        return out.getvalue(), "png", "image/png"
    _as(image, "RGB").save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), "jpeg", "image/jpeg"


def _as(image: Image.Image, mode: str) -> Image.Image:
    """`image` in `mode`, converted only when it is not (a conversion is a copy)."""
    return image if image.mode == mode else image.convert(mode)


def _size(image: Image.Image) -> dict[str, Any]:
    width, height = image.size
    return {"width": width, "height": height, "size": f"{width}x{height}",
            "aspect": width / height}  # fmt: skip


def _folder(media: MediaAttachment) -> str:
    return f"media_attachments/{media.account_id}"


def _put_preview(media: MediaAttachment, picture: Image.Image, name: str) -> None:
    """A picture as the media's preview ("small"), with its blurhash."""
    preview = _scaled(picture.convert("RGB") if picture.mode == "P" else picture, PREVIEW_PIXELS)
    data, ext, content_type = _encode(preview)
    old = media.thumbnail_path
    media.thumbnail_path = f"{_folder(media)}/{name}-small.{ext}"
    media_store.put(media.thumbnail_path, data, content_type)
    if old and old != media.thumbnail_path:
        media_store.delete(old)
    media.blurhash = media_blurhash.encode(preview)
    media.meta = dict(media.meta or {}) | {"small": _size(preview)}


def _still(media: MediaAttachment, data: bytes, name: str) -> None:
    image = _decode(data)
    del data
    # A photo a little over the limit (12 megapixels to 8): bicubic looks the same as Lanczos
    # at that ratio, in less time.
    original = _scaled(image, MAX_PIXELS, Image.Resampling.BICUBIC)
    if original is not image:
        image.close()  # the full-size picture is not needed any more
    del image
    out, ext, content_type = _encode(original)
    media.file_path = f"{_folder(media)}/{name}.{ext}"
    media_store.put(media.file_path, out, content_type)
    media.type, media.file_content_type, media.file_size = MediaType.IMAGE, content_type, len(out)
    media.meta = {"original": _size(original)}
    _put_preview(media, original, name)


def _animated_gif(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            return bool(getattr(probe, "is_animated", False))
    except IMAGE_ERRORS:
        raise ProcessingError("unreadable image") from None


def _moving(media: MediaAttachment, source: Path, reader: str, name: str) -> None:
    """A video, an animated GIF or audio (at `source`, a local temporary file), through PyAV."""
    target = source.with_name("target")
    kind = "gifv" if reader == "gif" else media_av.kind_of(source, reader)
    if kind == "audio":
        result = media_av.transcode_audio(source, reader, target)
    else:
        result = media_av.transcode_video(source, reader, target, gifv=kind == "gifv")
    source.unlink()
    out = target.read_bytes()
    ext = "mp3" if result.content_type == "audio/mpeg" else "mp4"
    media.file_path = f"{_folder(media)}/{name}.{ext}"
    media_store.put(media.file_path, out, result.content_type)
    media.type = MediaType(result.kind)
    media.file_content_type, media.file_size = result.content_type, len(out)
    media.meta = result.meta
    if result.poster is not None:
        _put_preview(media, result.poster, name)


def _file(media: MediaAttachment, name: str) -> None:
    assert media.upload_path is not None
    data = media_store.read(media.upload_path)
    try:
        sniffed = media_sniff.sniff(data)
    except media_sniff.NotMedia as err:
        raise ProcessingError(str(err)) from None
    if sniffed.family == "image":
        image_header(data, sniffed.reader)
    if sniffed.family == "image" and not (sniffed is media_sniff.GIF and _animated_gif(data)):
        _still(media, data, name)
        return
    reader = "gif" if sniffed is media_sniff.GIF else sniffed.reader
    with tempfile.TemporaryDirectory(prefix="wren-media-") as work:
        source = Path(work) / "source"
        source.write_bytes(data)
        del data  # decoding streams from the file: the upload's bytes need not stay in memory
        _moving(media, source, reader, name)


def _thumbnail(media: MediaAttachment, name: str) -> None:
    """The custom thumbnail as the preview; one that cannot be read leaves the preview as it
    was (the file itself is fine)."""
    assert media.thumbnail_upload_path is not None
    try:
        picture = _decode(media_store.read(media.thumbnail_upload_path))
        _put_preview(media, _scaled(picture, MAX_PIXELS), f"{name}-thumb")
    except (ProcessingError, FileNotFoundError) as err:
        log.info("media %s: thumbnail not used: %s", media.id, err)
    except Exception:
        log.exception("media %s: thumbnail not used", media.id)


def _claim(media_id: int) -> bool:
    claimed = db.session.execute(
        update(MediaAttachment)
        .where(MediaAttachment.id == media_id,
               MediaAttachment.processing == ProcessingState.PENDING)
        .values(processing=ProcessingState.PROCESSING)
    )  # fmt: skip
    db.session.commit()
    return bool(claimed.rowcount)


def stalled() -> list[int]:
    """Uploads whose processing was lost, to queue again (the queue is only a trigger): pending
    for over STALLED_AFTER (a task lost with its queue). One still `processing` after
    ABANDONED_AFTER was left by a worker that died on it (killed for its memory, say): it is
    marked failed rather than tried again, so one file cannot take workers down in turn."""
    now = clock.now()
    abandoned = db.session.scalars(
        select(MediaAttachment).where(
            MediaAttachment.processing == ProcessingState.PROCESSING,
            MediaAttachment.updated_at < now - ABANDONED_AFTER,
        )
    ).all()
    for media in abandoned:
        paths = (media.upload_path, media.thumbnail_upload_path)
        media.processing, media.upload_path, media.thumbnail_upload_path = (
            ProcessingState.FAILED, None, None,
        )  # fmt: skip
        db.session.commit()
        for path in paths:
            media_store.delete(path)
    return list(
        db.session.scalars(
            select(MediaAttachment.id).where(
                MediaAttachment.processing == ProcessingState.PENDING,
                MediaAttachment.updated_at < now - STALLED_AFTER,
            )
        )
    )


def _give_back_memory() -> None:
    """Return the memory freed after a file to the system (glibc keeps it otherwise, per thread
    arena, and a worker's resident size would grow to the sum of its threads' worst files)."""
    if _libc is not None:
        _libc.malloc_trim(0)


def process(media_id: int) -> None:
    """Process one pending upload (its file, its custom thumbnail, or both); a missing or
    already claimed row is left alone."""
    if not _claim(media_id):
        return
    try:
        _process(media_id)
    finally:
        _give_back_memory()


def _process(media_id: int) -> None:
    media = db.session.get(MediaAttachment, media_id)
    if media is None:
        return
    uploads = (media.upload_path, media.thumbnail_upload_path)
    name = secrets.token_hex(16)
    try:
        if media.upload_path:
            _file(media, name)
        if media.thumbnail_upload_path:
            _thumbnail(media, name)
        media.processing = ProcessingState.DONE
    except (ProcessingError, media_av.MediaError, FileNotFoundError) as err:
        log.info("media %s could not be processed: %s", media_id, err)
        media.processing = ProcessingState.FAILED
    except Exception:  # a bug or a codec's surprise: this file fails, the worker goes on
        log.exception("media %s: processing failed", media_id)
        media.processing = ProcessingState.FAILED
    if media.processing == ProcessingState.FAILED:  # only a new file fails: nothing was served
        media_store.delete(media.file_path)
        media_store.delete(media.thumbnail_path)
        media.file_path = media.thumbnail_path = None
    media.upload_path = media.thumbnail_upload_path = None
    outputs = (media.file_path, media.thumbnail_path)
    try:
        db.session.commit()
    except StaleDataError:  # deleted while processing (discarded, or its owner deleted it)
        db.session.rollback()
        uploads += outputs
    for path in uploads:
        media_store.delete(path)
