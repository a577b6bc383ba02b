"""Render local plain text to the exact HTML Mastodon produces (its TextFormatter).

Everything is escaped; URLs, hashtags and resolvable mentions become links; blank lines split
paragraphs and single newlines become `<br />`. The caller supplies how to resolve a mention
(a lookup, usually with a database behind it) and where a hashtag page lives.
"""

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from fedi.text import parse
from fedi.text.graphemes import count_graphemes

#: Characters a URL counts for in the status length, however long it is.
URL_PLACEHOLDER_LENGTH = 23
DEFAULT_REL = "nofollow noopener noreferrer"

_URL_PREFIX_RE = re.compile(r"https?://(?:www\.)?|xmpp:")
_DISPLAY_URL_LENGTH = 30
_RUBY_WHITESPACE = "\0\t\n\v\f\r "
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})


@dataclass(frozen=True, slots=True)
class MentionTarget:
    """An account a mention resolved to. `domain` is None for local accounts (shown in its
    Unicode form for remote ones); `url` is its profile page; `key` is the caller's own
    handle on it, e.g. the account id."""

    username: str
    domain: str | None
    url: str
    key: Hashable = None

    @property
    def acct(self) -> str:
        return self.username if self.domain is None else f"{self.username}@{self.domain}"


@dataclass(slots=True)
class Rendered:
    """HTML plus what it refers to, each list deduplicated and in order of appearance.
    `tags` holds display forms (as first typed), unique by `parse.normalize_tag`."""

    html: str
    mentions: list[MentionTarget] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


ResolveMention = Callable[[str, str | None], MentionTarget | None]
TagUrl = Callable[[str], str]


def escape(text: str) -> str:
    """HTML-escape like Ruby's ERB::Util.h (`'` becomes `&#39;`)."""
    return text.translate(_ESCAPES)


def render_status(text: str, *, resolve_mention: ResolveMention, tag_url: TagUrl) -> Rendered:
    """Status text to HTML: paragraphs, line breaks, links, hashtags and mentions.

    `resolve_mention(username, domain)` gets the mention as typed (domain None for `@user`);
    returning None leaves the mention as plain text. It is called once per distinct mention.
    """
    return _render(text, resolve_mention, tag_url, multiline=True, with_domains=False, rel="")


def render_plain_note(text: str, *, resolve_mention: ResolveMention, tag_url: TagUrl) -> Rendered:
    """An account bio: formatted exactly like a status."""
    return render_status(text, resolve_mention=resolve_mention, tag_url=tag_url)


def render_field_value(text: str, *, resolve_mention: ResolveMention, tag_url: TagUrl) -> Rendered:
    """A profile field value: one line, links carry `rel="me"`, mentions show their domain."""
    return _render(text, resolve_mention, tag_url, multiline=False, with_domains=True, rel="me")


def status_length(text: str, *, spoiler_text: str = "") -> int:
    """Characters counted against the status limit, the Mastodon way: grapheme clusters of
    the content warning plus the text, where each URL counts 23 and `@user@domain` as `@user`."""
    text = text.strip(_RUBY_WHITESPACE)
    entities = parse.remove_overlapping([*parse.extract_urls(text), *parse.extract_mentions(text)])

    def counted_as(entity: parse.Entity) -> str:
        if isinstance(entity, parse.Url):
            return "x" * URL_PLACEHOLDER_LENGTH
        return f"@{entity.username}" if isinstance(entity, parse.Mention) else ""

    countable = _rewrite(text, entities, counted_as, plain=str)
    return count_graphemes(spoiler_text.strip(_RUBY_WHITESPACE) + countable)


def _rewrite(
    text: str,
    entities: list[parse.Entity],
    replace: Callable[[parse.Entity], str],
    *,
    plain: Callable[[str], str],
) -> str:
    """`text` with each (sorted, non-overlapping) entity replaced and the rest passed to plain."""
    pieces, last = [], 0
    for entity in entities:
        pieces.append(plain(text[last : entity.start]))
        pieces.append(replace(entity))
        last = entity.end
    pieces.append(plain(text[last:]))
    return "".join(pieces)


def _render(
    text: str,
    resolve_mention: ResolveMention,
    tag_url: TagUrl,
    *,
    multiline: bool,
    with_domains: bool,
    rel: str,
) -> Rendered:
    if not text.strip():
        return Rendered("")
    text = text.strip(_RUBY_WHITESPACE)
    entities = parse.extract_entities(text)
    targets = _resolve_mentions(entities, resolve_mention)
    mentioned = list(dict.fromkeys(targets.values()))
    displays = _mention_displays(mentioned, with_domains)

    def entity_html(entity: parse.Entity) -> str:
        if isinstance(entity, parse.Url):
            return link_html(entity.url, rel=rel)
        if isinstance(entity, parse.Hashtag):
            return hashtag_html(entity.name, tag_url(entity.name))
        target = targets.get(entity)
        if target is None:
            return escape(text[entity.start : entity.end])
        return mention_html(displays[target], target.url)

    html = _rewrite(text, entities, entity_html, plain=escape)
    tags: dict[str, str] = {}
    for entity in entities:
        if isinstance(entity, parse.Hashtag):
            tags.setdefault(entity.normalized, entity.name)
    return Rendered(
        html=simple_format(html) if multiline else html,
        mentions=mentioned,
        tags=list(tags.values()),
        links=list(dict.fromkeys(e.url for e in entities if isinstance(e, parse.Url))),
    )


def _resolve_mentions(
    entities: list[parse.Entity], resolve_mention: ResolveMention
) -> dict[parse.Mention, MentionTarget]:
    """The account of each resolvable mention, asking once per case-insensitive acct."""
    cache: dict[tuple[str, str | None], MentionTarget | None] = {}
    found = {}
    for entity in entities:
        if not isinstance(entity, parse.Mention):
            continue
        key = entity.username.casefold(), entity.domain.casefold() if entity.domain else None
        if key not in cache:
            cache[key] = resolve_mention(entity.username, entity.domain)
        if (target := cache[key]) is not None:
            found[entity] = target
    return found


def _mention_displays(targets: list[MentionTarget], with_domains: bool) -> dict[MentionTarget, str]:
    """Show `user` alone unless another mentioned account shares the username (or asked)."""
    displays = {}
    for target in targets:
        clash = any(
            other.username.casefold() == target.username.casefold()
            and (other.domain or "").casefold() != (target.domain or "").casefold()
            for other in targets
        )
        displays[target] = target.acct if clash or with_domains else target.username
    return displays


def link_html(url: str, *, rel: str = "") -> str:
    """A shortened link: scheme and `www.` hidden, the rest cut after 30 characters."""
    prefix_match = _URL_PREFIX_RE.match(url)
    prefix = prefix_match.group() if prefix_match else ""
    rest = url[len(prefix) :]
    display, suffix = rest[:_DISPLAY_URL_LENGTH], rest[_DISPLAY_URL_LENGTH:]
    if len(suffix) == 1:  # an ellipsis would hide no more than it takes
        display, suffix = rest, ""
    ellipsis = "ellipsis" if suffix else ""
    rels = f"{DEFAULT_REL} {rel}" if rel else DEFAULT_REL
    return (
        f'<a href="{escape(url)}" target="_blank" rel="{rels}" translate="no">'
        f'<span class="invisible">{escape(prefix)}</span>'
        f'<span class="{ellipsis}">{escape(display)}</span>'
        f'<span class="invisible">{escape(suffix)}</span></a>'
    )


def hashtag_html(name: str, url: str) -> str:
    """`#<span>name</span>` linking to the tag page."""
    return (
        f'<a href="{escape(url)}" class="mention hashtag" rel="tag">'
        f"#<span>{escape(name)}</span></a>"
    )


def mention_html(display: str, url: str) -> str:
    """An h-card mention linking to the profile."""
    return (
        f'<span class="h-card" translate="no"><a href="{escape(url)}" class="u-url mention">'
        f"@<span>{escape(display)}</span></a></span>"
    )


def simple_format(html: str) -> str:
    """Rails' simple_format without newlines: `<p>` per blank-line-separated block, `<br />`
    for single newlines."""
    html = html.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = re.split(r"\n\n+", html)
    while paragraphs and not paragraphs[-1]:
        paragraphs.pop()
    if not paragraphs:
        return "<p></p>"
    return "".join(
        "<p>" + re.sub(r"([^\n]\n)(?=[^\n])", r"\1<br />", paragraph).replace("\n", "") + "</p>"
        for paragraph in paragraphs
    )
