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
    pieces, last = [], 0
    for entity in entities:
        pieces.append(text[last : entity.start])
        if isinstance(entity, parse.Url):
            pieces.append("x" * URL_PLACEHOLDER_LENGTH)
        else:
            pieces.append(f"@{entity.username}")
        last = entity.end
    pieces.append(text[last:])
    return count_graphemes(spoiler_text.strip(_RUBY_WHITESPACE) + "".join(pieces))


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
    displays = _mention_displays(list(dict.fromkeys(targets.values())), with_domains)
    result = Rendered("")
    seen_tags: set[str] = set()
    pieces, last = [], 0
    for entity in entities:
        pieces.append(escape(text[last : entity.start]))
        last = entity.end
        if isinstance(entity, parse.Url):
            pieces.append(link_html(entity.url, rel=rel))
            if entity.url not in result.links:
                result.links.append(entity.url)
        elif isinstance(entity, parse.Hashtag):
            pieces.append(hashtag_html(entity.name, tag_url(entity.name)))
            if entity.normalized not in seen_tags:
                seen_tags.add(entity.normalized)
                result.tags.append(entity.name)
        elif (target := targets.get(_mention_key(entity))) is not None:
            pieces.append(mention_html(displays[target], target.url))
            if target not in result.mentions:
                result.mentions.append(target)
        else:
            pieces.append(escape(text[entity.start : entity.end]))
    pieces.append(escape(text[last:]))
    html = "".join(pieces)
    result.html = simple_format(html) if multiline else html
    return result


def _mention_key(mention: parse.Mention) -> tuple[str, str | None]:
    domain = mention.domain.casefold() if mention.domain else None
    return mention.username.casefold(), domain


def _resolve_mentions(
    entities: list[parse.Entity], resolve_mention: ResolveMention
) -> dict[tuple[str, str | None], MentionTarget]:
    """Resolve each distinct mention once; unresolvable ones are left out."""
    resolved: dict[tuple[str, str | None], MentionTarget | None] = {}
    for entity in entities:
        if isinstance(entity, parse.Mention) and _mention_key(entity) not in resolved:
            resolved[_mention_key(entity)] = resolve_mention(entity.username, entity.domain)
    return {key: target for key, target in resolved.items() if target is not None}


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
    return f'<a href="{escape(url)}" class="mention hashtag" rel="tag">#<span>{escape(name)}</span></a>'


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
