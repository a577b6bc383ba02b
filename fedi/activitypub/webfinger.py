"""WebFinger (RFC 7033) for local accounts and the instance actor, and host-meta (XRD, JSON)."""

from __future__ import annotations

import mimetypes
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import quoteattr

from flask import Blueprint, Response, abort, request

from fedi import urls
from fedi.federation.instance_actor import get_instance_actor, is_instance_actor
from fedi.http.json import json_response
from fedi.models import Account
from fedi.services import accounts

bp = Blueprint("activitypub_webfinger", __name__)
CORS = {"Access-Control-Allow-Origin": "*"}
JRD = "application/jrd+json; charset=utf-8"
PROFILE_PAGE = "http://webfinger.net/rel/profile-page"
SUBSCRIBE = "http://ostatus.org/schema/1.0/subscribe"
AVATAR = "http://webfinger.net/rel/avatar"


def _same_host(host: str) -> bool:
    return host.lower().rstrip(".") == urls.local_domain().lower().rstrip(".")


def _from_acct(resource: str) -> Account | None:
    value = resource[5:] if resource.lower().startswith("acct:") else resource
    username, sep, domain = unquote(value).lstrip("@").rpartition("@")
    if not sep or not username or not _same_host(domain):
        return None
    if _same_host(username):
        return get_instance_actor()
    return accounts.find_local(username)


def _from_url(resource: str) -> Account | None:
    parts = urlsplit(resource)
    if not _same_host(parts.netloc):
        return None
    path = parts.path.rstrip("/")
    if path == "/actor" or (path == "/about/more" and "instance_actor" in parts.query):
        return get_instance_actor()
    for prefix in ("/users/", "/@"):
        if path.startswith(prefix) and "/" not in path[len(prefix) :]:
            return accounts.find_local(unquote(path[len(prefix) :]))
    return None


def find(resource: str) -> Account | None:
    """The local account a WebFinger resource names (acct:, bare user@domain, or a URL)."""
    if resource.lower().startswith(("http://", "https://")):
        return _from_url(resource)
    return _from_acct(resource)


def jrd(account: Account) -> dict[str, object]:
    profile = account.url or urls.profile_url(account.username)
    links: list[dict[str, str]] = [
        {"rel": PROFILE_PAGE, "type": "text/html", "href": profile},
        {"rel": "self", "type": "application/activity+json", "href": account.uri},
    ]
    if not is_instance_actor(account):
        template = f"{urls.base_url()}/authorize_interaction?uri={{uri}}"
        links.append({"rel": SUBSCRIBE, "template": template})
        avatar = urls.media_url(account.avatar_file, account.avatar_remote_url)
        if avatar:
            mime = mimetypes.guess_type(avatar)[0] or "image/png"
            links.append({"rel": AVATAR, "type": mime, "href": avatar})
    aliases = [account.uri] if is_instance_actor(account) else [profile, account.uri]
    return {
        "subject": f"acct:{account.username}@{urls.local_domain()}",
        "aliases": aliases,
        "links": links,
    }


@bp.get("/.well-known/webfinger")
def webfinger():
    resource = (request.args.get("resource") or "").strip()
    if not resource:
        abort(400)
    account = find(resource)
    if account is None or account.suspended_at is not None:
        return json_response({"error": "Record not found"}, status=404, headers=CORS)
    response = json_response(jrd(account), headers=CORS)
    response.headers["Content-Type"] = JRD
    response.vary.add("Accept")
    return response


def _template() -> str:
    return f"{urls.base_url()}/.well-known/webfinger?resource={{uri}}"


@bp.get("/.well-known/host-meta")
def host_meta():
    if request.accept_mimetypes.best_match(["application/xrd+xml", "application/json"]) == (
        "application/json"
    ) and "json" in request.headers.get("Accept", ""):
        return host_meta_json()
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template={quoteattr(_template())}/>\n'
        "</XRD>\n"
    )
    response = Response(body, headers=CORS, content_type="application/xrd+xml; charset=utf-8")
    response.vary.add("Accept")
    return response


@bp.get("/.well-known/host-meta.json")
def host_meta_json():
    return json_response({"links": [{"rel": "lrdd", "template": _template()}]}, headers=CORS)
