"""A small accessibility and structure check for rendered pages (html.parser, no browser):
`<html lang>`, exactly one `<h1>`, alt text on every image, a label (or aria-label /
aria-labelledby / title) on every visible form control, and unique ids."""

from __future__ import annotations

from html.parser import HTMLParser

CONTROLS = {"input", "select", "textarea"}
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.h1 = 0
        self.problems: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, dict[str, str | None], bool]] = []
        self.ids: list[str] = []
        self._label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "img" and a.get("alt") is None:
            self.problems.append(f"<img src={a.get('src')!r}> has no alt")
        elif tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"] or "")
        elif tag in CONTROLS:
            if tag == "input" and (a.get("type") or "text").lower() in UNLABELLED_TYPES:
                return
            self.controls.append((tag, a, self._label_depth > 0))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "label":
            self._label_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label_depth:
            self._label_depth -= 1

    def finish(self) -> list[str]:
        problems = list(self.problems)
        if not self.lang:
            problems.append("<html> has no lang")
        if self.h1 != 1:
            problems.append(f"{self.h1} <h1> elements (want exactly one)")
        for tag, a, wrapped in self.controls:
            named = a.get("aria-label") or a.get("aria-labelledby") or a.get("title")
            if not (wrapped or named or (a.get("id") and a["id"] in self.label_for)):
                problems.append(f"<{tag} name={a.get('name')!r}> has no label")
        duplicates = {i for i in self.ids if self.ids.count(i) > 1}
        if duplicates:
            problems.append(f"duplicate ids: {sorted(duplicates)}")
        return problems


def problems(page: str) -> list[str]:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    return checker.finish()


def assert_accessible(page: str) -> None:
    found = problems(page)
    assert not found, "accessibility problems:\n" + "\n".join(found)
