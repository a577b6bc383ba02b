"""The Huey instance and how it runs.

- Embedded default (no REDIS_URL): a SQLite-backed queue in instance/, consumed by worker threads
  inside the web process, so one process is a whole instance.
- REDIS_URL set: RedisHuey, consumed by `fedi worker` processes.
- QUEUE_IMMEDIATE (tests): tasks run synchronously in the caller.

Tasks are declared in `fedi.tasks` with `@task()`, which runs the body inside an application
context and registers it under its function name. Services and federation hand work over with
`enqueue("name", *ids)` after their commit: they know task names, never task modules, so nothing
below the tasks package imports it.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from huey import Huey
from huey.consumer import Consumer
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

log = logging.getLogger(__name__)

huey = Huey("wren", storage_class=MemoryStorage, utc=True)
_app: Flask | None = None
_consumer: Consumer | None = None
_consumer_lock = threading.Lock()
registry: dict[str, Any] = {}


class UnknownTask(LookupError):
    """`enqueue` was given a name no task registered (fedi.tasks is not imported, or a typo)."""


def enqueue(name: str, *args: Any, delay: float = 0.0) -> None:
    """Queue the task registered as `name` with these arguments (ids and plain values), to run
    after `delay` seconds; in immediate mode (tests) it runs now, in the caller."""
    try:
        registered = registry[name]
    except KeyError:
        raise UnknownTask(f"no task is registered as {name!r}") from None
    if delay > 0:
        registered.schedule(args, delay=delay)
    else:
        registered(*args)


def depth() -> tuple[int, int]:
    """(tasks waiting to run, tasks scheduled for later): the admin dashboard shows them."""
    return huey.pending_count(), huey.scheduled_count()


def registered_names() -> frozenset[str]:
    return frozenset(registry)


def _register(fn: Callable[..., Any], wrapper: Any) -> Any:
    if registry.get(fn.__name__, wrapper) is not wrapper:
        raise RuntimeError(f"two tasks are named {fn.__name__!r}")
    registry[fn.__name__] = wrapper
    return wrapper


def configure(app: Flask) -> None:
    """Point the queue at the storage the settings ask for and remember the app for tasks."""
    global _app
    settings = app.config["FEDI"]
    _app = app
    if settings.QUEUE_IMMEDIATE:
        huey.immediate = True
        return
    huey.immediate = False
    if settings.REDIS_URL:
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": settings.REDIS_URL}
    else:
        Path(settings.INSTANCE_DIR).mkdir(parents=True, exist_ok=True)
        filename = str(Path(settings.INSTANCE_DIR) / "queue.db")
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": filename}
    huey.storage = huey.create_storage()


def _current_app() -> Flask:
    if _app is None:
        raise RuntimeError("the queue is not configured: build the app (fedi.create_app) first")
    return _app


def task(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """`huey.task()` whose body runs in an application context."""

    def decorator(fn: Callable[..., Any]) -> Any:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            with _current_app().app_context():
                return fn(*args, **kwargs)

        return _register(fn, huey.task(**options)(run))

    return decorator


def periodic(cron: Any, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """`huey.periodic_task()` whose body runs in an application context."""

    def decorator(fn: Callable[..., Any]) -> Any:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            with _current_app().app_context():
                return fn(*args, **kwargs)

        return _register(fn, huey.periodic_task(cron, **options)(run))

    return decorator


class _InProcessConsumer(Consumer):
    """A consumer living inside another server: the host process keeps its signal handlers."""

    def _set_signal_handlers(self) -> None:
        pass


def start_in_process_consumer(workers: int = 2) -> bool:
    """Start worker threads in this process (embedded default). Safe to call repeatedly."""
    global _consumer
    if huey.immediate or _consumer is not None:
        return False
    with _consumer_lock:
        if _consumer is not None:
            return False
        # The SQLite queue is polled, with a back-off that reaches huey's 10 s default after a
        # minute idle: a post would then wait that long to reach home feeds and live streams.
        _consumer = _InProcessConsumer(
            huey, workers=workers, worker_type="thread", periodic=True, max_delay=1.0
        )
        _consumer.start()
        log.info("in-process task consumer started with %d threads", workers)
        return True


def stop_in_process_consumer() -> None:
    global _consumer
    with _consumer_lock:
        if _consumer is not None:
            _consumer.stop(graceful=True)
            _consumer = None


def run_worker(workers: int = 4) -> None:
    """Block, consuming the queue (the `worker` process)."""
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.run()
