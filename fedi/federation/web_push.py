"""Sending Web Push: one notification, encrypted, to one subscription's push service.

Push endpoints are URLs chosen by clients, so the sender refuses private and special addresses
like any other outbound request, and follows no redirect.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from typing import Any
from urllib.parse import urlsplit

import orjson
from flask import current_app

from fedi import hosts
from fedi.extensions import db
from fedi.models import Account, Notification, OAuthToken, PushSubscription
from fedi.services.push import vapid_keys
from fedi.text.sanitize import html_to_text
from fedi.urls import media_url

log = logging.getLogger(__name__)
TIMEOUT = 10.0
TTL = 48 * 3600


def check_endpoint(endpoint: str) -> None:
    """Refuse endpoints on private, loopback, link-local or special addresses (after DNS),
    unless ALLOWED_PRIVATE_ADDRESSES allows them."""
    parts = urlsplit(endpoint)
    allowed = hosts.parse_networks(current_app.config["FEDI"].ALLOWED_PRIVATE_ADDRESSES)
    try:
        infos = socket.getaddrinfo(parts.hostname or "", parts.port or 443, type=socket.SOCK_STREAM)
    except OSError as err:
        raise PushRefused(f"cannot resolve {parts.hostname}") from err
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if hosts.is_special(address) and not hosts.is_allowed(address, allowed):
            raise PushRefused(f"{parts.hostname} resolves to a non-public address")
    if parts.scheme != "https" and not allowed:
        raise PushRefused("push endpoints must use https")


class PushRefused(Exception):
    """An endpoint we will not send to."""


def payload(row: PushSubscription, notification: Notification) -> dict[str, Any]:
    """What the service worker (or app) receives, shaped as Mastodon's push payload."""
    sender = notification.from_account
    name = (sender.display_name or sender.username) if sender is not None else ""
    titles = {
        "mention": f"{name} mentioned you",
        "status": f"{name} just posted",
        "reblog": f"{name} boosted your post",
        "follow": f"{name} followed you",
        "follow_request": f"{name} requested to follow you",
        "favourite": f"{name} favourited your post",
        "poll": "A poll has ended",
        "update": f"{name} edited a post",
    }
    status = notification.status
    body = html_to_text(status.content)[:140] if status is not None else ""
    settings = current_app.config["FEDI"]
    data: dict[str, Any] = {
        "notification_id": str(notification.id),
        "notification_type": str(notification.type),
        "preferred_locale": "en",
        "title": titles.get(str(notification.type), "New notification"),
        "body": body,
        "icon": _icon(sender, settings.base_url),
        "url": f"{settings.base_url}/notifications",
    }  # fmt: skip
    if row.token_id is not None:
        token = db.session.get(OAuthToken, row.token_id)
        if token is not None:
            data["access_token"] = token.access_token
    return data


def _icon(sender: Account | None, base_url: str) -> str:
    default = "/static/icons/icon-192.png"
    url = media_url(sender.avatar_file, sender.avatar_remote_url, default) if sender else default
    return url if url.startswith(("https://", "http://")) else f"{base_url}{url}"


def send(subscription_id: int, notification_id: int) -> None:
    """Encrypt and send one notification. 404/410 from the push service delete the subscription;
    other 4xx give up; 429, 5xx and network errors raise, so the task retries."""
    row = db.session.get(PushSubscription, subscription_id)
    notification = db.session.get(Notification, notification_id)
    if row is None or notification is None or notification.account_id != row.account_id:
        return
    try:
        check_endpoint(row.endpoint)
    except PushRefused as err:
        log.info("push %s refused: %s", row.id, err)
        return
    code = _post(row, orjson.dumps(payload(row, notification)).decode())
    if code in (404, 410):
        db.session.delete(row)
        db.session.commit()
    elif code is not None and 400 <= code < 500 and code != 429:
        log.info("push %s rejected with %s", row.id, code)


def _post(row: PushSubscription, data: str) -> int | None:
    """POST the encrypted message; the push service's error status, or None on success."""
    import requests
    from pywebpush import WebPushException, webpush

    private_pem, _ = vapid_keys()
    settings = current_app.config["FEDI"]
    contact = settings.INSTANCE_CONTACT_EMAIL or f"admin@{settings.LOCAL_DOMAIN}"
    session = requests.Session()
    session.max_redirects = 0  # the checked endpoint, never somewhere it redirects to
    try:
        webpush(
            subscription_info={
                "endpoint": row.endpoint,
                "keys": {"p256dh": row.p256dh, "auth": row.auth},
            },
            data=data,
            vapid_private_key=_vapid(private_pem),
            vapid_claims={"sub": f"mailto:{contact}"},
            content_encoding="aes128gcm",
            ttl=TTL,
            timeout=TIMEOUT,
            headers={"Urgency": "normal"},
            requests_session=session,
        )
    except WebPushException as err:
        code = err.response.status_code if err.response is not None else None
        if code is None or code == 429 or code >= 500:
            raise
        return code
    except requests.TooManyRedirects:
        log.info("push %s: the endpoint redirects; not followed", row.id)
        return 400
    finally:
        session.close()
    return None


def _vapid(private_pem: str):
    from py_vapid import Vapid02

    return Vapid02.from_pem(private_pem.encode())
