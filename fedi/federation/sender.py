"""The delivery sender: one asyncio loop per process, in a daemon thread, sending signed POSTs.

Many POSTs run at once (`MAX_IN_FLIGHT`), each under its hard deadline, so a slow or dead server
holds one cheap slot (a coroutine and a socket) for at most the deadline and never a worker
thread: healthy inboxes are served while it waits. `submit` blocks the caller once
`MAX_QUEUED` POSTs are queued or running (back-pressure on the tasks that feed it).

A domain that is slow right now (`SLOW_LIMIT` of its POSTs running for more than `SLOW_AFTER`)
gets no more POSTs until they end: new ones for it come back `deferred` at once, untried, and
the delivery ledger schedules them again. One dead server thus holds a few slots, whatever the
number of activities addressed to it.

POSTs to one inbox that must arrive in order go as a chain (`submit_chain`): one after another,
and once one does not get an answer that lets the next one go (the inbox looks unreachable, or
the POST was deferred), or the chain has run out of time, the rest come back deferred, untried.

The loop thread is started on first use in each process (and again after a fork).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fedi.config import Settings
from fedi.federation import client, poster

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 512  # POSTs running at once, per process
MAX_QUEUED = 2 * MAX_IN_FLIGHT  # submitted and not finished; `submit` waits beyond this
SLOW_AFTER = 5.0  # seconds: a POST running longer is slow
SLOW_LIMIT = 2  # slow POSTs to one domain before it gets no more until they end


@dataclass(frozen=True)
class Post:
    """One signed POST to send: `key` is the caller's (a delivery id), `domain` its server."""

    key: int
    domain: str
    url: str
    headers: dict[str, str]
    body: bytes
    deadline: float = client.POST_DEADLINE


@dataclass(frozen=True)
class Outcome:
    key: int
    result: client.PostResult | None  # None: deferred, not tried (its domain is slow now)
    duration_ms: int = 0

    @property
    def deferred(self) -> bool:
        return self.result is None


class Sender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pid = os.getpid()
        self.room = threading.BoundedSemaphore(MAX_QUEUED)
        self.loop = asyncio.new_event_loop()
        self.running: dict[str, list[float]] = {}  # domain -> start times of its POSTs
        ready = threading.Event()
        self.thread = threading.Thread(
            target=self._run, args=(ready,), name="delivery-sender", daemon=True
        )
        self.thread.start()
        ready.wait()

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.slots = asyncio.Semaphore(MAX_IN_FLIGHT)
        self.poster = poster.Poster(self.settings)
        self.loop.call_soon(ready.set)
        self.loop.create_task(self._close_idle())
        self.loop.run_forever()

    async def _close_idle(self) -> None:
        while True:
            await asyncio.sleep(poster.KEEP_FOR)
            self.poster.close_idle()

    def submit(
        self, post: Post, done: Callable[[Outcome], None] | None = None
    ) -> concurrent.futures.Future[Outcome]:
        """Queue a POST; `done` (if given) is called with its outcome from the loop thread."""
        self.room.acquire()
        future = asyncio.run_coroutine_threadsafe(self._send(post), self.loop)

        def finished(f: concurrent.futures.Future[Outcome]) -> None:
            self.room.release()
            if done is not None and not f.cancelled():
                try:
                    done(f.result())
                except Exception:
                    log.exception("delivery sender: outcome callback failed")

        future.add_done_callback(finished)
        return future

    def submit_chain(
        self,
        posts: list[Post],
        done: Callable[[Outcome], None] | None,
        proceed: Callable[[Outcome], bool],
        budget: float,
    ) -> list[concurrent.futures.Future[Outcome]]:
        """Queue POSTs that go one after another, in this order (to one inbox): the next starts
        when the previous one ended and `proceed(its outcome)` is true, else (or once `budget`
        seconds have passed) it comes back deferred, untried. One future per POST; `done` as in
        `submit`, called in order."""
        if len(posts) == 1:
            return [self.submit(posts[0], done)]
        futures: list[concurrent.futures.Future[Outcome]] = [
            concurrent.futures.Future() for _ in posts
        ]
        self.room.acquire()  # a chain runs one POST at a time: one place in the queue
        started = time.monotonic()

        async def run() -> None:
            going = True
            try:
                for post, future in zip(posts, futures, strict=True):
                    going = going and time.monotonic() - started < budget
                    outcome = await self._send(post) if going else Outcome(post.key, None)
                    going = going and proceed(outcome)
                    _finish(future, outcome, done)
            finally:  # never leave a caller waiting (the loop is stopping, or a bug)
                for post, future in zip(posts, futures, strict=True):
                    if not future.done():
                        _finish(future, Outcome(post.key, None), done)

        chain = asyncio.run_coroutine_threadsafe(run(), self.loop)
        chain.add_done_callback(lambda _: self.room.release())
        return futures

    def _slow(self, domain: str, now: float) -> bool:
        started = self.running.get(domain, ())
        return sum(1 for t in started if now - t > SLOW_AFTER) >= SLOW_LIMIT

    async def _send(self, post: Post) -> Outcome:
        if self._slow(post.domain, time.monotonic()):
            return Outcome(post.key, None)
        async with self.slots:
            started = time.monotonic()
            self.running.setdefault(post.domain, []).append(started)
            try:
                result = await self.poster.post(
                    post.url, post.headers, post.body, deadline=post.deadline
                )
            except Exception as exc:  # a bug must not lose the outcome (the row would hang)
                log.exception("delivery sender: POST to %s failed", post.url)
                result = client.PostResult(status_code=0, error=f"{exc.__class__.__name__}")
            finally:
                times = self.running[post.domain]
                times.remove(started)
                if not times:
                    del self.running[post.domain]
        return Outcome(post.key, result, int((time.monotonic() - started) * 1000))


def _finish(
    future: concurrent.futures.Future[Outcome],
    outcome: Outcome,
    done: Callable[[Outcome], None] | None,
) -> None:
    future.set_result(outcome)
    if done is not None:
        try:
            done(outcome)
        except Exception:
            log.exception("delivery sender: outcome callback failed")


_sender: Sender | None = None
_lock = threading.Lock()


def get(settings: Settings) -> Sender:
    """This process's sender (started on first use, and again in a forked child)."""
    global _sender
    with _lock:
        if _sender is None or _sender.pid != os.getpid() or not _sender.thread.is_alive():
            _sender = Sender(settings)
        _sender.settings = _sender.poster.settings = settings  # the caller's app's
        return _sender
