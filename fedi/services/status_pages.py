"""What a page of statuses shows around the rows themselves, loaded in a fixed number of queries:
the one loader behind the API's Status entities (fedi/entities/status.py) and the web UI's status
cards (fedi/web/context.py), which render what it returns and query nothing.

`load(viewer, statuses)` reads mentions, tags, media, preview cards, the applications of local
statuses, which statuses have a poll, and the viewer's favourites, boosts, bookmarks, pins,
conversation mutes and poll votes in one UNION ALL query, plus one for the accounts it names
(mentioned and, when asked, replied to), one for the media, one for the preview cards and one for
the polls when the page has any, and one for the custom emoji its posts and authors name when they
name any (services/custom_emojis.py); then matches the statuses against the viewer's filters
(services/filters.py, kept per process, so usually no query). The rows themselves come from the
caller: models or `status_views`.
`load_revisions(rows)` does the same for a status's edit history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, String, bindparam, cast, literal_column, null, select, union_all

from fedi.extensions import db
from fedi.models import (
    Account,
    ConversationMute,
    CustomEmoji,
    MediaAttachment,
    Mention,
    OAuthApplication,
    Poll,
    PollVote,
    PreviewCard,
    PreviewCardStatus,
    Status,
    StatusEdit,
    StatusTag,
    Tag,
    as_account_id,
)
from fedi.services import custom_emojis, filters, interactions
from fedi.services.filters import FilterMatch


class App(NamedTuple):
    """The application a local status was posted with."""

    name: str
    website: str | None


@dataclass(slots=True)
class StatusPage:
    """What `load` found for a page, by status id (by conversation id for the mutes). `flags`
    has a set of status ids per name of interactions.FLAGS (empty for an anonymous viewer);
    `reply_authors` the accounts replied to, by id, when the caller asked for them; `filtered`
    the viewer's filters each status matches, whatever the context (see services/filters.py);
    `cards` the preview card each status shows (services/preview_cards.py)."""

    viewer_id: int | None
    mentions: dict[int, list[Account]] = field(default_factory=dict)
    tags: dict[int, list[str]] = field(default_factory=dict)
    media: dict[int, list[MediaAttachment]] = field(default_factory=dict)
    apps: dict[int, App] = field(default_factory=dict)
    flags: dict[str, set[int]] = field(
        default_factory=lambda: {name: set() for name in interactions.FLAGS}
    )
    muted_conversations: set[int] = field(default_factory=set)
    reply_authors: dict[int, Account] = field(default_factory=dict)
    filtered: dict[int, list[FilterMatch]] = field(default_factory=dict)
    polls: dict[int, Poll] = field(default_factory=dict)  # by status id
    own_votes: dict[int, list[int]] = field(default_factory=dict)  # the viewer's, by status id
    emojis: dict[tuple[str | None, str], CustomEmoji] = field(default_factory=dict)
    cards: dict[int, PreviewCard] = field(default_factory=dict)  # by status id

    def status_emojis(self, status: Status) -> list[CustomEmoji]:
        """The custom emoji a status of the page uses (its content and content warning)."""
        texts = custom_emojis.status_texts(status)
        return custom_emojis.used(self.emojis, status.account.domain, texts)

    def account_emojis(self, account: Account) -> list[CustomEmoji]:
        """The custom emoji an author of the page uses (name, bio, fields)."""
        texts = custom_emojis.account_texts(account)
        return custom_emojis.used(self.emojis, account.domain, texts)

    def flag(self, name: str, status_id: int) -> bool:
        return status_id in self.flags.get(name, ())

    def muted(self, status: Status) -> bool:
        """Whether the viewer muted the conversation of `status`."""
        return status.conversation_id in self.muted_conversations


# Kinds of row in the one query behind a page (0-3 are interactions.FLAGS).
_MUTED, _MENTION, _TAG, _MEDIA, _APP, _POLL, _VOTE, _CARD = 4, 5, 6, 7, 8, 9, 10, 11


def load(
    viewer: Account | int | None, statuses: Sequence[Status], *, reply_authors: bool = False
) -> StatusPage:
    """`viewer`: the viewing account or its id (None: anonymous). `statuses`: models or
    `status_views`; their boosted statuses are part of the page. `reply_authors`: also load the
    accounts the statuses reply to (in the query for the mentioned accounts)."""
    page = StatusPage(as_account_id(viewer))
    rows = list(statuses) + [s.reblog for s in statuses if s.reblog is not None]
    ids = list({s.id for s in rows})
    if not ids:
        return page
    mentioned: dict[int, list[int]] = defaultdict(list)
    tags: dict[int, list[str]] = defaultdict(list)
    media_ids: list[int] = []
    poll_ids: list[int] = []
    votes: dict[int, list[int]] = defaultdict(list)
    card_ids: dict[int, int] = {}
    params = {"ids": ids, "viewer_id": page.viewer_id}
    for key, ref, _order, name, extra, kind in db.session.execute(
        _query(page.viewer_id is not None), params
    ):
        if kind < _MUTED:
            page.flags[interactions.FLAGS[kind]].add(key)
        elif kind == _MUTED:
            page.muted_conversations.add(key)
        elif kind == _MENTION:
            mentioned[key].append(ref)
        elif kind == _TAG:
            tags[key].append(name)
        elif kind == _MEDIA:
            media_ids.append(ref)
        elif kind == _CARD:
            card_ids[key] = ref
        elif kind == _APP:
            page.apps[key] = App(name, extra)
        elif kind == _POLL:
            poll_ids.append(ref)
        else:
            votes[key].append(ref)
    page.tags = dict(tags)
    replied = {s.in_reply_to_account_id for s in rows if s.in_reply_to_account_id}
    wanted = {i for refs in mentioned.values() for i in refs}
    if reply_authors:
        wanted |= replied
    if wanted:
        query = select(Account).where(Account.id.in_(wanted))
        found = {a.id: a for a in db.session.scalars(query)}
        page.mentions = {
            key: [found[i] for i in refs if i in found] for key, refs in mentioned.items()
        }
        if reply_authors:
            page.reply_authors = {i: found[i] for i in replied if i in found}
    if media_ids:
        media: dict[int, list[MediaAttachment]] = defaultdict(list)
        for row in db.session.scalars(
            select(MediaAttachment)
            .where(MediaAttachment.id.in_(media_ids))
            .order_by(MediaAttachment.position, MediaAttachment.id)
        ):
            media[row.status_id].append(row)
        page.media = dict(media)
    if poll_ids:
        page.polls = {
            p.status_id: p for p in db.session.scalars(select(Poll).where(Poll.id.in_(poll_ids)))
        }
        page.own_votes = dict(votes)
    authors = {s.account.id: s.account for s in rows}.values()
    page.emojis = custom_emojis.lookup(custom_emojis.wanted_by(rows, authors))
    if card_ids:
        query = select(PreviewCard).where(PreviewCard.id.in_(set(card_ids.values())))
        cards = {c.id: c for c in db.session.scalars(query)}
        page.cards = {key: cards[ref] for key, ref in card_ids.items() if ref in cards}
    if page.viewer_id is not None:
        _match_filters(page, rows)
    return page


def _match_filters(page: StatusPage, rows: Sequence[Status]) -> None:
    active = filters.active(page.viewer_id)
    if not active:
        return
    texts: dict[int, str] = {}
    for row in rows:
        proper = row.reblog or row
        descriptions = (m.description for m in page.media.get(proper.id, ()))
        found = filters.matches(active, row, descriptions, texts=texts)
        if found:
            page.filtered[row.id] = found


def _columns(kind: int, key, ref=None, order=None, name=None, extra=None) -> tuple:
    """The columns of one part of a page's query: (key, ref, ord, name, extra, kind)."""

    def big(column):
        return cast(null(), BigInteger) if column is None else column

    def text(column):
        return cast(null(), String) if column is None else column

    return (
        key.label("key"), big(ref).label("ref"), big(order).label("ord"),
        text(name).label("name"), text(extra).label("extra"),
        literal_column(str(kind)).label("kind"),
    )  # fmt: skip


_QUERIES: dict[bool, Any] = {}


def _query(with_viewer: bool):
    """Mentions (in order), tags, media, cards, the applications of local statuses, the polls,
    and for a viewer the flags of interactions.FLAGS, the muted conversations and the poll votes:
    one UNION ALL over the page's statuses (parameters `ids` and `viewer_id`), built once per
    process."""
    if with_viewer in _QUERIES:
        return _QUERIES[with_viewer]
    # Table columns: a Core statement, no ORM compile or loading.
    models = (
        Status, Mention, StatusTag, Tag, MediaAttachment, OAuthApplication, ConversationMute, Poll,
        PollVote, PreviewCardStatus,
    )  # fmt: skip
    status, mention, status_tag, tag, media, app, mute, poll, vote, card = (
        m.__table__.c for m in models
    )
    page = (
        select(status.id, status.conversation_id, status.application_id, status.local)
        .where(status.id.in_(bindparam("ids", expanding=True)))
        .cte("page")
    )
    ids = select(page.c.id)
    apps = select(page.c.application_id).where(page.c.local.is_(True))
    parts = [
        select(*_columns(_MENTION, mention.status_id, mention.account_id, mention.id))
        .where(mention.status_id.in_(ids), mention.silent.is_(False)),
        select(*_columns(_TAG, status_tag.status_id, status_tag.tag_id, name=tag.name))
        .join_from(StatusTag.__table__, Tag.__table__, tag.id == status_tag.tag_id)
        .where(status_tag.status_id.in_(ids)),
        select(*_columns(_MEDIA, media.status_id, media.id))
        .where(media.status_id.in_(ids)),
        select(*_columns(_APP, app.id, name=app.name, extra=app.website))
        .where(app.id.in_(apps)),
        select(*_columns(_POLL, poll.status_id, poll.id)).where(poll.status_id.in_(ids)),
        select(*_columns(_CARD, card.status_id, card.preview_card_id))
        .where(card.status_id.in_(ids)),
    ]  # fmt: skip
    if with_viewer:
        viewer_id = bindparam("viewer_id")
        for kind, flag in enumerate(interactions.viewer_flag_queries(viewer_id, ids)):
            parts.append(flag.with_only_columns(*_columns(kind, flag.selected_columns[0])))
        parts.append(
            select(*_columns(_MUTED, mute.conversation_id)).where(
                mute.account_id == viewer_id,
                mute.conversation_id.in_(select(page.c.conversation_id)),
            )
        )
        choice = cast(vote.choice, BigInteger)
        parts.append(
            select(*_columns(_VOTE, poll.status_id, choice, choice))
            .join_from(Poll.__table__, PollVote.__table__, vote.poll_id == poll.id)
            .where(poll.status_id.in_(ids), vote.account_id == viewer_id)
        )
    _QUERIES[with_viewer] = union_all(*parts).order_by("kind", "key", "ord")
    return _QUERIES[with_viewer]


@dataclass(slots=True)
class RevisionPage:
    """The editors and the media of a status's revisions (`load_revisions`), by id."""

    accounts: dict[int, Account]
    media: dict[int, MediaAttachment]


def load_revisions(rows: Sequence[StatusEdit]) -> RevisionPage:
    """The editors of `rows` in one query, and the media they list in one more if any."""
    account_ids = {r.account_id for r in rows}
    media_ids = {int(m["id"]) for r in rows for m in (r.media or []) if m.get("id")}
    accounts = db.session.scalars(select(Account).where(Account.id.in_(account_ids)))
    media = (
        db.session.scalars(select(MediaAttachment).where(MediaAttachment.id.in_(media_ids)))
        if media_ids
        else ()
    )
    return RevisionPage({a.id: a for a in accounts}, {m.id: m for m in media})
