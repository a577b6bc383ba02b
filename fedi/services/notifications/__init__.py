"""Notifications: creating them (blocks, mutes, policy, group keys), reading them one by one or in
groups, dismissing them, and the per-user notification policy."""

from fedi.services.notifications import groups, policy
from fedi.services.notifications.create import (
    GROUPABLE,
    MAXIMUM_GROUP_SPAN_HOURS,
    group_keys,
    notify_many,
    publish,
)
from fedi.services.notifications.read import (
    Filters,
    browse,
    clear,
    dismiss,
    get,
    last_read_id,
    load,
    page,
    parse_id,
    preload,
    unread_badge_count,
    unread_count,
)

__all__ = [
    "GROUPABLE",
    "MAXIMUM_GROUP_SPAN_HOURS",
    "Filters",
    "browse",
    "clear",
    "dismiss",
    "get",
    "group_keys",
    "groups",
    "last_read_id",
    "load",
    "notify_many",
    "page",
    "parse_id",
    "policy",
    "preload",
    "publish",
    "unread_badge_count",
    "unread_count",
]
