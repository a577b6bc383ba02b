"""Custom emoji in text: finding `:shortcode:` names, and showing them as images in HTML.

A shortcode is Mastodon's: two or more ASCII letters, digits or underscores between colons.
Names are found overlapping (`:a::b:` has both, `:no:yes:` has `:no:` and `:yes:`), so a
colon closing a name that is not an emoji may open the next one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from markupsafe import Markup, escape

SHORTCODE_RE = re.compile(r"[a-zA-Z0-9_]{2,}")
_SCAN = re.compile(r":([a-zA-Z0-9_]{2,}):")
# A tag of sanitised or rendered HTML: quoted attribute values may hold ">".
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")


def valid_shortcode(name: str) -> bool:
    return SHORTCODE_RE.fullmatch(name or "") is not None


def _scan(text: str) -> Iterable[re.Match[str]]:
    pos = 0
    while True:
        match = _SCAN.search(text, pos)
        if match is None:
            return
        yield match
        pos = match.end() - 1  # the closing colon may open the next name


def shortcodes(*texts: str | None) -> set[str]:
    """Every name between colons in `texts` (a superset of the emoji they use)."""
    return {m.group(1) for text in texts if text and ":" in text for m in _scan(text)}


def _replace(text: str, image: Callable[[str], str | None]) -> str:
    """`text` with each known `:name:` swapped for image(name) (already markup)."""
    out, pos = [], 0
    search = 0
    while True:
        match = _SCAN.search(text, search)
        if match is None:
            break
        tag = image(match.group(1))
        if tag is None:
            search = match.end() - 1
            continue
        out.append(text[pos : match.start()])
        out.append(tag)
        pos = search = match.end()
    out.append(text[pos:])
    return "".join(out)


def img(shortcode: str, src: str) -> str:
    name = f":{shortcode}:"
    return f'<img class=emoji alt="{name}" title="{name}" src="{escape(src)}" draggable=false>'


def emojify_html(html: str, sources: Mapping[str, str]) -> Markup:
    """Safe HTML (rendered by us or sanitised) with the emoji of `sources` (shortcode -> image
    URL) shown as images; only text between tags changes."""
    if not sources or ":" not in html:
        return Markup(html)
    parts = _TAG.split(html)
    tags = _TAG.findall(html)
    out = []
    for index, part in enumerate(parts):
        if ":" in part:
            part = _replace(
                part, lambda code: img(code, sources[code]) if code in sources else None
            )
        out.append(part)
        if index < len(tags):
            out.append(tags[index])
    return Markup("".join(out))


def emojify_text(text: str, sources: Mapping[str, str]) -> Markup:
    """Plain text (a display name, a spoiler warning) escaped, with the emoji shown."""
    escaped = str(escape(text or ""))
    if not sources or ":" not in escaped:
        return Markup(escaped)
    return Markup(
        _replace(escaped, lambda code: img(code, sources[code]) if code in sources else None)
    )
