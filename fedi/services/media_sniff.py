"""What an uploaded file is, decided from its content (magic bytes and a walk over its header
structure), never from its name or the type its sender claims; cheap enough for a web request,
which never decodes media. A file whose bytes carry a second format (HTML or a script in its
head, data after an image's end, an MP4 whose boxes do not span the file) is refused as a
polyglot. Decoding, and the checks that need the container's streams, happen in the worker
(services/media_processing.py), which opens the file with the demuxer named here and no other.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from fedi.models import MediaType


@dataclass(frozen=True)
class Sniffed:
    """A recognised file: its family ("image", "av"), the PyAV demuxer or Pillow format that
    reads it, the media type it most likely becomes (a worker may refine it: an animated GIF
    becomes gifv, an MP4 without video audio) and the content type it came as."""

    family: str
    reader: str
    kind: MediaType
    content_type: str


class NotMedia(ValueError):
    """Not a format we accept, or a polyglot."""


JPEG = Sniffed("image", "JPEG", MediaType.IMAGE, "image/jpeg")
PNG = Sniffed("image", "PNG", MediaType.IMAGE, "image/png")
GIF = Sniffed("image", "GIF", MediaType.IMAGE, "image/gif")
WEBP = Sniffed("image", "WEBP", MediaType.IMAGE, "image/webp")
MP4 = Sniffed("av", "mov", MediaType.VIDEO, "video/mp4")
MATROSKA = Sniffed("av", "matroska", MediaType.VIDEO, "video/webm")
OGG = Sniffed("av", "ogg", MediaType.AUDIO, "audio/ogg")
MP3 = Sniffed("av", "mp3", MediaType.AUDIO, "audio/mpeg")
WAV = Sniffed("av", "wav", MediaType.AUDIO, "audio/wav")
FLAC = Sniffed("av", "flac", MediaType.AUDIO, "audio/flac")

# The types clients may send (the instance entities advertise them): each is read by one of the
# readers above, whichever the content turns out to be.
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/webm", "video/ogg")
AUDIO_TYPES = (
    "audio/mpeg", "audio/mp3", "audio/ogg", "audio/vorbis", "audio/opus", "audio/wav",
    "audio/wave", "audio/x-wav", "audio/vnd.wave", "audio/flac", "audio/x-flac", "audio/mp4",
    "audio/m4a", "audio/x-m4a", "audio/webm",
)  # fmt: skip

# Markers of HTML or script a browser could be talked into running from a media file's head.
_MARKUP = (b"<html", b"<script", b"<!doctype", b"<svg", b"<body", b"<iframe", b"<?xml", b"<head")
_MARKUP_TAIL = re.compile(rb"(?i)<(?:html|script|svg|body|iframe|!doctype|\?xml|head)[\s>/]")
# Top-level boxes of an ISO media (MP4/QuickTime) file.
_BOXES = {
    b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"pnot", b"moof", b"mfra",
    b"meta", b"pdin", b"sidx", b"styp", b"prft", b"emsg", b"junk", b"PICT",
}  # fmt: skip


def magic(data: bytes) -> Sniffed:
    """The format `data` starts as (its magic bytes only), or NotMedia."""
    found = _by_magic(data[:16])
    if found is None:
        raise NotMedia("unknown format")
    return found


def sniff(data: bytes) -> Sniffed:
    """The format of `data`, checked over the whole file, or NotMedia."""
    found = magic(data)
    if any(marker in data[:1024].lower() for marker in _MARKUP):
        raise NotMedia("markup in a media file")
    _check_whole(found, data)
    return found


def _by_magic(head: bytes) -> Sniffed | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[4:8] in (b"ftyp", b"moov", b"wide", b"mdat", b"free"):
        return MP4
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return MATROSKA
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"fLaC"):
        return FLAC
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2):
        return MP3  # an ID3 tag, or an MPEG audio layer III frame header
    return None


def _check_whole(found: Sniffed, data: bytes) -> None:
    """A second format after the first: an archive's directory (a ZIP readers look for at the
    end) or markup at the end of any file, data after a PNG, GIF or WebP image's end, boxes
    that do not cover an MP4. A JPEG may carry a trailer (phones append a motion photo)."""
    if b"PK\x05\x06" in data[-66_000:] or _MARKUP_TAIL.search(data[-1024:]):
        raise NotMedia("a second format at the end")
    tail = data.rstrip(b"\x00")  # padding some cameras and editors leave
    if found is PNG and not data.endswith(b"IEND\xaeB`\x82"):
        raise NotMedia("data after the PNG image")
    if found is GIF and not tail.endswith(b";"):
        raise NotMedia("data after the GIF image")
    if found is WEBP and struct.unpack("<I", data[4:8])[0] + 9 < len(data):
        raise NotMedia("data after the WebP image")
    if found is MP4:
        _walk_boxes(data)


def _walk_boxes(data: bytes) -> None:
    offset, end = 0, len(data)
    while offset < end:
        if end - offset < 8:
            raise NotMedia("truncated box")
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if kind not in _BOXES:
            raise NotMedia("unknown top-level box")
        if size == 1:  # a 64-bit size follows
            if end - offset < 16:
                raise NotMedia("truncated box")
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        elif size == 0:  # the box runs to the end of the file
            return
        if size < 8:
            raise NotMedia("bad box size")
        offset += size
    # A box claiming more than the file holds is a truncated file: the worker marks it failed.
