"""ActivityPub's outbound operations: signed GETs of ActivityStreams documents (redirects
followed by hand, each hop checked and signed again), WebFinger, and signed POSTs of activities.
Every request goes through the guard of `safe_http`."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode, urljoin

from fedi import hosts, json_limits
from fedi.federation.instance_actor import get_instance_actor
from fedi.federation.safe_http import (
    FetchError,
    Response,
    plain_http_allowed,
    request,
    user_agent,
)
from fedi.federation.signatures import sign_headers
from fedi.services import domain_policy

AS_PROFILE = "https://www.w3.org/ns/activitystreams"
ACCEPT_AS = f'application/activity+json, application/ld+json; profile="{AS_PROFILE}"'
JSON_CAP = 1024 * 1024
ERROR_TEXT_CAP = 64 * 1024
GET_DEADLINE = 20.0
POST_DEADLINE = 30.0
MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}


@dataclass
class PostResult:
    status_code: int
    retry_after: float | None = None
    error: str | None = None


def _get_following(url: str, *, accept: str, signer, deadline: float, max_bytes: int) -> Response:
    """GET with redirects followed by hand (each hop checked and, with a signer, signed).
    Nothing is fetched from a domain this server refuses (domain_policy.refused)."""
    for _ in range(MAX_REDIRECTS + 1):
        if domain_policy.refused_url(url):
            raise FetchError(f"Not fetched: {hosts.normalize_host(url)} is blocked")
        headers = {"Accept": accept}
        if signer is not None:
            headers = sign_headers(
                method="GET",
                url=url,
                body=None,
                key_id=signer.public_key_id,
                private_key_pem=signer.private_key,
                headers=headers,
            )
        resp = request("GET", url, headers=headers, deadline=deadline, max_bytes=max_bytes)
        location = resp.headers.get("location")
        if resp.status_code not in REDIRECTS or not location:
            return resp
        url = urljoin(url, location)
    raise FetchError("Too many redirects")


def get_object(
    url: str, *, signer=None, deadline: float = GET_DEADLINE, max_bytes: int = JSON_CAP
) -> dict:
    """Fetch an ActivityStreams document; signed as `signer` or else the instance actor."""
    signer = signer if signer is not None else get_instance_actor()
    resp = _get_following(
        url, accept=ACCEPT_AS, signer=signer, deadline=deadline, max_bytes=max_bytes
    )
    if resp.status_code != 200:
        raise FetchError(f"HTTP {resp.status_code} from {resp.url}", resp.status_code)
    if not is_activitystreams(resp.headers.get("content-type", "")):
        raise FetchError(f"Not an ActivityStreams document: {resp.headers.get('content-type')}")
    document = _json(resp.body)
    doc_id = document.get("id")
    if not isinstance(doc_id, str) or not doc_id:
        raise FetchError("Document has no id")
    if hosts.normalize_host(doc_id) != hosts.normalize_host(resp.url):
        raise FetchError(f"Document id {doc_id} is not on the host it came from ({resp.url})")
    return document


def get_file(url: str, *, max_bytes: int, deadline: float = GET_DEADLINE) -> bytes:
    """Fetch a file (an image) unsigned, redirects followed, at most `max_bytes`."""
    resp = _get_following(url, accept="*/*", signer=None, deadline=deadline, max_bytes=max_bytes)
    if resp.status_code != 200:
        raise FetchError(f"HTTP {resp.status_code} from {resp.url}", resp.status_code)
    return resp.body


def is_activitystreams(content_type: str) -> bool:
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    if media == "application/activity+json":
        return True
    return media == "application/ld+json" and AS_PROFILE in params


def _json(body: bytes) -> dict:
    try:  # without NUL characters, as inbound activities: nothing could store them
        document = json_limits.loads_without_nul(body)
    except ValueError as exc:  # not JSON, or nested deeper than any real document
        raise FetchError(f"Invalid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise FetchError("JSON document is not an object")
    return document


def sign_post(inbox_url: str, body: bytes, *, signer) -> dict[str, str]:
    """The headers of a signed POST of an activity (User-Agent included)."""
    headers = sign_headers(
        method="POST",
        url=inbox_url,
        body=body,
        key_id=signer.public_key_id,
        private_key_pem=signer.private_key,
        headers={"Content-Type": "application/activity+json", "Accept": ACCEPT_AS},
    )
    return {"User-Agent": user_agent(), "Accept-Encoding": "identity", **headers}


def post_activity(
    inbox_url: str, body: bytes, *, signer, deadline: float = POST_DEADLINE
) -> PostResult:
    """Signed POST of an activity; never raises for HTTP or network errors."""
    headers = sign_post(inbox_url, body, signer=signer)
    try:
        resp = request(
            "POST",
            inbox_url,
            headers=headers,
            content=body,
            deadline=deadline,
            max_bytes=ERROR_TEXT_CAP,
        )
    except FetchError as exc:
        return PostResult(status_code=0, error=str(exc))
    return post_result(resp.status_code, resp.headers, resp.body)


def post_result(status_code: int, headers: Mapping[str, str], body: bytes) -> PostResult:
    """The outcome of a POST from its answer (`headers`: case-insensitive, or lowercased)."""
    retry_after = parse_retry_after(headers.get("retry-after"))
    error = None
    if status_code >= 300:
        error = body[:500].decode("utf-8", "replace") or f"HTTP {status_code}"
    return PostResult(status_code=status_code, retry_after=retry_after, error=error)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait, from `Retry-After: 120` or `Retry-After: <HTTP date>`."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - time.time())


def webfinger(acct: str) -> dict:
    """The JRD for `user@domain` (also `@user@domain`, `acct:user@domain`)."""
    acct = acct.strip().removeprefix("acct:").lstrip("@")
    user, _, domain = acct.rpartition("@")
    domain = hosts.normalize_host(domain)
    if not user or not domain:
        raise FetchError(f"Not an account address: {acct}")
    scheme = "http" if plain_http_allowed(domain) else "https"
    query = urlencode({"resource": f"acct:{user}@{domain}"})
    url = f"{scheme}://{domain}/.well-known/webfinger?{query}"  # vetted by the request
    resp = _get_following(
        url,
        accept="application/jrd+json, application/json",
        signer=None,
        deadline=GET_DEADLINE,
        max_bytes=JSON_CAP,
    )
    if resp.status_code != 200:
        raise FetchError(f"WebFinger: HTTP {resp.status_code} for {acct}", resp.status_code)
    return _json(resp.body)
