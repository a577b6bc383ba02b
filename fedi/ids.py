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
