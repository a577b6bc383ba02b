"""Uploading media to attach to a status (Mastodon's MediaAttachment): images, GIFs, video and
audio. A web request only checks what a file is from its content (services/media_sniff.py: magic
bytes, the image header's pixel count, polyglots refused; never the file's name), stores its bytes
as they came under a server-generated name (services/media_store.py) and queues the
`process_media` task; a worker decodes and converts it (services/media_processing.py). The row
is pending until then, its `url` null; `wait` lets a caller that must answer with a finished file
(POST /api/v1/media, the web compose form) poll for the worker's result. The web compose form and
the client API (POST /api/v1/media and /api/v2/media) use it.

An upload is its own row until a status takes it (services.statuses.attachable_media, which
refuses one still processing). Until then its owner may read it, change its description, focal
point and custom thumbnail, or delete it (GET, PUT and DELETE /api/v1/media/:id, with Mastodon's
rules: an attached upload is "not found" to read or change and "in use" to delete); `discard`
removes uploads a failed post leaves behind.
"""

from __future__ import annotations

import math
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete as sa_delete
from sqlalchemy import select

from fedi import queue
from fedi.errors import NotFound, Unprocessable
from fedi.extensions import db
from fedi.models import Account, MediaAttachment, ProcessingState
from fedi.services import media_av, media_processing, media_sniff, media_store

IMAGE_LIMIT = 16 * 1024 * 1024  # bytes, as Mastodon's image_size_limit
VIDEO_LIMIT = 99 * 1024 * 1024  # bytes, as Mastodon's video_size_limit (audio too)
MATRIX_LIMIT = media_processing.MATRIX_LIMIT
VIDEO_MATRIX_LIMIT = media_av.VIDEO_MATRIX_LIMIT
VIDEO_FRAME_RATE_LIMIT = media_av.VIDEO_FRAME_RATE_LIMIT
SUPPORTED_MIME_TYPES = media_sniff.IMAGE_TYPES + media_sniff.VIDEO_TYPES + media_sniff.AUDIO_TYPES
DESCRIPTION_LIMIT = 1500  # characters, as Mastodon's MediaAttachment::MAX_DESCRIPTION_LENGTH
IN_USE = "Media attachment is currently used by a status"
PROCESSING_FAILED = "Error processing thumbnail for uploaded media"
NOT_PROCESSED = "Cannot attach files that have not finished processing. Try again in a moment!"
_FLOAT = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
WAITING = (ProcessingState.PENDING, ProcessingState.PROCESSING)


@dataclass(frozen=True)
class Upload:
    """One file as it came in: its bytes, and what the sender called it (never trusted)."""

    data: bytes
    filename: str = ""
    description: str = ""
    focus: str | None = None  # "x,y", each -1.0..1.0 (Mastodon's focal point)
    thumbnail: bytes | None = None  # a custom preview (the poster of a video or audio)


def _invalid(description: str) -> Unprocessable:
    return Unprocessable(f"Validation failed: {description}")


def _checked(data: bytes, *, field: str = "File", images_only: bool = False) -> media_sniff.Sniffed:
    """What `data` is, from its content: refused (422) when empty, unknown, a polyglot, over
    its size limit, or an image whose header claims too many pixels. Nothing is decoded."""
    if not data:
        raise _invalid(f"{field} can't be blank")
    try:
        sniffed = media_sniff.magic(data)
        if images_only and sniffed.family != "image":
            raise media_sniff.NotMedia("not an image")
        limit = IMAGE_LIMIT if sniffed.family == "image" else VIDEO_LIMIT
        if len(data) > limit:
            raise _invalid(f"{field} file size must be less than {limit // 2**20} MB")
        sniffed = media_sniff.sniff(data)
    except media_sniff.NotMedia:
        raise _invalid(f"{field} content type is invalid") from None
    if sniffed.family == "image":
        try:
            media_processing.image_header(data, sniffed.reader)
        except media_processing.ProcessingError as err:
            if "not supported" in str(err):
                raise Unprocessable(str(err)) from None
            raise _invalid(f"{field} content type is invalid") from None
    return sniffed


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


def _store_upload(account_id: int, data: bytes) -> str:
    path = f"media_attachments/{account_id}/{secrets.token_hex(16)}.upload"
    media_store.put(path, data, "application/octet-stream")
    return path


def upload(*, account: Account, upload: Upload) -> MediaAttachment:
    """Check and store one file, and queue its processing; the new attachment, pending (or
    already processed when the queue runs tasks at once), not yet on a status."""
    description = check_description(upload.description)
    focus = parse_focus(upload.focus)
    sniffed = _checked(upload.data)
    if upload.thumbnail is not None:
        _checked(upload.thumbnail, field="Thumbnail", images_only=True)
    media = MediaAttachment(
        account_id=account.id, type=sniffed.kind, processing=ProcessingState.PENDING,
        file_content_type=sniffed.content_type, description=description,
        focus_x=focus[0] if focus else None, focus_y=focus[1] if focus else None, meta={},
        upload_path=_store_upload(account.id, upload.data),
        thumbnail_upload_path=_store_upload(account.id, upload.thumbnail)
        if upload.thumbnail else None,
    )  # fmt: skip
    db.session.add(media)
    db.session.commit()
    queue.enqueue("process_media", media.id)
    db.session.refresh(media)
    return media


def is_still_image(media: MediaAttachment) -> bool:
    """An upload that will be a still picture (Mastodon processes those while the request
    waits); GIFs may move."""
    return media.file_content_type in ("image/jpeg", "image/png", "image/webp")


def wait(media: MediaAttachment, seconds: float) -> MediaAttachment:
    """`media` once a worker has processed it (or it failed), or as it is after `seconds`. The
    request only reads the row; the work is the worker's."""
    deadline = time.monotonic() + seconds
    pause = 0.02
    while media.processing in WAITING and time.monotonic() < deadline:
        db.session.commit()  # end the read so the worker's commit shows
        time.sleep(pause)
        pause = min(pause * 1.5, 0.25)
        db.session.refresh(media)
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
    *,
    media: MediaAttachment,
    description: str | None = None,
    focus: object = None,
    thumbnail: bytes | None = None,
) -> MediaAttachment:
    """Change an unattached upload's description ("" clears it), focal point and custom
    thumbnail (processed by a worker, like the file); None leaves each as it is."""
    if media.status_id is not None:
        raise NotFound("Record not found")
    if description is not None:
        media.description = check_description(description)
    point = parse_focus(focus)
    if point is not None:
        media.focus_x, media.focus_y = point
    if thumbnail is not None:
        if media.processing in WAITING:
            raise Unprocessable(NOT_PROCESSED)
        _checked(thumbnail, field="Thumbnail", images_only=True)
        media.thumbnail_upload_path = _store_upload(media.account_id, thumbnail)
        media.processing = ProcessingState.PENDING
    db.session.commit()
    if thumbnail is not None:
        queue.enqueue("process_media", media.id)
        db.session.refresh(media)
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
    paths = (media.file_path, media.thumbnail_path, media.upload_path,
             media.thumbnail_upload_path)  # fmt: skip
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
    *, account: Account, uploads: Sequence[Upload], limit: int, seconds: float = 0.0
) -> list[MediaAttachment]:
    """Several uploads for one post, all or none, each waited for up to `seconds` in all: more
    than `limit`, one invalid file or one that failed, and the ones already stored are removed
    again. One still processing after the wait stays pending (posting it is refused)."""
    if len(uploads) > limit:
        raise Unprocessable(f"Cannot attach more than {limit} files")
    done: list[MediaAttachment] = []
    try:
        for item in uploads:
            done.append(upload(account=account, upload=item))
        deadline = time.monotonic() + seconds
        for media in done:
            wait(media, max(0.0, deadline - time.monotonic()))
            if media.processing == ProcessingState.FAILED:
                raise _invalid("File could not be processed")
    except Exception:
        discard(done)
        raise
    return done


def discard(media: Sequence[MediaAttachment]) -> None:
    """Remove uploads that no status took (a post that failed validation), files included."""
    for item in media:
        if item.status_id is not None:
            continue
        for path in (item.file_path, item.thumbnail_path, item.upload_path,
                     item.thumbnail_upload_path):  # fmt: skip
            media_store.delete(path)
        db.session.delete(item)
    db.session.commit()
