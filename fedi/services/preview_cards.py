"""Preview cards (Mastodon's PreviewCard): the first link of a post, fetched in a worker and
shown under it.

After a post is created or edited, locally or by a remote server, its service calls
`request_card` (after its commit): when the post has a link, the `fetch_link_card` task
(fedi/tasks/cards.py) asks `plan` what to do, fetches the page through the guarded client
(fedi/federation/link_cards.py) and hands what it found to `store`. The rules are Mastodon's
(FetchLinkCardService): the first http(s) link of the content that is not a mention or a hashtag
(by their microformat classes, `rel="tag"`, or the mentioned accounts' URLs) and not on this
server; one card per URL, shared by every post that links there and fetched again after two
weeks; an edit that changes the link changes the card. A page that gives no card (not HTML, no
title, an address we do not connect to) is remembered as such for two weeks; a fetch that fails
(network, a server error) is retried with backoff, at most `MAX_FAILURES` times.

The card image is re-encoded here (Pillow: no metadata, upright, at most Mastodon's 640x360
pixels), with its blurhash, and stored through services/media_store.py. This module fetches
nothing: it stores what the fetcher brought."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from fedi import hosts, queue
from fedi.extensions import db
from fedi.models import Account, Mention, PreviewCard, PreviewCardStatus, Status, utcnow
from fedi.models.preview_cards import URL_LIMIT, CardType
from fedi.services import media_blurhash, media_store, upsert
from fedi.text.embeds import https_iframe

REFRESH = timedelta(days=14)  # a card (or a page that gave none) is fetched again after this
MAX_FAILURES = 3  # failed fetches of a URL before it waits for REFRESH
BACKOFF = (60, 600, 3600)  # seconds before the retry after the 1st, 2nd... failure
IMAGE_PIXELS = 230_400  # 640x360, Mastodon's PreviewCard image style
MATRIX_LIMIT = 33_177_600  # larger images are refused before decoding (as uploads)
TITLE_LIMIT = 512
TEXT_LIMIT = 2000
SKIPPED_CLASSES = frozenset({"mention", "hashtag", "u-url", "h-card"})


@dataclass
class CardData:
    """What the fetcher found on a page (and its oEmbed), before it is checked and stored.
    `image`: the bytes of the picture it names, when they could be fetched."""

    title: str = ""
    description: str = ""
    type: str = "link"
    author_name: str = ""
    author_url: str = ""
    provider_name: str = ""
    provider_url: str = ""
    html: str = ""
    width: int = 0
    height: int = 0
    image_url: str = ""
    image: bytes | None = None
    image_description: str = ""
    embed_url: str = ""
    language: str | None = None
    published_at: datetime | None = None


@dataclass(frozen=True)
class Plan:
    """A link to fetch for a status."""

    status_id: int
    url: str


# -- which link ------------------------------------------------------------------------------


class _Anchors(HTMLParser):
    """The links of a post, with their text, less those its markup says are mentions or
    hashtags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (href, text)
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        self.handle_endtag("a")  # an unclosed link ends where another starts
        found = dict(attrs)
        classes = set((found.get("class") or "").split())
        rels = set((found.get("rel") or "").lower().split())
        if not (classes & SKIPPED_CLASSES or "tag" in rels):
            self._href, self._text = (found.get("href") or "").strip(), []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None

    def close(self) -> None:
        super().close()
        self.handle_endtag("a")


def first_link(content: str, skipped: set[str] | frozenset[str] = frozenset()) -> str | None:
    """The first link of a post's HTML that may get a card: http(s), with a host, not on this
    server, not a mention or hashtag (by its classes or `rel`, as Mastodon; or by its text, "#tag"
    or "@name": remote HTML reaches us sanitised, its `rel` replaced), not one of `skipped` (the
    mentioned accounts' URLs)."""
    if not content or "<a" not in content:
        return None
    parser = _Anchors()
    try:
        parser.feed(content)
        parser.close()
    except (AssertionError, ValueError):
        return None
    own = hosts.normalize_host(current_app.config["FEDI"].LOCAL_DOMAIN)
    for href, text in parser.links:
        if not href or href in skipped or len(href) > URL_LIMIT or text[:1] in ("#", "@"):
            continue
        try:
            parts = urlsplit(href)
        except ValueError:
            continue
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            continue
        if hosts.normalize_host(href) == own:
            continue
        return href
    return None


def request_card(status: Status, *, edited: bool = False) -> None:
    """After the commit of a new or edited post: fetch its card in a worker when it has a link
    (an edit always: its link may have changed or gone)."""
    if status.reblog_of_id is not None:
        return
    if edited or first_link(status.content) is not None:
        queue.enqueue("fetch_link_card", status.id)


def plan(status_id: int) -> Plan | None:
    """What the task should fetch for the status, if anything. A card already cached for its
    link is attached here; a link gone (by an edit) takes the card away."""
    status = db.session.get(Status, status_id)
    if status is None or status.deleted_at is not None or status.reblog_of_id is not None:
        return None
    mentioned = db.session.execute(
        select(Account.url, Account.uri)
        .join(Mention, Mention.account_id == Account.id)
        .where(Mention.status_id == status_id)
    ).all()
    url = first_link(status.content, {u for row in mentioned for u in row if u})
    current = db.session.get(PreviewCardStatus, status_id)
    if current is not None and current.url == url:
        return None
    if url is None:
        if current is not None:
            db.session.delete(current)
            db.session.commit()
        return None
    card = _card(url)
    if card is not None and not _due(card):
        if card.fetched_at is not None:
            _attach(status_id, card, url)
        elif current is not None:  # the new link gives no card: the old one goes
            db.session.delete(current)
        db.session.commit()
        return None
    db.session.rollback()
    return Plan(status_id, url)


def _card(url: str) -> PreviewCard | None:
    return db.session.scalar(select(PreviewCard).where(PreviewCard.url == url))


def _due(card: PreviewCard) -> bool:
    """Whether the URL is to be fetched (again): never fetched, two weeks old, or failed fewer
    than MAX_FAILURES times (the retries come with backoff)."""
    now = utcnow()
    if card.failed_at is not None:
        if card.failures >= MAX_FAILURES:
            return card.failed_at <= now - REFRESH
        return True
    return card.fetched_at is None or card.fetched_at <= now - REFRESH


def _attach(status_id: int, card: PreviewCard, url: str) -> None:
    link = db.session.get(PreviewCardStatus, status_id)
    if link is None:
        db.session.add(PreviewCardStatus(status_id=status_id, preview_card_id=card.id, url=url))
    else:
        link.preview_card_id, link.url = card.id, url


def _row(url: str) -> PreviewCard:
    """The card row of `url`, inserted when missing (another worker may insert it at once)."""
    card = _card(url)
    if card is None:
        db.session.execute(upsert.insert_ignore(PreviewCard, [{"url": url}], ["url"]))
        card = _card(url)
        assert card is not None
    return card


# -- storing what was fetched ----------------------------------------------------------------


def _clip(value: str, limit: int) -> str:
    value = " ".join((value or "").split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _http_url(value: str) -> str:
    value = (value or "").strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    ok = parts.scheme.lower() in ("http", "https") and parts.hostname and len(value) <= URL_LIMIT
    return value if ok else ""


def store(plan_: Plan, data: CardData | None) -> PreviewCard | None:
    """Keep what the fetcher found for the plan's URL and show it under the status. `None`:
    the page gives no card (not HTML, no title): remembered, not retried for two weeks."""
    card = _row(plan_.url)
    now = utcnow()
    if data is None or not (data.title.strip() or data.html):
        card.failed_at, card.failures = now, MAX_FAILURES
        db.session.commit()
        return None
    own = current_app.config["FEDI"].LOCAL_DOMAIN
    html = https_iframe(data.html, own_host=own) if data.type in ("video", "rich") else ""
    kind = data.type if html else ("photo" if data.type == "photo" else "link")
    card.type = CardType(kind)
    card.html = html
    card.title = _clip(data.title, TITLE_LIMIT)
    card.description = _clip(data.description, TEXT_LIMIT)
    card.author_name = _clip(data.author_name, TITLE_LIMIT)
    card.author_url = _http_url(data.author_url)
    card.provider_name = _clip(data.provider_name, TITLE_LIMIT)
    card.provider_url = _http_url(data.provider_url)
    card.embed_url = _http_url(data.embed_url) if kind == "photo" else ""
    card.image_description = _clip(data.image_description, TEXT_LIMIT)
    card.language = (data.language or "")[:16] or None
    card.published_at = data.published_at
    card.width = data.width if html and 0 < data.width <= 4096 else 0
    card.height = data.height if html and 0 < data.height <= 4096 else 0
    _store_image(card, data)
    card.fetched_at, card.failed_at, card.failures = now, None, 0
    _attach(plan_.status_id, card, plan_.url)
    db.session.commit()
    return card


def _store_image(card: PreviewCard, data: CardData) -> None:
    """Re-encode the card's picture (no metadata, upright, at most IMAGE_PIXELS) with its
    blurhash; a link card takes the picture's size. A picture that is not one is left out."""
    old = card.image_path
    card.image_remote_url = _http_url(data.image_url) or None
    card.image_path, card.blurhash = None, None
    picture = _picture(data.image) if data.image else None
    if picture is not None:
        encoded, ext = _encode(picture)
        if card.id is None:
            db.session.flush()
        card.image_path = f"preview_cards/{card.id}/{secrets.token_hex(16)}.{ext}"
        media_store.put(card.image_path, encoded, f"image/{ext}")
        card.blurhash = media_blurhash.encode(picture)
        if not card.html:
            card.width, card.height = picture.size
    if old and old != card.image_path:
        media_store.delete(old)


def _picture(data: bytes) -> Image.Image | None:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ("JPEG", "PNG", "GIF", "WEBP"):
                return None
            if probe.width * probe.height > MATRIX_LIMIT:
                return None
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()  # the first frame of an animation
        image = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if alpha else "RGB")
    if image.width * image.height > IMAGE_PIXELS:
        ratio = (IMAGE_PIXELS / (image.width * image.height)) ** 0.5
        size = (max(1, int(image.width * ratio)), max(1, int(image.height * ratio)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return image


def _encode(image: Image.Image) -> tuple[bytes, str]:
    """PNG where there is transparency, else JPEG; saved without any of the original's
    metadata (EXIF, ICC, comments)."""
    out = io.BytesIO()
    if image.mode == "RGBA":
        image.save(out, "PNG", optimize=True)
        return out.getvalue(), "png"
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), "jpeg"


def record_failure(plan_: Plan, *, permanent: bool = False) -> None:
    """A fetch of the plan's URL failed: retried later with backoff, at most MAX_FAILURES
    times; `permanent` (an address we never connect to): not before two weeks."""
    card = _row(plan_.url)
    card.failed_at = utcnow()
    card.failures = MAX_FAILURES if permanent else min(card.failures + 1, MAX_FAILURES)
    failures = card.failures
    db.session.commit()
    if failures < MAX_FAILURES:
        queue.enqueue("fetch_link_card", plan_.status_id, delay=BACKOFF[failures - 1])
