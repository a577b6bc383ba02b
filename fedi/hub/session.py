"""What a stream does (`Session`) and how its work runs (`Jobs`): on the hub's worker threads, one
job at a time per stream and in order, each in the stream's context."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from wsproto.frame_protocol import CloseReason

from fedi.events.bus import Event
from fedi.extensions import db

MAX_PENDING_JOBS = 1_000  # a stream this far behind is closed (its client reconnects)
JOBS_PER_TURN = 20

log = logging.getLogger(__name__)


class Session:
    """What a stream does; a subclass overrides what it needs (each method does nothing here).
    Every method runs on a hub worker, in order, inside the peer's context."""

    tick_seconds: float | None = None  # call `tick()` this often (None: never)

    def opened(self) -> None:
        """First, once the stream exists."""

    def message(self, text: str) -> None:
        """A text message from the client."""

    def event(self, channel: str, event: Event, shared: dict[Any, Any]) -> None:
        """A bus event on one of the peer's channels. `shared`: one dict for every stream of the
        process getting this same event, to keep work done once for all of them
        (fedi/hub/viewing.py)."""

    def tick(self) -> None:
        """Every `tick_seconds`."""

    def closed(self) -> None:
        """Last, once the connection is gone."""


class Jobs:
    """One stream's queue of work. A job that fails, or a queue too far behind, closes the stream
    with `close(code, reason)`."""

    def __init__(
        self,
        executor: Executor,
        context: Callable[[], Any],
        close: Callable[[int, str], None],
    ) -> None:
        self.executor = executor
        self.context = context
        self.close = close
        self._lock = threading.Lock()
        self._jobs: deque[Callable[[], None]] = deque()
        self._running = False
        self.over = False  # no more jobs but the last

    def submit(self, job: Callable[[], None], *, last: bool = False) -> None:
        """Queue `job` (from any thread); `last`: the stream's final job, nothing runs after."""
        with self._lock:
            if self.over:
                return
            if last:
                self.over = True
            elif len(self._jobs) >= MAX_PENDING_JOBS:
                log.warning("streaming: a client fell %d events behind; closing", len(self._jobs))
                self.close(CloseReason.TRY_AGAIN_LATER, "Too far behind")
                return
            self._jobs.append(job)
            if self._running:
                return
            self._running = True
        self._schedule()

    def _drain(self) -> None:
        for _ in range(JOBS_PER_TURN):
            with self._lock:
                if not self._jobs:
                    self._running = False
                    return
                job = self._jobs.popleft()
            self._run(job)
        self._schedule()  # still running: other streams get a turn first

    def _schedule(self) -> None:
        try:
            self.executor.submit(self._drain)
        except RuntimeError:  # the process is exiting: its workers take no more jobs
            log.debug("streaming: a stream's jobs dropped at shutdown")

    def _run(self, job: Callable[[], None]) -> None:
        try:
            with self.context():
                try:
                    job()
                finally:
                    db.session.remove()
        except Exception:
            log.exception("streaming: a stream's work failed")
            self.close(CloseReason.INTERNAL_ERROR, "Internal error")
