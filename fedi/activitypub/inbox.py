"""The inboxes: `POST /inbox` (shared) and `POST /users/<username>/inbox`.

Back-pressure first (a full queue: 503, a remote host over its budget: 429, both with
Retry-After and nothing stored; see `fedi/federation/inbox.py`), then the size limit, JSON parse,
HTTP signature, and the signer must be the activity's actor; then the activity is stored and
answered 202, and processed in a task. Activities of suspended actors are accepted and dropped,
as Mastodon does. An activity whose actor is on a refused domain (a suspended domain, or one not
allowed in limited federation mode: services/domain_policy.py) is answered 403 before the
signature is checked or anything stored: unlike Mastodon's silent 202, the sender learns at
once that this server takes nothing from it, and gives up instead of retrying.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request

from fedi import hosts, json_limits
from fedi.federation import inbox, resolve, signatures, signers
from fedi.models import Account
from fedi.services import accounts, domain_policy, remote

log = logging.getLogger(__name__)

bp = Blueprint("activitypub_inbox", __name__)

MAX_BODY = 1024 * 1024


def _answer(code: int, message: str = "") -> Response:
    return Response(message, status=code, mimetype="text/plain")


def _later(code: int, seconds: int, message: str) -> Response:
    response = _answer(code, message)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.post("/inbox")
def shared_inbox() -> Response:
    return _receive(None)


@bp.post("/users/<username>/inbox")
def user_inbox(username: str) -> Response:
    recipient = accounts.find_local(username)
    if recipient is None or recipient.suspended_at is not None:
        return _answer(404, "Not found")
    return _receive(recipient)


def _body() -> bytes | None:
    """The request body, or None when it is over MAX_BODY (read no further than that)."""
    if (request.content_length or 0) > MAX_BODY:
        return None
    chunks, size = [], 0
    while size <= MAX_BODY:
        chunk = request.stream.read(MAX_BODY + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return None if size > MAX_BODY else b"".join(chunks)


def _parse(body: bytes) -> dict | None:
    try:  # NUL characters are dropped: PostgreSQL's text and JSONB cannot store them
        activity = json_limits.loads_without_nul(body)
    except ValueError:  # not JSON, or nested deeper than any activity
        return None
    if not isinstance(activity, dict):
        return None
    remote.normalize_types(activity)  # `["Create"]`, an object typed `["Note"]`: one string
    if not isinstance(activity.get("type"), str):
        return None
    return activity if remote.ref(activity.get("actor")) else None


def _receive(recipient: Account | None) -> Response:
    settings = current_app.config["FEDI"]
    if inbox.backlog_full(settings.INBOX_QUEUE_LIMIT):
        return _later(503, inbox.QUEUE_FULL_RETRY_AFTER, "Too many activities waiting")
    body = _body()
    if body is None:
        return _answer(413, "Payload too large")
    activity = _parse(body)
    if activity is None:
        return _answer(400, "Not an activity")
    actor_uri = remote.ref(activity.get("actor")) or ""
    host, budget = hosts.normalize_host(actor_uri), _host_budget(settings)
    if domain_policy.refused(host):
        return _answer(403, "This server does not federate with yours")
    if budget and (wait := inbox.host_wait(host, *budget)) is not None:
        return _later(429, wait, "Too many activities from this host")
    if _gone_actor_deleting_itself(activity, actor_uri):
        return _answer(202)
    path = request.full_path if request.query_string else request.path
    found: dict[str, signers.Signer | None] = {}

    def public_key(key_id: str, refresh: bool) -> str | None:
        found[key_id] = signer = signers.lookup(key_id, refresh)
        return signer.public_key if signer is not None else None

    try:
        key_id = signatures.verify_request(
            method=request.method, path=path, headers=request.headers, body=body,
            get_public_key=public_key, scheme=request.scheme,
        )  # fmt: skip
    except signatures.SignatureError as exc:
        log.info("inbox: signature rejected for %s: %s", actor_uri, exc)
        return _answer(401, "Signature verification failed")
    signer = found.get(key_id)
    if signer is None or signer.local or signer.uri != actor_uri:
        return _answer(401, "The signer is not the actor")
    if budget:
        inbox.count_host(host, budget[1])
    if signer.suspended:
        return _answer(202)
    inbox.receive(activity, recipient)
    return _answer(202)


def _host_budget(settings) -> tuple[int, int] | None:
    """(limit, period) of the per-host budget, or None when there is none."""
    if settings.RATE_LIMIT_ENABLED and settings.INBOX_HOST_LIMIT > 0:
        return settings.INBOX_HOST_LIMIT, settings.INBOX_HOST_PERIOD
    return None


def _gone_actor_deleting_itself(activity: dict, actor_uri: str) -> bool:
    """A Delete of an actor we never knew: nothing to do, and its key is gone with it, so it
    is accepted without a fetch (Mastodon does the same)."""
    return (
        activity.get("type") == "Delete"
        and remote.ref(activity.get("object")) == actor_uri
        and resolve.find_account_by_uri(actor_uri) is None
    )
