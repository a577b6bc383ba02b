"""Remote actors and statuses, stored from ActivityStreams JSON whose origin the caller checked,
and what remote actors do to local ones.

Every string from another server is capped and every piece of HTML sanitised here, once, before
it is stored. Remote statuses get ids from their `published` time so timelines stay in order.
"""

from fedi.services.remote.accounts import upsert_account
from fedi.services.remote.actions import (
    accept_follow,
    move_followers,
    receive_boost,
    receive_follow,
    receive_like,
    reject_follow,
    remove_account_content,
    undo_boost,
)
from fedi.services.remote.common import as_list, normalize_types, parse_time, ref
from fedi.services.remote.statuses import (
    content_of,
    create_status,
    delete_status,
    update_status,
    visibility_of,
)

__all__ = [
    "accept_follow",
    "as_list",
    "content_of",
    "create_status",
    "delete_status",
    "move_followers",
    "normalize_types",
    "parse_time",
    "receive_boost",
    "receive_follow",
    "receive_like",
    "ref",
    "reject_follow",
    "remove_account_content",
    "undo_boost",
    "update_status",
    "upsert_account",
    "visibility_of",
]
