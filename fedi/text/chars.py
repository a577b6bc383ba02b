"""Unicode character-class bodies equivalent to Ruby's, for Mastodon-compatible regexes.

Python's `\\w` differs from Ruby's `[[:word:]]` (it lacks combining marks, which IDN domains
and many scripts need), so the classes are built from the Unicode database once at import.
Each constant is the inside of a `[...]` class, ready to interpolate into a pattern.
"""

import itertools
import re
import unicodedata

_LETTERS = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo"})
_MARKS = frozenset({"Mn", "Mc", "Me"})


def _class_body(codepoints: list[int], categories: list[str], wanted: frozenset[str]) -> str:
    """Compress the code points whose category is wanted into a regex class body."""
    parts: list[str] = []
    start = last = -2
    for cp, cat in zip(codepoints, categories, strict=True):
        if cat not in wanted:
            continue
        if cp != last + 1:
            if start >= 0:
                parts.append(_span(start, last))
            start = cp
        last = cp
    if start >= 0:
        parts.append(_span(start, last))
    return "".join(parts)


def _span(start: int, end: int) -> str:
    if start == end:
        return re.escape(chr(start))
    return f"{re.escape(chr(start))}-{re.escape(chr(end))}"


def _build() -> tuple[str, str, str]:
    # Planes 0-3 hold every letter, mark and digit; plane 14 holds variation selectors.
    codepoints = list(itertools.chain(range(0x40000), range(0xE0000, 0xE01F0)))
    categories = [unicodedata.category(chr(cp)) for cp in codepoints]
    word = _class_body(codepoints, categories, _LETTERS | _MARKS | {"Nd", "Pc"})
    alnum = _class_body(codepoints, categories, _LETTERS | _MARKS | {"Nd"})
    alpha = _class_body(codepoints, categories, _LETTERS | _MARKS)
    return word, alnum, alpha


#: Ruby `[[:word:]]`: letters, marks, decimal digits, connector punctuation (`_`).
#: ALNUM: the same without connector punctuation (domain label ends).
#: ALPHA: Ruby `[[:alpha:]]`: letters and marks.
WORD, ALNUM, ALPHA = _build()
