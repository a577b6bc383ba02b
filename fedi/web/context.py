"""What the status templates show for a page of statuses, and the template helpers that turn rows
into URLs.

`page_context(viewer, statuses)` loads the page with the loader the client API's entities share
(services/status_pages.py: media, the viewer's favourites, boosts, bookmarks, pins and muted
conversations, preview cards, and the accounts replied to, in a fixed number of queries);
everything here is a pure rendering of that: `ctx.card(status)`, `ctx.media_for(status)`.
Nothing here queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, current_app
from markupsafe import Markup

from fedi.models import Account, CustomEmoji, MediaAttachment, Poll, PreviewCard, Status, utcnow
from fedi.services import filters, status_pages
from fedi.services.status_pages import StatusPage
from fedi.text.emoji import emojify_html, emojify_text
from fedi.text.sanitize import sanitize_remote_html
from fedi.urls import media_url


@dataclass(slots=True)
class Card:
    """What a status card prints, worked out in one Python call (templates/_partials/status.html):
    a page renders twenty cards, and Jinja is several times slower at deciding things."""

    id: int  # the card's: a boost's own id
    shown: Status  # the post shown: the boosted one for a boost
    path: str
    author_path: str
    author_name: Markup  # escaped, with its custom emoji as images
    author_acct: str
    avatar: str
    time: str
    content: Markup  # with its custom emoji as images, as the content warning:
    spoiler: Markup
    lang: str | None  # only when it differs from the page's (en)
    booster: tuple[str, Markup] | None = None  # (profile path, name) of who boosted it
    reply: tuple[str, str] | None = None  # (parent's path, @acct) when known
    media: list[MediaAttachment] = field(default_factory=list)
    counts: str = ""
    actions: list[tuple[str, str]] = field(default_factory=list)
    own: bool = False  # the viewer's: edit and delete links
    filtered: str = ""  # the titles of the viewer's filters that put it behind a warning
    hidden: bool = False  # a filter of the viewer hides it here
    poll: PollCard | None = None
    sensitive_media: bool = False  # its media behind a click (marked, or the author sensitized)
    link: PreviewCard | None = None  # the preview card of its link, shown when it has no media
    link_site: str = ""  # who the card's page is from: its provider, else its host


@dataclass(slots=True)
class PollCard:
    """What a card shows of its poll: a vote form (`voting`) or the results (bars when the
    totals are shown), and a summary line. `options`: (index, title, percent or None, chosen)."""

    multiple: bool
    voting: bool
    options: list[tuple[int, str, int | None, bool]]
    summary: str


def poll_card(poll: Poll, viewer: Account | None, own: list[int]) -> PollCard:
    """Results once voted (the author counts as having voted), once ended, or for a visitor;
    percentages as Mastodon's web UI computes them (of the voters for a multiple-choice poll),
    none while the totals are hidden."""
    ended = poll.expired(utcnow())
    voting = viewer is not None and not ended and not own and viewer.id != poll.account_id
    shown = ended or not poll.hide_totals
    base = (poll.voters_count or 0) if poll.multiple else poll.votes_count
    tallies = list(poll.tallies or ())
    options = []
    for i, title in enumerate(poll.options or ()):
        count = tallies[i] if i < len(tallies) else 0
        percent = round(100 * count / base) if shown and base else (0 if shown else None)
        options.append((i, title, percent, i in own))
    people = poll.voters_count if poll.voters_count is not None else poll.votes_count
    parts = [f"{people} {'person' if people == 1 else 'people'}"]
    if ended:
        parts.append("Closed")
    elif poll.expires_at is not None:
        parts.append(f"Ends {short_time(poll.expires_at)} UTC")
    if not shown:
        parts.append("Results hidden until the poll ends")
    return PollCard(poll.multiple, voting, options, " · ".join(parts))


class PageContext:
    """The status cards of a page: pure renderings of `page`, loaded for `viewer`."""

    def __init__(
        self, viewer: Account | None, page: StatusPage, filter_context: str | None = None
    ) -> None:
        self.viewer = viewer
        self.page = page
        self.filter_context = filter_context  # where the cards show, for the viewer's filters

    def media_for(self, status: Status) -> list[MediaAttachment]:
        return self.page.media.get(status.id, [])

    def reply_to(self, status: Status) -> Account | None:
        return self.page.reply_authors.get(status.in_reply_to_account_id or 0)

    def actions(self, card: Status, focused: bool = False) -> list[tuple[str, str]]:
        """The toggle buttons a card offers the viewer, as (name, label): the name is the action
        the button does (`unfavourite` once favourited) and the label says it ("Unfavourite").
        Reply, boost and favourite on every card, pin on one's own public posts; bookmark and
        conversation mute on the thread's focused post, and wherever they are on (to undo).
        Decided here, in one call per card, because a page renders twenty of them."""
        if self.viewer is None:
            return []
        target = card.reblog or card
        mine = target.account_id == self.viewer.id
        visibility = target.visibility.value
        public = visibility in ("public", "unlisted")
        flags = self.page.flags
        wanted = []
        if public or (mine and visibility == "private"):
            wanted.append(("reblog", "Boost", target.id in flags["reblogged"]))
        wanted.append(("favourite", "Favourite", target.id in flags["favourited"]))
        if focused or target.id in flags["bookmarked"]:
            wanted.append(("bookmark", "Bookmark", target.id in flags["bookmarked"]))
        if mine and public:
            wanted.append(("pin", "Pin", target.id in flags["pinned"]))
        muted = self.page.muted(target)
        if focused or muted:
            wanted.append(("mute", "Mute conversation", muted))
        return [
            (f"un{verb}", f"Un{label[0].lower()}{label[1:]}") if on else (verb, label)
            for verb, label, on in wanted
        ]

    def author_name(self, account: Account) -> Markup:
        sources = emoji_sources(self.page.account_emojis(account))
        return emojify_text(display_name(account), sources)

    def card(self, status: Status, focused: bool = False) -> Card:
        shown = status.reblog or status
        author = shown.account
        path = f"/@{author.acct}/{shown.id}"
        language = shown.language or "und"
        emojis = emoji_sources(self.page.status_emojis(shown))
        card = Card(
            id=status.id, shown=shown, path=path, author_path=f"/@{author.acct}",
            author_name=self.author_name(author), author_acct=author.acct,
            avatar=avatar_src(author), time=short_time(shown.created_at),
            content=emojify_html(content_html(shown), emojis),
            spoiler=emojify_text(shown.spoiler_text, emojis),
            lang=None if language == "en" else language, media=self.media_for(shown),
            counts=self.counts(shown), actions=self.actions(status, focused),
            own=self.viewer is not None and shown.account_id == self.viewer.id,
        )  # fmt: skip
        if card.media and not shown.spoiler_text:
            sensitized = shown.account.sensitized_at is not None and not card.own
            card.sensitive_media = bool(shown.sensitive or sensitized)
        link = None if card.media else self.page.cards.get(shown.id)
        if link is not None:
            card.link = link
            card.link_site = link.provider_name or urlsplit(link.url).hostname or ""
        found = self.page.filtered.get(status.id) if self.filter_context else None
        if found:
            card.hidden = filters.hidden_in(found, self.filter_context)
            card.filtered = ", ".join(
                m.filter.title for m in filters.warnings_in(found, self.filter_context)
            )
        poll = self.page.polls.get(shown.id)
        if poll is not None:
            card.poll = poll_card(poll, self.viewer, self.page.own_votes.get(shown.id, []))
        if status.reblog is not None:
            card.booster = (f"/@{status.account.acct}", self.author_name(status.account))
        if shown.in_reply_to_id:
            parent = self.reply_to(shown)
            if parent is not None:
                card.reply = (f"/@{parent.acct}/{shown.in_reply_to_id}", f"@{parent.acct}")
        return card

    @staticmethod
    def counts(status: Status) -> str:
        """The non-zero counts ("2 replies · 1 boost"), or nothing."""
        counts = (
            (status.replies_count, "reply", "replies"),
            (status.reblogs_count, "boost", "boosts"),
            (status.favourites_count, "favourite", "favourites"),
        )
        return " · ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts if n)


def page_context(
    viewer: Account | None, statuses: Sequence[Status], filter_context: str | None = None
) -> PageContext:
    """Load what the cards of `statuses` show and render from it. `filter_context`: where they
    show (home, notifications, public, thread, account), so the viewer's filters for that place
    hide cards or put them behind a warning; None: filters do not apply (a post just written)."""
    page = status_pages.load(viewer, statuses, reply_authors=True)
    return PageContext(viewer, page, filter_context)


# --- template helpers ------------------------------------------------------------------------


def avatar_url(account: Account) -> str:
    return media_url(account.avatar_file, account.avatar_remote_url, "/static/icons/avatar.png")


def _local(path: str | None, remote: str | None, fallback: str | None = None) -> str | None:
    """A URL for markup on our own pages: site-relative for what we serve, remote otherwise."""
    if path:
        return f"/media/{path}"
    return remote or fallback


def avatar_src(account: Account) -> str:
    """The avatar for an <img> on our pages (avatar_url() is the absolute one, for meta tags)."""
    return _local(account.avatar_file, account.avatar_remote_url, "/static/icons/avatar.png")


def header_url(account: Account) -> str:
    return media_url(account.header_file, account.header_remote_url, "/static/icons/header.png")


def media_src(media: MediaAttachment) -> str | None:
    return _local(media.file_path, media.remote_url)


def preview_src(media: MediaAttachment) -> str | None:
    return _local(media.thumbnail_path, media.thumbnail_remote_url) or media_src(media)


def preview_url(media: MediaAttachment) -> str | None:
    """A media preview's absolute URL, for meta tags read by other sites."""
    return media_url(media.thumbnail_path, media.thumbnail_remote_url) or media_url(
        media.file_path, media.remote_url
    )


def profile_path(account: Account) -> str:
    """The profile page here, for local and known remote accounts alike."""
    return f"/@{account.acct}"


def status_path(status: Status) -> str:
    return f"/@{status.account.acct}/{status.id}"


def display_name(account: Account) -> str:
    return account.display_name.strip() or account.username


def short_time(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")


def iso_time(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


HELPERS = {
    f.__name__: f
    for f in (avatar_url, avatar_src, header_url, media_src, preview_src, preview_url,
              profile_path, status_path,
              display_name, short_time, iso_time)
}  # fmt: skip


def register(bp: Blueprint) -> None:
    """Make the helpers template globals (call once, from the blueprint that owns the pages)."""
    for name, fn in HELPERS.items():
        bp.add_app_template_global(fn, name)


# Attributes the stored HTML carries for other readers (the API, other servers) that our own pages
# do not need: Referrer-Policy is same-origin on every response and browsers imply noopener for
# target=_blank. Each pattern ends inside a tag (sanitised HTML escapes ">" in text), so text is
# never touched.
_TRIMS = (
    (' target="_blank" rel="nofollow noopener noreferrer" translate="no">',
     ' target="_blank" rel="nofollow">'),
    ('<span class="h-card" translate="no">', '<span class="h-card">'),
)  # fmt: skip


def content_html(status: Status) -> Markup:
    """A status's HTML for our pages: links to this server made site-relative and the
    attributes only other readers need left out (see _TRIMS); a few bytes per link and mention
    that add up on a timeline page (tests/web/test_page_weight.py)."""
    html = status.content or ""
    for old, new in _TRIMS:
        if old in html:
            html = html.replace(old, new)
    local = f'<a href="{current_app.config["FEDI"].base_url}/'
    if local in html:
        html = html.replace(local, '<a href="/')
    return Markup(html)  # stored HTML: rendered by us, or sanitised on the way in


def field_html(value: str) -> Markup:
    """A profile field's value: our own rendering or a remote server's, sanitised either way."""
    return Markup(sanitize_remote_html(value or ""))


def emoji_sources(emojis: Sequence[CustomEmoji]) -> dict[str, str]:
    """Shortcode -> image for our pages, of the emoji a text uses (fedi.text.emoji)."""
    return {e.shortcode: _local(e.image_file, e.image_remote_url) or "" for e in emojis}


def emojify(text: str, sources: dict[str, str] | None) -> Markup:
    """Plain text (a display name) escaped, with the custom emoji of `sources` as images."""
    return emojify_text(text, sources or {})


def emojify_markup(html: str, sources: dict[str, str] | None) -> Markup:
    """Safe HTML (a bio, a field's sanitised value) with the custom emoji as images."""
    return emojify_html(str(html), sources or {})


def has_endpoint(name: str) -> bool:
    """Whether a route exists (the layout links the manifest only once the PWA serves one)."""
    return name in current_app.view_functions


HELPERS["field_html"] = field_html
HELPERS["content_html"] = content_html
HELPERS["has_endpoint"] = has_endpoint
HELPERS["emojify"] = emojify
HELPERS["emojify_markup"] = emojify_markup
