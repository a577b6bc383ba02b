"""64-bit time-sortable Snowflake ids: milliseconds since the Unix epoch << 16 | 16 low bits.

Local rows take the current time; remote statuses take their `published` time, so timelines
ordered by id stay in time order. Within one process ids are strictly increasing; the low bits are
random so that several processes rarely collide (callers inserting remote rows retry on conflict).
"""

from __future__ import annotations

import secrets
import threading
import time
from datetime import UTC, datetime

MAX_ID = 2**63 - 1  # ids live in signed 64-bit columns (BIGINT)
_lock = threading.Lock()
_last = 0


def new_id(at: datetime | None = None) -> int:
    """A fresh id for now, or for the time `at` (remote objects, backfills)."""
    global _last
    if at is not None:
        return id_at(at) | secrets.randbits(16)
    with _lock:
        candidate = (int(time.time() * 1000) << 16) | secrets.randbits(16)
        _last = max(candidate, _last + 1)
        return _last


def id_at(at: datetime) -> int:
    """The smallest id of the millisecond `at`: a bound for id-range queries on time."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return int(at.timestamp() * 1000) << 16


def id_time(snowflake: int) -> datetime:
    """The creation time encoded in an id."""
    return datetime.fromtimestamp((snowflake >> 16) / 1000, tz=UTC)


def parse_id(value: object) -> int | None:
    """A row id from outside (a path segment, a parameter, a JSON number): a whole number from 1
    to MAX_ID, else None. A bigger number names no row, and could not even be compared with a
    64-bit column (the database driver refuses it)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not (0 < len(text) <= 20 and text.isascii() and text.isdigit()):
            return None
        number = int(text)
    else:
        return None
    return number if 0 < number <= MAX_ID else None
