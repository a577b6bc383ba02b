"""Web Push: the instance's VAPID keys, subscriptions (client API and web UI share one model),
which subscriptions want a notification, and queueing it (fedi/federation/web_push.py sends).

The VAPID keypair comes from VAPID_PRIVATE_KEY / VAPID_PUBLIC_KEY in the environment, else from
`instance/vapid_private.pem` (generated on first use).
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from sqlalchemy import delete, select

from fedi import queue
from fedi.errors import NotFound, Unprocessable
from fedi.extensions import db
from fedi.models import Account, Notification, PushSubscription
from fedi.models.push import ALERT_TYPES, POLICIES

KEY_FILE = "vapid_private.pem"
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
    web_session_id: int | None = None,
) -> PushSubscription:
    """Create or replace the subscription of `token_id` (client API: one per token) or, for the
    web UI (no token), of this browser's endpoint, which ends with `web_session_id`."""
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
        web_session_id=web_session_id if token_id is None else None,
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


def wanted(notification_id: int) -> list[int]:
    """Ids of the recipient's subscriptions that want this notification (none once it is gone)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        return []
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
