"""The embedded player of a preview card (oEmbed `html`): kept only when it is one https
<iframe> and nothing else, rewritten from its parsed attributes (src, width, height,
allowfullscreen) with a sandbox of our own, so no script, style or other markup of the remote
page can reach a client. Anything else is dropped (the card then shows as a link)."""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

MAX_SIZE = 4096  # pixels: a larger width or height is left out
SANDBOX = "allow-scripts allow-same-origin allow-popups allow-presentation"


class _Frames(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.frames: list[dict[str, str | None]] = []
        self.other = False  # any element but <iframe>, or text inside or around it

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "iframe":
            self.frames.append(dict(attrs))
        else:
            self.other = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag != "iframe":
            self.other = True

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.other = True


def _size(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if value.isdigit() and 0 < int(value) <= MAX_SIZE else None


def https_iframe(html: str, *, own_host: str = "") -> str:
    """The one https iframe of `html`, rebuilt and sandboxed; "" when it is anything else, or
    when it points at `own_host` (the sandbox allows scripts and the frame's own origin, which
    is only safe for another site's page)."""
    if not html or not html.strip():
        return ""
    parser = _Frames()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # html.parser gives up on some broken input
        return ""
    if parser.other or len(parser.frames) != 1:
        return ""
    frame = parser.frames[0]
    src = (frame.get("src") or "").strip()
    try:
        parts = urlsplit(src)
    except ValueError:
        return ""
    if parts.scheme.lower() != "https" or not parts.hostname or parts.username or parts.password:
        return ""
    if own_host and (parts.netloc.lower() == own_host.lower() or parts.hostname == own_host):
        return ""
    out = [f'<iframe src="{escape(src)}"']
    for name in ("width", "height"):
        size = _size(frame.get(name))
        if size:
            out.append(f' {name}="{size}"')
    if "allowfullscreen" in frame:
        out.append(" allowfullscreen")
    out.append(f' sandbox="{SANDBOX}"></iframe>')
    return "".join(out)
