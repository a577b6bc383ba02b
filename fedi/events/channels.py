"""Channel names (Mastodon's) and the events published on them."""

from __future__ import annotations

from collections.abc import Iterable

from fedi.events.bus import publish


def user(account_id: int) -> str:
    return f"timeline:{account_id}"


def direct(account_id: int) -> str:
    return f"timeline:direct:{account_id}"


def hashtag(name: str, *, local: bool = False) -> str:
    return f"timeline:hashtag:{name}{':local' if local else ''}"


def list_(list_id: int) -> str:
    return f"timeline:list:{list_id}"


def system(account_id: int) -> str:
    """Per-account control events for open streams (e.g. `filters_changed`)."""
    return f"timeline:system:{account_id}"


def access_token(token_id: int) -> str:
    """Per-token control events: `kill` closes every stream opened with that token."""
    return f"timeline:access_token:{token_id}"


def web_session(session_id: int) -> str:
    """Per-browser-session control events: `kill` closes the web UI's live streams of that
    session (fedi/web/live.py)."""
    return f"timeline:web_session:{session_id}"


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


def publish_kill(token_id: int) -> None:
    """After a token is revoked: close the streams that use it."""
    publish(access_token(token_id), {"event": "kill"})


def publish_web_session_kill(session_id: int) -> None:
    """After a browser session ends: close its live streams."""
    publish(web_session(session_id), {"event": "kill"})


def publish_filters_changed(account_id: int) -> None:
    """After the account's filters change: its user streams tell the client to refetch them."""
    publish(user(account_id), {"event": "filters_changed"})
    publish(system(account_id), {"event": "filters_changed"})
