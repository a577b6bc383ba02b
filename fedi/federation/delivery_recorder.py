"""The delivery recorder: one thread per process that records the outcomes the sender hands
back, in batches (a burst of a thousand answers becomes a few transactions)."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable

from flask import Flask, current_app

from fedi.extensions import db
from fedi.federation import sender

log = logging.getLogger(__name__)

RECORD_BATCH = 500  # outcomes recorded per transaction

Record = Callable[[list[sender.Outcome]], None]


class Recorder:
    """Records the outcomes the sender hands back, in batches, from one thread of its own."""

    def __init__(self, app: Flask, record: Record) -> None:
        self.app, self.pid, self.record = app, os.getpid(), record
        self.outcomes: queue.SimpleQueue[sender.Outcome] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="delivery-recorder", daemon=True)
        self.thread.start()

    def put(self, outcome: sender.Outcome) -> None:
        self.outcomes.put(outcome)

    def _run(self) -> None:
        while True:
            batch = [self.outcomes.get()]
            linger = time.monotonic() + 0.05  # let a burst gather into one transaction
            while len(batch) < RECORD_BATCH:
                try:
                    batch.append(self.outcomes.get(timeout=max(0.0, linger - time.monotonic())))
                except queue.Empty:
                    break
            with self.app.app_context():
                try:
                    self.record(batch)
                except Exception:  # the rows stay claimed: due again after IN_FLIGHT
                    log.exception("delivery: recording %d outcomes failed", len(batch))
                    db.session.rollback()
                finally:
                    db.session.remove()


_recorders: dict[int, Recorder] = {}
_recorder_lock = threading.Lock()


def get(record: Record) -> Recorder:
    """This process's recorder, recording with `record` (started on first use, and again in a
    forked child)."""
    with _recorder_lock:
        found = _recorders.get(os.getpid())
        if found is None or not found.thread.is_alive():
            found = _recorders[os.getpid()] = Recorder(current_app._get_current_object(), record)
        return found
