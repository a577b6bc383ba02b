"""Queue entry points: ids in, a few lines each, calling services or federation. A missing row
means nothing to do. Importing this package registers every task with `fedi.queue`, where
services and federation enqueue them by name."""

from fedi.tasks import (  # noqa: F401  (registration)
    cards,
    delivery,
    fanout,
    federation,
    media,
    moderation,
    polls,
    pruning,
    push,
    scheduled,
)
