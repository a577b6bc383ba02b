"""Count user-perceived characters (extended grapheme clusters, UAX #29), as Mastodon does.

A compact approximation of the Unicode rules without a dependency: CR LF, controls, Hangul
syllable sequences, combining and spacing marks, emoji modifiers and ZWJ sequences, tag
sequences and regional-indicator flag pairs. Prepend characters are not special-cased.
"""

import unicodedata

_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
_EXTEND_CATEGORIES = frozenset({"Mn", "Me"})


def _grapheme_class(ch: str) -> str:
    """The Grapheme_Cluster_Break property of `ch`, as far as the rules below need it."""
    cp = ord(ch)
    if ch == "\r":
        return "CR"
    if ch == "\n":
        return "LF"
    if cp == 0x200D:
        return "ZWJ"
    category = unicodedata.category(ch)
    if (
        category in _EXTEND_CATEGORIES
        or cp == 0x200C
        or 0x1F3FB <= cp <= 0x1F3FF  # emoji skin-tone modifiers
        or 0xE0020 <= cp <= 0xE007F  # tag characters (subdivision flags)
        or cp in (0xFF9E, 0xFF9F)  # half-width katakana voicing marks
    ):
        return "Extend"
    if 0x1F1E6 <= cp <= 0x1F1FF:
        return "RI"
    if category in _CONTROL_CATEGORIES:
        return "Control"
    if category == "Mc":
        return "SpacingMark"
    if category == "So" or 0x1F000 <= cp <= 0x1FAFF:
        return "Pict"
    return _hangul_class(cp)


def _hangul_class(cp: int) -> str:
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return "L"
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return "V"
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return "T"
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    return "Other"


_HANGUL_JOINS = {
    "L": frozenset({"L", "V", "LV", "LVT"}),
    "LV": frozenset({"V", "T"}),
    "V": frozenset({"V", "T"}),
    "LVT": frozenset({"T"}),
    "T": frozenset({"T"}),
}


def _is_break(prev: str, cur: str, *, odd_flags: bool, emoji_zwj: bool) -> bool:
    """Whether a cluster boundary lies between two characters of classes prev and cur."""
    if prev == "CR" and cur == "LF":
        return False
    if prev in ("CR", "LF", "Control") or cur in ("CR", "LF", "Control"):
        return True
    if cur in _HANGUL_JOINS.get(prev, ()):
        return False
    if cur in ("Extend", "ZWJ", "SpacingMark"):
        return False
    if prev == "ZWJ" and cur == "Pict" and emoji_zwj:
        return False
    return not (prev == "RI" and cur == "RI" and odd_flags)


def count_graphemes(text: str) -> int:
    """Number of extended grapheme clusters in `text`."""
    count = 0
    prev = ""
    flags = 0  # regional indicators in the current run
    emoji = False  # inside "Pict Extend*" (optionally followed by the ZWJ just seen)
    for ch in text:
        cur = _grapheme_class(ch)
        if not prev or _is_break(prev, cur, odd_flags=flags % 2 == 1, emoji_zwj=emoji):
            count += 1
        flags = flags + 1 if cur == "RI" else 0
        emoji = cur == "Pict" or (emoji and cur in ("Extend", "ZWJ"))
        prev = cur
    return count
