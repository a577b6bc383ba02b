"""Custom emoji offered by this server, the emoji a page of posts and accounts uses, and
telling an emoji name from anything else.

Which emoji a post or an account uses is worked out when it is read, as Mastodon does: the
`:shortcode:` names in its text (content and content warning; display name, bio and fields)
looked up among the enabled emoji of its author's domain (local ones for local authors). A page
collects the names of all its posts and accounts and looks them up in one query (`lookup`), so
an emoji added, changed or disabled later shows (or stops showing) everywhere at once.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import or_, select

from fedi.extensions import db
from fedi.models import CustomEmoji
from fedi.text.emoji import shortcodes
from fedi.text.graphemes import count_graphemes

# Emoji of one page: by (domain, shortcode); domain None for local ones.
EmojiMap = Mapping[tuple[str | None, str], CustomEmoji]
LOOKUP_LIMIT = 2_000  # names looked up per page at most (a hostile text cannot grow the query)


class _Profile(Protocol):
    domain: str | None
    display_name: str
    note: str

    @property
    def fields(self) -> Any: ...


class _Post(Protocol):
    content: str | None
    spoiler_text: str | None


# Code points that are emoji on their own (Unicode's Extended_Pictographic, coarsely).
_PICTOGRAPHIC = (
    (0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2300, 0x23FF), (0x2B00, 0x2BFF),
    (0x2190, 0x21FF), (0x25A0, 0x25FF), (0x2900, 0x297F), (0x3030, 0x3030),
    (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299), (0x00A9, 0x00A9),
    (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122),
    (0x2139, 0x2139), (0x24C2, 0x24C2),
)  # fmt: skip
_KEYCAP_BASES = set("#*0123456789")


def listed() -> list[CustomEmoji]:
    """Local, enabled emoji, by shortcode (what `GET /api/v1/custom_emojis` returns)."""
    return list(
        db.session.scalars(
            select(CustomEmoji)
            .where(CustomEmoji.domain.is_(None), CustomEmoji.disabled.is_(False))
            .order_by(CustomEmoji.shortcode)
        )
    )


def account_texts(account: _Profile) -> tuple[str, ...]:
    """Where an account's emoji show: display name, bio, and its fields' names and values."""
    texts = [account.display_name or "", account.note or ""]
    for field in account.fields or []:
        if isinstance(field, dict):
            texts += [str(field.get("name") or ""), str(field.get("value") or "")]
    return tuple(texts)


def status_texts(status: _Post) -> tuple[str, ...]:
    return (status.content or "", status.spoiler_text or "")


def lookup(wanted: Mapping[str | None, Iterable[str]]) -> dict[tuple[str | None, str], CustomEmoji]:
    """The enabled emoji named in `wanted` (domain -> shortcodes), by (domain, shortcode): one
    query, none when nothing is named."""
    pairs = {(domain, code) for domain, codes in wanted.items() for code in codes}
    if not pairs:
        return {}
    pairs = set(sorted(pairs, key=lambda p: (p[0] or "", p[1]))[:LOOKUP_LIMIT])
    codes = sorted({code for _, code in pairs})
    domains = sorted({domain for domain, _ in pairs if domain is not None})
    where_domain = []
    if any(domain is None for domain, _ in pairs):
        where_domain.append(CustomEmoji.domain.is_(None))
    if domains:
        where_domain.append(CustomEmoji.domain.in_(domains))
    query = select(CustomEmoji).where(
        CustomEmoji.shortcode.in_(codes), CustomEmoji.disabled.is_(False), or_(*where_domain)
    )
    return {
        (e.domain, e.shortcode): e
        for e in db.session.scalars(query)
        if (e.domain, e.shortcode) in pairs
    }


def wanted_by(
    statuses: Iterable[_Post] = (), accounts: Iterable[_Profile] = ()
) -> dict[str | None, set[str]]:
    """The names `lookup` needs for these statuses (each has its `account`) and accounts."""
    wanted: dict[str | None, set[str]] = defaultdict(set)
    for status in statuses:
        codes = shortcodes(*status_texts(status))
        if codes:
            wanted[status.account.domain] |= codes  # type: ignore[attr-defined]
    for account in accounts:
        codes = shortcodes(*account_texts(account))
        if codes:
            wanted[account.domain] |= codes
    return wanted


def used(emojis: EmojiMap, domain: str | None, texts: Sequence[str]) -> list[CustomEmoji]:
    """The emoji of `emojis` that `texts` by an author of `domain` use, by shortcode."""
    if not emojis:
        return []
    found = (emojis.get((domain, code)) for code in sorted(shortcodes(*texts)))
    return [e for e in found if e is not None]


def for_accounts(accounts: Sequence[_Profile]) -> dict[tuple[str | None, str], CustomEmoji]:
    """The emoji a list of accounts uses (one query at most); read with `used`."""
    return lookup(wanted_by(accounts=accounts))


def of_account(account: _Profile, emojis: EmojiMap | None = None) -> list[CustomEmoji]:
    """The emoji one account uses (a query unless `emojis` holds its page's)."""
    emojis = for_accounts([account]) if emojis is None else emojis
    return used(emojis, account.domain, account_texts(account))


def of_status(status: _Post, author_domain: str | None) -> list[CustomEmoji]:
    """The emoji one status uses (a query when it names any)."""
    codes = shortcodes(*status_texts(status))
    return used(lookup({author_domain: codes}), author_domain, status_texts(status))


def get_local(emoji_id: int) -> CustomEmoji | None:
    """A local, enabled emoji by id (what its ActivityPub id serves)."""
    emoji = db.session.get(CustomEmoji, emoji_id)
    return emoji if emoji is not None and emoji.domain is None and not emoji.disabled else None


def find_local(shortcode: str) -> CustomEmoji | None:
    return db.session.scalar(
        select(CustomEmoji).where(
            CustomEmoji.shortcode == shortcode,
            CustomEmoji.domain.is_(None),
            CustomEmoji.disabled.is_(False),
        )
    )


def _pictographic(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _PICTOGRAPHIC)


def is_unicode_emoji(name: str) -> bool:
    """Whether `name` is one emoji: a single grapheme that is a pictograph (with its modifiers,
    variation selectors and ZWJ sequence), a keycap or a flag."""
    if not name or count_graphemes(name) != 1:
        return False
    first = name[0]
    if first in _KEYCAP_BASES:
        return name.endswith("\u20e3")
    if 0x1F1E6 <= ord(first) <= 0x1F1FF:
        return len(name) == 2 and 0x1F1E6 <= ord(name[1]) <= 0x1F1FF
    if not _pictographic(first):
        return False
    return all(
        _pictographic(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf", "Sk") or ch == "\ufe0f"
        for ch in name[1:]
    )
