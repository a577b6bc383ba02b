"""Where media files live: every stored file (uploads, their previews, avatars, headers, custom
emoji) is written, read and removed through here, by its path relative to the media root, so
the storage can change in one place. Today: files under MEDIA_ROOT, served at /media/<path>.
Writes are atomic (a temporary file renamed into place); paths outside the root are refused."""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app


def root() -> Path:
    return Path(current_app.config["FEDI"].MEDIA_ROOT)


def _inside(relative: str) -> Path:
    base = root().resolve()
    path = (base / relative).resolve()
    if base not in path.parents:
        raise ValueError(f"not a media path: {relative!r}")
    return path


def put(relative: str, data: bytes, content_type: str) -> None:
    """Store `data` at `relative` (a server-generated name), replacing what was there."""
    del content_type  # local files are served with the type their extension names
    target = _inside(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    part.write_bytes(data)
    os.replace(part, target)


def read(relative: str) -> bytes:
    """The stored bytes (FileNotFoundError when absent)."""
    return _inside(relative).read_bytes()


def delete(relative: str | None) -> None:
    """Remove a stored file, if it is one of ours and still there."""
    if not relative:
        return
    try:
        _inside(relative).unlink(missing_ok=True)
    except ValueError:
        return
