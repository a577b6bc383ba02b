"""Local actors and their collections as ActivityStreams: /users/<name>[/outbox|followers|...]
and the instance actor at /actor."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, request

from fedi import urls
from fedi.activitypub import collections as colls
from fedi.activitypub.signed_fetch import authorized_fetch, require_signature_if_authorized, signer
from fedi.federation import serializers
from fedi.federation.instance_actor import get_instance_actor, is_instance_actor
from fedi.federation.serializers.common import with_context
from fedi.http.negotiation import activity_response, wants_activitypub
from fedi.models import Account, Status
from fedi.services import accounts, featured_tags, follows, relations
from fedi.services.pagination import PageParams

bp = Blueprint("activitypub_actors", __name__)

# What an unsigned request still sees of an actor under AUTHORIZED_FETCH (so keys can be fetched).
MINIMAL_KEYS = ("@context", "id", "type", "preferredUsername", "inbox", "outbox", "url",
                "publicKey", "endpoints", "manuallyApprovesFollowers")  # fmt: skip


def _account(username: str) -> Account:
    """The local account, for a request allowed to see it (signed if AUTHORIZED_FETCH)."""
    account = accounts.find_local(username)
    if account is None or is_instance_actor(account):
        abort(404)
    return account


def _authorized(account: Account) -> Account | None:
    """The signer; 401 for unsigned requests under AUTHORIZED_FETCH; 403 for blocked actors."""
    viewer = require_signature_if_authorized()
    if viewer is not None and relations.is_blocking(account.id, viewer.id):
        abort(403)
    return viewer


@bp.get("/users/<username>")
def actor(username: str):
    found = accounts.find_local(username)
    if found is not None and is_instance_actor(found):
        return redirect("/actor", code=301)
    account = _account(username)
    if not wants_activitypub(request):
        response = redirect(urls.profile_url(account.username), code=302)
        response.vary.add("Accept")
        return response
    document = serializers.actor(account)
    if signer() is None and authorized_fetch():
        document = {k: v for k, v in document.items() if k in MINIMAL_KEYS}
    return activity_response(document)


@bp.get("/actor")
def instance_actor():
    return activity_response(serializers.actor(get_instance_actor()))


@bp.get("/actor/outbox")
def instance_outbox():
    """The instance actor posts nothing: an empty collection, as Mastodon serves."""
    return activity_response(colls.collection(f"{get_instance_actor().uri}/outbox", 0))


@bp.get("/users/<username>/outbox")
def outbox(username: str):
    account = _account(username)
    _authorized(account)
    base = account.outbox_url or f"{account.uri}/outbox"
    if request.args.get("page") != "true":
        first, last = colls.page_url(base), colls.page_url(base, min_id=0)
        return activity_response(
            colls.collection(base, account.statuses_count, first=first, last=last)
        )
    max_id, min_id = (
        colls.arg_id(request.args.get("max_id")),
        colls.arg_id(request.args.get("min_id")),
    )
    rows = colls.outbox_statuses(account, max_id=max_id, min_id=min_id)
    items = [_item(s) for s in rows]
    return activity_response(
        colls.page(
            base,
            request.url,
            items,
            next_=colls.page_url(base, max_id=rows[-1].id) if rows else None,
            prev=colls.page_url(base, min_id=rows[0].id) if rows else None,
        )
    )


def _item(status: Status) -> dict[str, Any]:
    """A Create of an original, an Announce of a boost, as outbox items (no @context)."""
    activity = (
        serializers.announce(status) if status.reblog is not None else serializers.create(status)
    )
    return {k: v for k, v in activity.items() if k != "@context"}


def _relations(username: str, *, followers: bool):
    account = _account(username)
    viewer = _authorized(account)
    base = f"{account.uri}/{'followers' if followers else 'following'}"
    total = account.followers_count if followers else account.following_count
    hidden = follows.collections_hidden(account, viewer)
    if request.args.get("page") != "true":
        first = None if hidden else colls.page_url(base)
        return activity_response(colls.collection(base, total, first=first))
    if hidden:
        abort(403)
    params = PageParams(max_id=colls.arg_id(request.args.get("max_id")), limit=colls.PAGE_SIZE * 2)
    lister = follows.followers_page if followers else follows.following_page
    rows = lister(account, None, params)
    next_ = colls.page_url(base, max_id=rows[-1][0]) if len(rows) == params.limit else None
    items = [other.uri for _id_, other in rows]
    return activity_response(colls.page(base, request.url, items, next_=next_))


@bp.get("/users/<username>/followers")
def followers(username: str):
    return _relations(username, followers=True)


@bp.get("/users/<username>/following")
def following(username: str):
    return _relations(username, followers=False)


@bp.get("/users/<username>/collections/featured")
def featured(username: str):
    account = _account(username)
    _authorized(account)
    notes = [serializers.note(s, context=False) for s in colls.pinned_statuses(account)]
    base = account.featured_url or f"{account.uri}/collections/featured"
    return activity_response(
        with_context(
            {
                "id": base,
                "type": "OrderedCollection",
                "totalItems": len(notes),
                "orderedItems": notes,
            }
        )
    )


@bp.get("/users/<username>/collections/tags")
def tags(username: str):
    account = _account(username)
    _authorized(account)
    items = [
        {"type": "Hashtag", "href": urls.tag_url(view.row.tag.name), "name": f"#{view.row.name}"}
        for view in featured_tags.featured(account)
    ]
    base = account.featured_tags_url or f"{account.uri}/collections/tags"
    return activity_response(
        with_context({"id": base, "type": "Collection", "totalItems": len(items), "items": items})
    )
