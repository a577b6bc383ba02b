"""Snowflake ids: time-sortable, unique, and derivable from a remote `published` time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fedi.ids import id_at, id_time, new_id


def test_ids_increase_strictly_within_a_process():
    ids = [new_id() for _ in range(10_000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(0 < i < 2**63 for i in ids)


def test_ids_encode_their_time():
    before = datetime.now(UTC) - timedelta(milliseconds=1)
    snowflake = new_id()
    after = datetime.now(UTC) + timedelta(milliseconds=1)
    assert before <= id_time(snowflake) <= after


def test_remote_ids_sort_by_published_time():
    older = datetime(2020, 5, 1, 12, 0, 0, tzinfo=UTC)
    newer = older + timedelta(milliseconds=1)
    assert new_id(older) < new_id(newer)
    assert id_at(older) <= new_id(older) < id_at(newer)
    assert id_time(new_id(older)) == older
    # Naive datetimes are taken as UTC.
    assert id_at(older.replace(tzinfo=None)) == id_at(older)
