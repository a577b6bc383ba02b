"""Make remote HTML safe to show, with Mastodon's allow-list, and turn HTML into plain text.

`sanitize_remote_html` keeps only Mastodon's inline and list formatting, microformat and link
classes and a few safe link schemes; links get `target="_blank"` and a fixed `rel`; headings
become bold paragraphs; links to other schemes (or relative ones) become their text.
"""

import re
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = frozenset(
    [
        "p",
        "br",
        "span",
        "a",
        "del",
        "s",
        "pre",
        "blockquote",
        "code",
        "b",
        "strong",
        "u",
        "i",
        "em",
        "ul",
        "ol",
        "li",
        "ruby",
        "rt",
        "rp",
    ]
)
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
LINK_SCHEMES = frozenset(
    {"http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "xmpp", "magnet", "gemini"}
)
LINK_REL = "nofollow noopener noreferrer"
# Elements removed together with everything inside them (Sanitize's defaults).
REMOVED_WITH_CONTENT = frozenset(
    [
        "iframe",
        "math",
        "noembed",
        "noframes",
        "noscript",
        "plaintext",
        "script",
        "style",
        "svg",
        "xmp",
    ]
)
_ATTRIBUTES = {
    "*": {"lang"},
    "a": {"href", "class", "translate"},
    "span": {"class", "translate"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "p": {"class"},
}
_ALLOWED_CLASS_RE = re.compile(r"(?:h|p|u|dt|e)-.*|mention|hashtag|ellipsis|invisible|quote-inline")


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    """Keep only allowed class names, and `translate` only when it is "no"."""
    if name == "class":
        classes = [c for c in re.split(r"[\t\n\f\r ]+", value) if _ALLOWED_CLASS_RE.fullmatch(c)]
        return " ".join(classes) or None
    if name == "translate":
        return value if value == "no" else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS | HEADING_TAGS),
    clean_content_tags=set(REMOVED_WITH_CONTENT),
    attributes=_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    link_rel=LINK_REL,
    set_tag_attribute_values={"a": {"target": "_blank"}},
    url_schemes=set(LINK_SCHEMES),
    url_relative="deny",
    strip_comments=True,
)


class _Rewriter(HTMLParser):
    """Re-emits nh3's output verbatim except for links without href (unwrapped) and headings
    (`<h1>x</h1>` becomes `<p><strong>x</strong></p>`)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self._links: list[bool] = []  # per open <a>: was it kept?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HEADING_TAGS:
            self.out.append("<p><strong>")
        elif tag == "a":
            kept = any(name == "href" for name, _ in attrs)
            self._links.append(kept)
            if kept:
                self.out.append(self.get_starttag_text() or "")
        else:
            self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in HEADING_TAGS:
            self.out.append("</strong></p>")
        elif tag != "a" or (self._links.pop() if self._links else False):
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")


def sanitize_remote_html(html: str | None) -> str:
    """Remote status or bio HTML, reduced to what Mastodon allows. Safe to embed as is."""
    if not html:
        return ""
    rewriter = _Rewriter()
    rewriter.feed(_CLEANER.clean(html))
    rewriter.close()
    return "".join(rewriter.out)


_BLOCK_TAGS = frozenset({"p", "div", "blockquote", "pre", "ul", "ol", "table"} | HEADING_TAGS)
_LINE_TAGS = frozenset({"br", "li", "tr"})


class _TextExtractor(HTMLParser):
    """Collects text: `<br>` and list items start a line, block elements a paragraph."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in REMOVED_WITH_CONTENT:
            self._skipping.append(tag)
        elif tag in _LINE_TAGS:
            self.out.append("\n")
        elif tag in _BLOCK_TAGS:
            self.out.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in REMOVED_WITH_CONTENT:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and tag == self._skipping[-1]:
            self._skipping.pop()
        elif tag in _BLOCK_TAGS and not self._skipping:
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.out.append(data)


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment, for search, notifications and previews: `<br>` is a
    newline, paragraphs are separated by a blank line, entities are decoded, hidden link
    parts are kept (so URLs read in full), scripts and styles are dropped."""
    if not html:
        return ""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    text = "".join(extractor.out)
    text = re.sub(r"[ \t]+(?=\n)", "", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
