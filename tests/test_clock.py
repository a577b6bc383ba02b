"""The clock of stored times: the system clock, or moved forward by a file tests write."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fedi import clock
from fedi.models import utcnow


@pytest.fixture
def offset_file(tmp_path: Path) -> Iterator[str]:
    path = str(tmp_path / "clock")
    clock.configure(path)
    try:
        yield path
    finally:
        clock.configure(None)


def _close(a: datetime, b: datetime) -> bool:
    return abs(a - b) < timedelta(seconds=5)


def test_without_a_file_the_clock_is_the_system_clock():
    assert clock.offset() == timedelta(0)
    assert _close(utcnow(), datetime.now(UTC))


def test_the_offset_file_moves_the_clock_and_is_read_again_when_it_changes(offset_file):
    assert _close(utcnow(), datetime.now(UTC))  # no file yet: no offset

    clock.write_offset(offset_file, 10 * 86400)
    assert clock.offset() == timedelta(days=10)
    assert _close(utcnow(), datetime.now(UTC) + timedelta(days=10))

    clock.write_offset(offset_file, 3600.5)
    assert clock.offset() == timedelta(seconds=3600.5)

    Path(offset_file).write_text("")  # empty: no offset
    assert clock.offset() == timedelta(0)


def test_a_file_that_is_not_a_number_keeps_the_last_offset(offset_file):
    clock.write_offset(offset_file, 60)
    assert clock.offset() == timedelta(minutes=1)
    Path(offset_file).write_text("sixty")
    assert clock.offset() == timedelta(minutes=1)
