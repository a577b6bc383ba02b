"""The clock of stored times: `now()`, the current UTC time, which tests may move forward.

Every time written to or compared with the database goes through `fedi.models.utcnow`, which
reads this clock: the delivery ledger's retries and give-ups, domain health's failure days and
probes, the requeue of inbox items, tokens and sessions. Production reads the system clock.

A test that must take real processes (a web process, `fedi worker`) through days, such as a
peer down for ten days, gives them `TEST_CLOCK_OFFSET_FILE`: a file holding a number of seconds
(a float; empty or missing means 0) that `now()` adds to the system clock. Each process reads
the file again when it changes (one `stat` per call, only when the setting is given), so the
test moves every process forward at once by writing a new number. Snowflake ids
(`fedi/ids.py`), the Date of HTTP signatures and rate-limit windows keep the real time.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta

_path: str | None = None
_lock = threading.Lock()
_seen: tuple[int, int, int] | None = None  # (inode, mtime_ns, size) of the file last read
_offset = timedelta(0)


def configure(offset_file: str | None) -> None:
    """Use `offset_file` (TEST_CLOCK_OFFSET_FILE) from now on; empty or None: the real clock."""
    global _path, _seen, _offset
    with _lock:
        _path, _seen, _offset = offset_file or None, None, timedelta(0)


def now() -> datetime:
    if _path is None:
        return datetime.now(UTC)
    return datetime.now(UTC) + _current_offset(_path)


def offset() -> timedelta:
    """How far this process's clock is ahead of the system clock."""
    return timedelta(0) if _path is None else _current_offset(_path)


def _current_offset(path: str) -> timedelta:
    global _seen, _offset
    try:
        stat = os.stat(path)
    except OSError:
        return timedelta(0)
    key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    if key == _seen:
        return _offset
    with _lock:
        try:
            with open(path, encoding="ascii") as fh:
                text = fh.read().strip()
            _offset = timedelta(seconds=float(text or 0))
        except (OSError, ValueError):
            return _offset  # being written: the previous offset until it is complete
        _seen = key
        return _offset


def write_offset(offset_file: str, seconds: float) -> None:
    """Set the offset of every process reading `offset_file` (tests): written to a temporary
    file and renamed over it, so that no reader sees half a number."""
    temporary = f"{offset_file}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="ascii") as fh:
        fh.write(repr(float(seconds)))
    os.replace(temporary, offset_file)
