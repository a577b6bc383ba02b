"""Model -> ActivityStreams JSON: pure functions (small loads of a status' tags and media)."""

from fedi.federation.serializers.activities import (
    accept,
    announce,
    block,
    create,
    delete,
    delete_actor,
    follow,
    like,
    reject,
    undo,
    update,
    update_actor,
    update_poll,
)
from fedi.federation.serializers.actor import actor
from fedi.federation.serializers.flag import flag
from fedi.federation.serializers.note import note, tombstone
from fedi.federation.serializers.poll import vote

__all__ = [
    "accept",
    "actor",
    "announce",
    "block",
    "create",
    "delete",
    "delete_actor",
    "flag",
    "follow",
    "like",
    "note",
    "reject",
    "tombstone",
    "undo",
    "update",
    "update_actor",
    "update_poll",
    "vote",
]
