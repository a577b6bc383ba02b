"""Remote statuses from Note objects (and the other types Mastodon shows as posts: a Question
with its poll (services/remote/polls.py), an Article, Page or Event as its name and a link, an
Image, Video or Audio as its name with the media as an attachment): create, edit with history,
delete."""

from __future__ import annotations

import html
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from fedi import queue
from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import (
    Account,
    Conversation,
    MediaAttachment,
    MediaType,
    Mention,
    ProcessingState,
    Status,
    StatusTag,
    Visibility,
    utcnow,
)
from fedi.services import counters, domain_policy, preview_cards, status_edits, statuses, tags
from fedi.services.remote import emojis, polls
from fedi.services.remote.common import (
    MAX_ATTACHMENTS,
    MAX_HTML,
    MAX_MENTIONS,
    MAX_NAME,
    MAX_SUMMARY,
    MAX_TAGS,
    PUBLIC,
    as_list,
    parse_time,
    plain,
    ref,
    text,
    url,
)
from fedi.text.sanitize import sanitize_remote_html

TITLED_TYPES = frozenset({"Article", "Page", "Event", "Image", "Video", "Audio"})
# An object that is itself a medium: its `url` is the media file (or Links to it), shown as the
# status' first attachment.
MEDIA_OBJECTS = {"Image": MediaType.IMAGE, "Video": MediaType.VIDEO, "Audio": MediaType.AUDIO}


def visibility_of(obj: dict[str, Any], author: Account) -> Visibility:
    """public if as:Public is in `to`, unlisted if in `cc`, private if the author's followers
    are addressed, else direct."""
    to = {ref(x) for x in as_list(obj.get("to"))}
    cc = {ref(x) for x in as_list(obj.get("cc"))}
    if to & PUBLIC:
        return Visibility.PUBLIC
    if cc & PUBLIC:
        return Visibility.UNLISTED
    if author.followers_url and author.followers_url in to | cc:
        return Visibility.PRIVATE
    return Visibility.DIRECT


def _language(obj: dict[str, Any]) -> tuple[str | None, Any]:
    """(language, content) from `contentMap`; else the language PeerTube and Lemmy give as
    `{"identifier": "fr", "name": "Français"}`."""
    content_map = obj.get("contentMap")
    if isinstance(content_map, dict) and content_map:
        language, mapped = next(iter(content_map.items()))
        ok = isinstance(language, str) and statuses.LANGUAGE_RE.match(language)
        return (language if ok else None), mapped
    given = obj.get("language")
    code = given.get("identifier") if isinstance(given, dict) else None
    ok = isinstance(code, str) and statuses.LANGUAGE_RE.match(code)
    return (code if ok else None), None


def _markdown(body: str) -> str:
    """Markdown sent as the content (PeerTube's video descriptions): shown as escaped text,
    one paragraph per blank-line-separated block."""
    blocks = [b.strip() for b in body.replace("\r\n", "\n").split("\n\n") if b.strip()]
    paragraphs = (html.escape(b).replace("\n", "<br>") for b in blocks)
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _media_type(mime: str) -> MediaType:
    kinds = {"image": MediaType.IMAGE, "video": MediaType.VIDEO, "audio": MediaType.AUDIO}
    return kinds.get(mime.split("/")[0], MediaType.UNKNOWN)


def _links(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """(href, media type) of each URL in `url`: a string, a Link, or a list of either."""
    out = []
    for item in as_list(obj.get("url"))[:MAX_TAGS]:
        href = url(item.get("href") if isinstance(item, dict) else item)
        mime = text(item.get("mediaType"), MAX_NAME) if isinstance(item, dict) else ""
        if href:
            out.append((href, mime))
    return out


def _page_url(obj: dict[str, Any]) -> str | None:
    """The object's web page: the `text/html` Link of its `url`, else its first URL that is
    not a media file (an Image's bare `url` is the image itself)."""
    links = _links(obj)
    media_object = obj.get("type") in MEDIA_OBJECTS
    html_link = next((h for h, mime in links if mime == "text/html"), None)
    other = (h for h, mime in links if _media_type(mime) == MediaType.UNKNOWN and not media_object)
    return html_link or next(other, None)


def _media_link(obj: dict[str, Any]) -> tuple[str, str, MediaType] | None:
    """(URL, media type, kind) of the medium an Image, Video or Audio object is: its first Link
    of its own kind, else of any media kind, else a bare URL (typed by the object)."""
    kind = MEDIA_OBJECTS.get(obj.get("type") or "")
    if kind is None:
        return None
    links = _links(obj)
    typed = [(h, m) for h, m in links if _media_type(m) != MediaType.UNKNOWN]
    untyped = [(h, text(obj.get("mediaType"), MAX_NAME)) for h, m in links if not m]
    own = [(h, m) for h, m in typed if _media_type(m) == kind]
    found = (own or typed or untyped or [None])[0]
    if found is None:
        return None
    href, mime = found
    return href, mime, kind if _media_type(mime) == MediaType.UNKNOWN else _media_type(mime)


def _titled(obj: dict[str, Any], body: str) -> str:
    name = html.escape(plain(obj.get("name"), MAX_NAME))
    title = f"<p><strong>{name}</strong></p>" if name else ""
    link = _page_url(obj) or (None if obj.get("type") in MEDIA_OBJECTS else obj["id"])
    if not body and obj.get("type") != "Article":
        body = text(obj.get("summary"), MAX_HTML)
    if link is None:
        return f"{title}{body}"
    link = html.escape(link)
    return f'{title}{body}<p><a href="{link}">{link}</a></p>'


def content_of(obj: dict[str, Any]) -> tuple[str, str | None]:
    """Sanitised HTML and language of a status object."""
    language, mapped = _language(obj)
    content = obj.get("content") if isinstance(obj.get("content"), str) else mapped
    body = text(content, MAX_HTML)
    if obj.get("mediaType") == "text/markdown":
        body = _markdown(body)
    if obj.get("type") in TITLED_TYPES:
        body = _titled(obj, body)
    return sanitize_remote_html(body), language


def _spoiler(obj: dict[str, Any]) -> str:
    return plain(obj.get("summary"), MAX_SUMMARY) if obj.get("type") not in TITLED_TYPES else ""


def _coordinate(focus: Any, index: int) -> float | None:
    value = focus[index] if isinstance(focus, list) and len(focus) > index else None
    return float(value) if isinstance(value, int | float) and -1 <= value <= 1 else None


def _dimensions(item: dict[str, Any]) -> dict[str, Any]:
    width, height = item.get("width"), item.get("height")
    if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
        return {"original": {"width": width, "height": height}}
    return {}


def _attachments(obj: dict[str, Any], status: Status, *, links_only: bool = False) -> None:
    """Remote media are referenced by URL (caching them comes with the media work). An Image,
    Video or Audio object is its own first attachment. `links_only` (a domain whose media are
    rejected): each becomes a plain link, type unknown, without preview or blurhash."""
    items = [a for a in as_list(obj.get("attachment")) if isinstance(a, dict) and url(a.get("url"))]
    medium = _media_link(obj)
    if medium is not None:
        href, mime, kind = medium
        db.session.add(
            MediaAttachment(
                id=new_id(), account_id=status.account_id, status_id=status.id,
                type=MediaType.UNKNOWN if links_only else kind, position=0, remote_url=href,
                file_content_type=mime or None, meta=_dimensions(obj),
                blurhash=None if links_only else text(obj.get("blurhash"), 255) or None,
                processing=ProcessingState.DONE,
            )
        )  # fmt: skip
    first = 0 if medium is None else 1
    for position, item in enumerate(items[: MAX_ATTACHMENTS - first], start=first):
        mime = text(item.get("mediaType"), MAX_NAME)
        kind = _media_type(mime)
        if kind == MediaType.UNKNOWN:  # no media type: an Image, Video or Audio says what it is
            kind = MEDIA_OBJECTS.get(str(item.get("type")), MediaType.UNKNOWN)
        db.session.add(
            MediaAttachment(
                id=new_id(), account_id=status.account_id, status_id=status.id,
                type=MediaType.UNKNOWN if links_only else kind, position=position,
                remote_url=url(item.get("url")),
                file_content_type=mime or None,
                description=text(item.get("name") or item.get("summary"), 1500) or None,
                blurhash=None if links_only else text(item.get("blurhash"), 255) or None,
                focus_x=_coordinate(item.get("focalPoint"), 0),
                focus_y=_coordinate(item.get("focalPoint"), 1),
                meta=_dimensions(item), processing=ProcessingState.DONE,
            )
        )  # fmt: skip


def _addressed(obj: dict[str, Any]) -> dict[str, bool]:
    """Mentioned (Mention tags: shown) and merely addressed (to/cc: silent) actor URIs."""
    hrefs: dict[str, bool] = {}
    for tag in as_list(obj.get("tag"))[: MAX_TAGS + MAX_MENTIONS]:
        if isinstance(tag, dict) and tag.get("type") == "Mention" and url(tag.get("href")):
            hrefs[url(tag.get("href"))] = False
    for address in as_list(obj.get("to")) + as_list(obj.get("cc")):
        if ref(address) and ref(address) not in PUBLIC:
            hrefs.setdefault(ref(address), True)
    return dict(list(hrefs.items())[:MAX_MENTIONS])


def _mentions(obj: dict[str, Any], status: Status) -> list[int]:
    """Mention rows for the known accounts the object mentions or addresses; returns the ids
    newly added."""
    hrefs = _addressed(obj)
    existing = set(
        db.session.scalars(select(Mention.account_id).where(Mention.status_id == status.id))
    )
    rows = db.session.execute(
        select(Account.id, Account.uri, Account.url).where(
            Account.uri.in_(list(hrefs)) | Account.url.in_(list(hrefs))
        )
    )
    added: list[int] = []
    for account_id, uri, profile in rows:
        if account_id in existing or account_id == status.account_id:
            continue
        existing.add(account_id)
        silent = hrefs.get(uri, True) and hrefs.get(profile or "", True)
        db.session.add(
            Mention(id=new_id(), status_id=status.id, account_id=account_id, silent=silent)
        )
        added.append(account_id)
    return added


def _hashtags(obj: dict[str, Any], status: Status) -> None:
    names = [
        t["name"].lstrip("#")
        for t in as_list(obj.get("tag"))
        if isinstance(t, dict) and t.get("type") == "Hashtag" and isinstance(t.get("name"), str)
    ]
    tags.attach(status, names[:MAX_TAGS])


def _conversation(obj: dict[str, Any], parent: Status | None) -> int:
    if parent is not None and parent.conversation_id is not None:
        return parent.conversation_id
    uri = ref(obj.get("context")) or ref(obj.get("conversation"))
    found = db.session.scalar(select(Conversation).where(Conversation.uri == uri)) if uri else None
    if found is None:
        found = Conversation(id=new_id(), uri=uri)
        db.session.add(found)
        db.session.flush()
    return found.id


def _new_status(obj: dict[str, Any], author: Account, parent: Status | None) -> Status:
    content, language = content_of(obj)
    published = min(parse_time(obj.get("published")) or utcnow(), utcnow())
    spoiler = _spoiler(obj)
    status = Status(
        id=new_id(published), uri=obj["id"], url=_page_url(obj) or obj["id"],
        account_id=author.id, content=content, spoiler_text=spoiler, local=False,
        sensitive=obj.get("sensitive") is True or bool(spoiler), language=language,
        visibility=visibility_of(obj, author), in_reply_to_uri=ref(obj.get("inReplyTo")),
        created_at=published,
    )  # fmt: skip
    if parent is not None:
        status.in_reply_to_id, status.in_reply_to_account_id = parent.id, parent.account_id
    status.conversation_id = _conversation(obj, parent)
    return status


def create_status(
    obj: dict[str, Any], *, author: Account, parent: Status | None = None
) -> Status | None:
    """Store a remote status with its mentions, hashtags and media, then fan it out (home
    feeds of local followers, mention notifications, live streams)."""
    status = _new_status(obj, author, parent)
    db.session.add(status)
    try:
        db.session.flush()
    except IntegrityError:  # stored meanwhile by another worker
        db.session.rollback()
        return db.session.scalar(select(Status).where(Status.uri == obj["id"]))
    _mentions(obj, status)
    _hashtags(obj, status)
    _attachments(obj, status, links_only=domain_policy.rejects_media(author.domain))
    polls.attach(obj, status)
    emojis.store(obj, domain=author.domain)
    counters.bump(Account, author.id, "statuses_count", 1)
    author.last_status_at = max(author.last_status_at or status.created_at, status.created_at)
    if parent is not None and status.visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
        counters.bump(Status, parent.id, "replies_count", 1)
    db.session.commit()
    queue.enqueue("fan_out_status", status.id)
    preview_cards.request_card(status)
    return status


def update_status(status: Status, obj: dict[str, Any]) -> bool:
    """Apply the author's edit with history; mentions and hashtags follow the new version; a
    Question's counts are taken whether or not it was edited. False when nothing changed."""
    content, language = content_of(obj)
    spoiler = _spoiler(obj)
    edited = min(parse_time(obj.get("updated")) or utcnow(), utcnow())
    if polls.refresh(obj, status):
        db.session.commit()
    if status.edited_at is not None and edited <= status.edited_at:
        return False  # an older edit arriving late (or only new counts)
    emojis.store(obj, domain=status.account.domain)
    changed = status_edits.apply_remote_edit(
        status=status, content=content, spoiler_text=spoiler, language=language,
        sensitive=obj.get("sensitive") is True or bool(spoiler), edited_at=edited,
    )  # fmt: skip
    if not changed:
        db.session.commit()  # the emoji, which may have changed alone
        return False
    added = _mentions(obj, status)
    db.session.execute(delete(StatusTag).where(StatusTag.status_id == status.id))
    _hashtags(obj, status)
    db.session.commit()
    status_edits.announce_edit(status.id, added)
    preview_cards.request_card(status, edited=True)
    return True


def delete_status(status: Status) -> None:
    """The status (and its boosts) leaves every feed; live streams are told."""
    if status.deleted_at is not None:
        return
    statuses.remove(status)
    db.session.commit()
    queue.enqueue("status_removed", status.id)
