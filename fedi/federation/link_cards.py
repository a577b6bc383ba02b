"""Fetching a link's preview card: the page (HTML only, its first `HTML_CAP` bytes), its
OpenGraph and Twitter meta tags, <title> and meta description (read with html.parser, never
with patterns), the oEmbed document it names (<link rel="alternate"
type="application/json+oembed">) and the picture of the card, all through the guarded client
(safe_http: public addresses only, deadlines, capped answers, redirects checked hop by hop).

`fetch(url)` answers the services' CardData, None when the page gives no card (not found, not
HTML), or raises FetchError (UnsafeURL for an address we never connect to) when it could not be
fetched. What to keep of it, and how, is services/preview_cards.py's business."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin

from fedi import json_limits
from fedi.federation.safe_http import FetchError, Response, budget, request, user_agent
from fedi.services.preview_cards import CardData

HTML_CAP = 1024 * 1024  # bytes of a page read: its head is at the start
OEMBED_CAP = 256 * 1024
IMAGE_CAP = 2 * 1024 * 1024  # Mastodon's PreviewCard image limit
DEADLINE = 10.0  # seconds for each request
BUDGET = 25.0  # seconds for the page, its oEmbed and its picture together
MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}
RETRIED = {408, 425, 429, 500, 502, 503, 504}  # answers worth trying again later
HTML_TYPES = ("text/html", "application/xhtml+xml")
OEMBED_TYPES = ("application/json+oembed", "text/json+oembed")


def _get(url: str, accept: str, max_bytes: int, *, truncate: bool = False) -> Response:
    """GET with redirects followed by hand (each hop checked again by the guard)."""
    headers = {"Accept": accept, "User-Agent": f"{user_agent()} Bot"}
    for _ in range(MAX_REDIRECTS + 1):
        resp = request(
            "GET", url, headers=headers, deadline=DEADLINE, max_bytes=max_bytes, truncate=truncate
        )
        location = resp.headers.get("location")
        if resp.status_code not in REDIRECTS or not location:
            return resp
        url = urljoin(url, location)
    raise FetchError("Too many redirects")


def _media_type(resp: Response) -> str:
    return resp.headers.get("content-type", "").partition(";")[0].strip().lower()


def _checked(resp: Response) -> bool:
    """True for a 200; False for an answer that gives no card; FetchError for one worth
    retrying (a server error, too many requests)."""
    if resp.status_code in RETRIED:
        raise FetchError(f"HTTP {resp.status_code} from {resp.url}", resp.status_code)
    return resp.status_code == 200


def fetch(url: str) -> CardData | None:
    with budget(BUDGET):
        resp = _get(url, "text/html, application/xhtml+xml;q=0.9", HTML_CAP, truncate=True)
        if not _checked(resp) or _media_type(resp) not in HTML_TYPES:
            return None
        page = _Page()
        try:
            page.feed(_decode(resp))
            page.close()
        except (AssertionError, ValueError):  # html.parser gives up on some broken input
            pass
        data = _from_page(page, resp.url)
        if page.oembed:
            _add_oembed(data, urljoin(resp.url, page.oembed))
        if data.image_url:
            data.image = _picture(data.image_url)
        return data


# -- the page --------------------------------------------------------------------------------


class _Page(HTMLParser):
    """The meta tags (by `property` and by `name`), the first <title>, the oEmbed link and the
    document's language."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title: str | None = None
        self.oembed = ""
        self.lang = ""
        self._in_title = False
        self._title: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            content = found.get("content", "")
            for key in (found.get("property", ""), found.get("name", "")):
                key = key.strip().lower()
                if key and content and key not in self.meta:
                    self.meta[key] = content
        elif tag == "title" and self.title is None:
            self._in_title = True
        elif tag == "link" and not self.oembed:
            rels = found.get("rel", "").lower().split()
            if "alternate" in rels and found.get("type", "").strip().lower() in OEMBED_TYPES:
                self.oembed = found.get("href", "").strip()
        elif tag == "html" and found.get("lang"):
            self.lang = found["lang"]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self.title = "".join(self._title)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)


def _decode(resp: Response) -> str:
    """The page as text: the charset of its Content-Type, else of its first bytes' <meta
    charset>, else UTF-8 (undecodable bytes replaced)."""
    charset = ""
    for param in resp.headers.get("content-type", "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'")
    if not charset:
        head = resp.body[:2048].decode("ascii", "replace").lower()
        at = head.find("charset=")
        if at >= 0:
            value = head[at + 8 :].lstrip("\"' ")
            charset = "".join(c for c in value[:40] if c.isalnum() or c in "-_")
    try:
        codecs.lookup(charset or "utf-8")
    except LookupError:
        charset = "utf-8"
    return resp.body.decode(charset or "utf-8", "replace")


def _int(value: object) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        return 0
    return number if number > 0 else 0


def _time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _from_page(page: _Page, url: str) -> CardData:
    meta = page.meta

    def first(*keys: str) -> str:
        return next((meta[k].strip() for k in keys if meta.get(k, "").strip()), "")

    image = first("og:image", "og:image:url", "og:image:secure_url", "twitter:image")
    language = first("og:locale").replace("_", "-").split("-")[0] or page.lang.split("-")[0]
    return CardData(
        title=first("og:title", "twitter:title") or (page.title or "").strip(),
        description=first("og:description", "twitter:description", "description"),
        provider_name=first("og:site_name"),
        author_name=first("author", "article:author"),
        image_url=urljoin(url, image) if image else "",
        image_description=first("og:image:alt", "twitter:image:alt"),
        language=language.lower() or None,
        published_at=_time(first("article:published_time")) if meta else None,
    )


# -- oEmbed ----------------------------------------------------------------------------------


def _add_oembed(data: CardData, endpoint: str) -> None:
    """What the oEmbed document adds (its title, author, provider, type, player and picture);
    a document that cannot be had adds nothing."""
    try:
        resp = _get(endpoint, "application/json", OEMBED_CAP)
        if resp.status_code != 200:
            return
        embed = json_limits.loads_without_nul(resp.body)
    except (FetchError, ValueError):
        return
    if not isinstance(embed, dict):
        return

    def text(key: str) -> str:
        value = embed.get(key)
        return value.strip() if isinstance(value, str) else ""

    def link(key: str) -> str:
        value = text(key)
        return urljoin(resp.url, value) if value else ""

    kind = text("type")
    if kind not in ("link", "photo", "video", "rich"):
        return
    data.title = text("title") or data.title
    data.author_name = text("author_name") or data.author_name
    data.author_url = link("author_url") or data.author_url
    data.provider_name = text("provider_name") or data.provider_name
    data.provider_url = link("provider_url") or data.provider_url
    data.image_url = link("thumbnail_url") or data.image_url
    if kind == "photo" and link("url"):
        data.type, data.embed_url = "photo", link("url")
        data.image_url = data.embed_url
    elif kind in ("video", "rich") and text("html"):
        data.type, data.html = kind, text("html")
        data.width, data.height = _int(embed.get("width")), _int(embed.get("height"))


# -- the picture -----------------------------------------------------------------------------


def _picture(url: str) -> bytes | None:
    """The card's picture (an image/* answer within IMAGE_CAP), or None."""
    try:
        resp = _get(url, "image/*", IMAGE_CAP)
    except FetchError:
        return None
    if resp.status_code != 200 or not _media_type(resp).startswith("image/"):
        return None
    return resp.body
