"""Custom emoji offered by this server, and telling an emoji name from anything else."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select

from fedi.extensions import db
from fedi.models import CustomEmoji
from fedi.text.graphemes import count_graphemes

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
