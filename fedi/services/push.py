"""Web Push: the instance's VAPID keys, subscriptions (client API and web UI share one model) and
sending one notification to one subscription.

The VAPID keypair comes from VAPID_PRIVATE_KEY / VAPID_PUBLIC_KEY in the environment, else from
`instance/vapid_private.pem` (generated on first use). Push endpoints are URLs chosen by clients,
so the sender refuses private and special addresses like any other outbound request.
"""

from __future__ import annotations

import base64
import ipaddress
import logging
import os
import socket
import threading
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from sqlalchemy import delete, select

from fedi import hosts, queue
from fedi.errors import NotFound, Unprocessable
from fedi.extensions import db
from fedi.models import Account, Notification, PushSubscription
from fedi.models.push import ALERT_TYPES, POLICIES
from fedi.urls import media_url

log = logging.getLogger(__name__)
KEY_FILE = "vapid_private.pem"
TIMEOUT = 10.0
TTL = 48 * 3600
_key_lock = threading.Lock()


# --- VAPID keys -----------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@lru_cache(maxsize=4)
def _keys_for(instance_dir: str, env_private: str | None) -> tuple[str, str]:
    if env_private:
        pem = env_private.replace("\\n", "\n").encode()
    else:
        path = Path(instance_dir) / KEY_FILE
        with _key_lock:
            if not path.exists():
                key = ec.generate_private_key(ec.SECP256R1())
                pem = key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_bytes(pem)
                tmp.chmod(0o600)
                tmp.replace(path)
            pem = path.read_bytes()
    private = serialization.load_pem_private_key(pem, password=None)
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return pem.decode(), _b64url(point)


def vapid_keys() -> tuple[str, str]:
    """(private key PEM, public key as the URL-safe base64 of the uncompressed P-256 point)."""
    settings = current_app.config["FEDI"]
    private, public = _keys_for(settings.INSTANCE_DIR, os.environ.get("VAPID_PRIVATE_KEY") or None)
    return private, os.environ.get("VAPID_PUBLIC_KEY") or public


def public_key() -> str:
    return vapid_keys()[1]


# --- subscriptions --------------------------------------------------------------------------


def _alerts(given: Mapping[str, Any] | None, previous: Mapping[str, Any] | None) -> dict[str, bool]:
    base = {name: bool((previous or {}).get(name)) for name in ALERT_TYPES}
    for name, value in (given or {}).items():
        if name in base:
            base[name] = _truthy(value)
    return base


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "t", "on", "yes")
    return bool(value)


def _policy(value: Any, default: str = "all") -> str:
    if value in (None, ""):
        return default
    if value not in POLICIES:
        raise Unprocessable("Validation failed: Policy is not included in the list")
    return str(value)


def _check_keys(endpoint: Any, p256dh: Any, auth: Any) -> None:
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        raise Unprocessable("Validation failed: Endpoint can't be blank")
    for value in (p256dh, auth):
        if not isinstance(value, str) or not value:
            raise Unprocessable("Validation failed: Keys can't be blank")
        try:
            base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except ValueError as err:
            raise Unprocessable("Validation failed: Keys are not valid base64") from err


def subscribe(
    *,
    account: Account,
    token_id: int | None,
    endpoint: Any,
    p256dh: Any,
    auth: Any,
    alerts: Mapping[str, Any] | None = None,
    policy: Any = None,
) -> PushSubscription:
    """Create or replace the subscription of `token_id` (client API: one per token) or, for the
    web UI (no token), of this browser's endpoint."""
    _check_keys(endpoint, p256dh, auth)
    policy = _policy(policy)
    query = delete(PushSubscription).where(PushSubscription.account_id == account.id)
    if token_id is not None:
        query = query.where(PushSubscription.token_id == token_id)
    else:
        query = query.where(
            PushSubscription.token_id.is_(None), PushSubscription.endpoint == endpoint
        )
    db.session.execute(query)
    row = PushSubscription(
        account_id=account.id,
        token_id=token_id,
        endpoint=endpoint,
        p256dh=p256dh,
        auth=auth,
        alerts=_alerts(alerts, None),
        policy=policy,
    )
    db.session.add(row)
    db.session.commit()
    return row


def for_token(token_id: int) -> PushSubscription:
    row = db.session.scalar(select(PushSubscription).where(PushSubscription.token_id == token_id))
    if row is None:
        raise NotFound("Record not found")
    return row


def update(
    row: PushSubscription, *, alerts: Mapping[str, Any] | None, policy: Any = None
) -> PushSubscription:
    row.alerts = _alerts(alerts, row.alerts)
    row.policy = _policy(policy, row.policy)
    db.session.commit()
    return row


def unsubscribe_token(token_id: int) -> None:
    db.session.execute(delete(PushSubscription).where(PushSubscription.token_id == token_id))
    db.session.commit()


def unsubscribe_endpoint(account: Account, endpoint: str) -> None:
    db.session.execute(
        delete(PushSubscription).where(
            PushSubscription.account_id == account.id,
            PushSubscription.token_id.is_(None),
            PushSubscription.endpoint == endpoint,
        )
    )
    db.session.commit()


def wanted(notification: Notification) -> list[int]:
    """Ids of the recipient's subscriptions that want this notification."""
    rows = db.session.scalars(
        select(PushSubscription).where(PushSubscription.account_id == notification.account_id)
    )
    return [
        row.id
        for row in rows
        if row.wants(str(notification.type)) and _policy_allows(row, notification)
    ]


def _policy_allows(row: PushSubscription, notification: Notification) -> bool:
    from fedi.services import relations

    if row.policy == "all":
        return True
    if row.policy == "none":
        return False
    me, them = notification.account_id, notification.from_account_id
    if row.policy == "followed":
        return relations.is_following(me, them)
    return relations.is_following(them, me)


# --- sending --------------------------------------------------------------------------------


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
    body = _plain(status.content)[:140] if status is not None else ""
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
        from fedi.models import OAuthToken

        token = db.session.get(OAuthToken, row.token_id)
        if token is not None:
            data["access_token"] = token.access_token
    return data


def _icon(sender: Account | None, base_url: str) -> str:
    default = "/static/icons/icon-192.png"
    url = media_url(sender.avatar_file, sender.avatar_remote_url, default) if sender else default
    return url if url.startswith(("https://", "http://")) else f"{base_url}{url}"


def _plain(html: str) -> str:
    import re
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", " ", html or "")).strip()


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


def enqueue(created: list[Notification]) -> None:
    """After commit: queue Web Push for new notifications whose recipient has a subscription
    (one query; nothing is queued for accounts without one)."""
    if not created:
        return
    recipients = {n.account_id for n in created}
    subscribed = set(
        db.session.scalars(
            select(PushSubscription.account_id)
            .where(PushSubscription.account_id.in_(recipients))
            .distinct()
        )
    )
    for notification in created:
        if notification.account_id in subscribed:
            queue.enqueue("push_notification", notification.id)
