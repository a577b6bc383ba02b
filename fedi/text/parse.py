"""Find mentions, hashtags and URLs in plain status text, the way Mastodon does.

Every entity carries its `[start, end)` position in the text. `extract_entities` returns them
sorted and without overlaps (the one that starts first wins, so a hashtag or mention inside a
URL is part of the URL), ready for a renderer to replace left to right.
"""

import re
import unicodedata
from dataclasses import dataclass

from fedi.text.chars import ALNUM, ALPHA, WORD

#: Schemes linked when followed by `://` (Mastodon's list).
URL_SCHEMES = frozenset({"http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "gemini"})
MAX_URL_LENGTH = 4096


@dataclass(frozen=True, slots=True)
class Url:
    """A link, `url` exactly as typed."""

    start: int
    end: int
    url: str


@dataclass(frozen=True, slots=True)
class Mention:
    """`@username` or `@username@domain`, both as typed (not case-normalised)."""

    start: int
    end: int
    username: str
    domain: str | None

    @property
    def acct(self) -> str:
        return self.username if self.domain is None else f"{self.username}@{self.domain}"


@dataclass(frozen=True, slots=True)
class Hashtag:
    """`#name`: `name` is the display form as typed; `normalized` is the storage key."""

    start: int
    end: int
    name: str

    @property
    def normalized(self) -> str:
        return normalize_tag(self.name)


Entity = Url | Mention | Hashtag

# --- URLs: Mastodon's patched twitter-text grammar ---------------------------------------------

_UCHARS = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\ue000-\uf8ff"
    + "".join(
        f"{chr(plane << 16)}-{chr((plane << 16) | 0xFFFD)}" for plane in range(1, 17) if plane != 14
    )
    + "\U000e1000-\U000efffd"
)
_PATH_CHAR = r"[^\s<>()?]"
_PARENS = rf"\((?:{_PATH_CHAR}+|{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*)\)"
_PATH_END = rf"(?:[^\s()?!*\"'「」<>;:=,.$%\[\]~&|]|{_PARENS})"
_PATH_SEGMENT = rf"(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*{_PATH_END}|{_PATH_CHAR}+/)"
_QUERY_CHAR = rf"[A-Za-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@^{_UCHARS}]"
_QUERY_END = rf"[A-Za-z0-9_&=#/\-{_UCHARS}]"
_LABEL = rf"[{ALNUM}](?:[{WORD}-]*[{ALNUM}])?"

URL_RE = re.compile(
    rf"(?<![A-Za-z0-9@\uff20$#\uff03])(?P<scheme>[A-Za-z]+)://"
    rf"(?P<host>(?>(?:{_LABEL}\.)+{_LABEL}))(?![{ALNUM}@\uff20])"
    r"(?::[0-9]+)?"
    rf"(?:/{_PATH_SEGMENT}*)?"
    rf"(?:\?{_QUERY_CHAR}*{_QUERY_END})?"
)

# --- Mentions: Account::MENTION_RE ------------------------------------------------------------

MENTION_RE = re.compile(
    rf"(?<![=/{WORD}])@(?P<username>[A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*)"
    # A port after the domain (`@user@127.0.0.1:3000`) belongs to it: instances off port 443.
    rf"(?:@(?P<domain>[{WORD}]+(?:[.-]+[{WORD}]+)*(?::[0-9]{{1,5}}(?![{WORD}]))?))?"
)
# twitter-text rejects a mention directly followed by another at sign, a Latin accented
# letter (so `@josé` is not `@jos`) or `://`.
_MENTION_INVALID_AFTER = re.compile(
    "[@\uff20\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff]|://"
)

# --- Hashtags: Tag::HASHTAG_RE -----------------------------------------------------------------
# Mastodon's name pattern, with W = word chars, S = separators and A = alphabetic chars, is
#   W (W|S)* (A|S) (W|S)* W   |   W* A W*
# Matched literally it backtracks quadratically, so `_tag_name_at` finds the same match in
# linear time (tests compare it against HASHTAG_NAME_RE).

_SEPARATORS = "_\u00b7\u30fb\u200c"
_NON_WORD_SEPARATORS = "\u00b7\u30fb\u200c"
HASHTAG_NAME_RE = re.compile(
    rf"[{WORD}][{WORD}{_SEPARATORS}]*[{ALPHA}{_SEPARATORS}][{WORD}{_SEPARATORS}]*[{WORD}]"
    rf"|[{WORD}]*[{ALPHA}][{WORD}]*"
)
_HASH_RE = re.compile(rf"(?<![/){WORD}])[#\uff03](?=[{WORD}])")
_WORD_RUN_RE = re.compile(rf"[{WORD}]+")
_WORD_SEPARATOR_RUN_RE = re.compile(rf"[{WORD}{_SEPARATORS}]+")
_ALPHA_RE = re.compile(rf"[{ALPHA}]")
_ALPHA_OR_SEPARATOR_RE = re.compile(rf"[{ALPHA}{_SEPARATORS}]")
_TRAILING_SCHEME = re.compile(r"(.+)(https?)\Z", re.DOTALL)


def normalize_tag(name: str) -> str:
    """Storage key of a hashtag: NFKC + casefold, so `#Café`, `#CAFÉ` and `#ｃａｆé` are one tag."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def is_valid_tag_name(name: str) -> bool:
    """Whether `name` (without `#`) is a hashtag Mastodon would accept."""
    return _tag_name_at(name, 0) == name


def extract_urls(text: str) -> list[Url]:
    """Links with a known scheme followed by `://` and a dotted host."""
    if "://" not in text:
        return []
    return [
        Url(m.start(), m.end(), m.group())
        for m in URL_RE.finditer(text)
        if _is_valid_url(m.group("scheme"), m.group("host"), m.group())
    ]


def _is_valid_url(scheme: str, host: str, url: str) -> bool:
    tld = host.rsplit(".", 1)[-1]
    if scheme.lower() not in URL_SCHEMES or len(url) > MAX_URL_LENGTH:
        return False
    if not (tld.isalpha() or tld.lower().startswith("xn--")):
        return False
    try:
        host.encode("idna")
    except UnicodeError:
        return False
    return True


def extract_mentions(text: str) -> list[Mention]:
    """`@user` and `@user@domain`; not inside e-mail addresses, URL paths or `key=@value`."""
    if "@" not in text:
        return []
    mentions = []
    for m in MENTION_RE.finditer(text):
        if _MENTION_INVALID_AFTER.match(text, m.end()):
            continue
        mentions.append(Mention(m.start(), m.end(), m.group("username"), m.group("domain")))
    return mentions


def extract_hashtags(text: str) -> list[Hashtag]:
    """`#tag` with at least one letter (or separator) in it, not after a word char, `/` or `)`."""
    if "#" not in text and "\uff03" not in text:
        return []
    tags = []
    for m in _HASH_RE.finditer(text):
        name = _tag_name_at(text, m.end())
        if name is None:
            continue
        end = m.end() + len(name)
        if text.startswith("://", end):
            # `#foohttps://...`: the scheme belongs to the URL, not the tag.
            trimmed = _TRAILING_SCHEME.match(name)
            if trimmed:
                name = trimmed.group(1)
                end -= len(trimmed.group(2))
        tags.append(Hashtag(m.start(), end, name))
    return tags


def _tag_name_at(text: str, pos: int) -> str | None:
    """The hashtag name HASHTAG_NAME_RE would match at `pos`, found in linear time."""
    words = _WORD_RUN_RE.match(text, pos)
    if words is None:
        return None
    # First alternative: from `pos` to the last word character of the run of word and
    # separator characters, with a letter or separator strictly inside.
    run = _WORD_SEPARATOR_RUN_RE.match(text, pos)
    candidate = run.group().rstrip(_NON_WORD_SEPARATORS) if run else ""
    if len(candidate) >= 3 and _ALPHA_OR_SEPARATOR_RE.search(candidate, 1, len(candidate) - 1):
        return candidate
    # Second alternative: the run of word characters, if it has a letter.
    return words.group() if _ALPHA_RE.search(words.group()) else None


def remove_overlapping(entities: list[Entity]) -> list[Entity]:
    """Sort by position and drop every entity that overlaps one starting before it."""
    kept: list[Entity] = []
    for entity in sorted(entities, key=lambda e: e.start):
        if not kept or kept[-1].end <= entity.start:
            kept.append(entity)
    return kept


def extract_entities(text: str) -> list[Entity]:
    """URLs, hashtags and mentions, sorted by position and non-overlapping."""
    return remove_overlapping(
        [*extract_urls(text), *extract_hashtags(text), *extract_mentions(text)]
    )
