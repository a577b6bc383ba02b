"""RSS 2.0 feeds of public posts: `/@user.rss` (a local account's) and `/tags/<name>.rss`.

Built with ElementTree, so every text and attribute is escaped by the XML writer; the
description carries the post's (already safe) HTML as escaped text, as RSS readers expect.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app

from fedi import urls
from fedi.models import MediaAttachment, Status
from fedi.services import accounts, status_listings
from fedi.web import context

bp = Blueprint("web_feeds", __name__)
CONTENT_TYPE = "application/rss+xml; charset=utf-8"


def _text(parent: ET.Element, tag: str, value: str, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    element.text = value
    return element


def _item(channel: ET.Element, status: Status, media_rows: Sequence[MediaAttachment]) -> None:
    item = ET.SubElement(channel, "item")
    link = status.url or status.uri
    _text(item, "guid", link, isPermaLink="true")
    _text(item, "link", link)
    _text(item, "pubDate", format_datetime(status.created_at, usegmt=True))
    body = status.content
    if status.spoiler_text:
        body = f"<p>Content warning: {status.spoiler_text}</p>{body}"
        _text(item, "title", status.spoiler_text)
    _text(item, "description", body)
    for media in media_rows:
        url = urls.media_url(media.file_path, media.remote_url)
        if url:
            kind = media.file_content_type or "application/octet-stream"
            attrib = {"url": url, "type": kind, "length": str(media.file_size or 0)}
            ET.SubElement(item, "enclosure", attrib)


def _feed(*, title: str, link: str, description: str, image: str | None,
          statuses: Sequence[Status]) -> Response:  # fmt: skip
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", title)
    _text(channel, "link", link)
    _text(channel, "description", description)
    _text(channel, "generator", "Wren")
    if statuses:
        _text(channel, "lastBuildDate", format_datetime(statuses[0].created_at, usegmt=True))
    if image:
        img = ET.SubElement(channel, "image")
        _text(img, "url", image)
        _text(img, "title", title)
        _text(img, "link", link)
    ctx = context.page_context(None, statuses)
    for status in statuses:
        _item(channel, status, ctx.media_for(status))
    body = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    response = Response(body, content_type=CONTENT_TYPE)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/@<username>.rss")
def profile(username: str):
    account = accounts.get_local(username)
    status_listings.profile_account(account.username)  # unlisted or suspended: 404
    name = context.display_name(account)
    return _feed(
        title=f"{name} (@{account.username}@{urls.local_domain()})",
        link=urls.profile_url(account.username),
        description=f"Public posts from @{account.username}@{urls.local_domain()}",
        image=context.avatar_url(account),
        statuses=status_listings.profile_feed(account),
    )


@bp.get("/tags/<name>.rss")
def tag(name: str):
    found, statuses = status_listings.tag_feed(name)
    title = current_app.config["FEDI"].INSTANCE_TITLE
    return _feed(
        title=f"#{found.display_name}",
        link=urls.tag_url(found.name),
        description=f"Public posts tagged #{found.display_name} on {title}",
        image=None,
        statuses=statuses,
    )
