"""Channel names (Mastodon's) and the events published on them."""

from __future__ import annotations

from collections.abc import Iterable

from fedi.streaming.bus import publish


def user(account_id: int) -> str:
    return f"timeline:{account_id}"


def direct(account_id: int) -> str:
    return f"timeline:direct:{account_id}"


def hashtag(name: str, *, local: bool = False) -> str:
    return f"timeline:hashtag:{name}{':local' if local else ''}"


def list_(list_id: int) -> str:
    return f"timeline:list:{list_id}"


PUBLIC = "timeline:public"
PUBLIC_LOCAL = "timeline:public:local"
PUBLIC_REMOTE = "timeline:public:remote"


def publish_update(names: Iterable[str], status_id: int, *, event: str = "update") -> None:
    for name in names:
        publish(name, {"event": event, "status_id": str(status_id)})


def publish_delete(names: Iterable[str], status_id: int) -> None:
    for name in names:
        publish(name, {"event": "delete", "status_id": str(status_id)})


def publish_notification(account_id: int, notification_id: int) -> None:
    publish(user(account_id), {"event": "notification", "notification_id": str(notification_id)})
