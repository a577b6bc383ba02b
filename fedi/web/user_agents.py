"""A browser and its system, named from a User-Agent header for the sessions page ("Firefox on
Linux"). Only the common browsers and systems: a summary for a person, not a detection library;
anything else is "Unknown browser" / "unknown system"."""

from __future__ import annotations

import re

# First match wins, so browsers built on another's engine come before it (Edge and Opera say
# "Chrome" too, Chrome says "Safari").
BROWSERS = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Vivaldi", re.compile(r"\bVivaldi/")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"\b(?:Chrome|CriOS|HeadlessChrome|Chromium)/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*\bSafari/")),
    ("curl", re.compile(r"^curl/")),
)
SYSTEMS = (
    ("iOS", re.compile(r"\b(?:iPhone|iPad|iPod)\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b|\bX11\b")),
)


def _first(table: tuple[tuple[str, re.Pattern[str]], ...], text: str) -> str | None:
    return next((name for name, pattern in table if pattern.search(text)), None)


def describe(user_agent: str | None) -> str:
    text = user_agent or ""
    browser = _first(BROWSERS, text) or "Unknown browser"
    system = _first(SYSTEMS, text)
    return f"{browser} on {system}" if system else browser
