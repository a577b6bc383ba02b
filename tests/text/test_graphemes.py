import pytest

from fedi.text.graphemes import count_graphemes


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0),
        ("abc", 3),
        ("\r\n", 1),
        ("\n\n", 2),
        ("e\u0301", 1),  # combining acute accent
        ("हिन्दी", 3),  # Devanagari with vowel signs and virama
        ("👍🏽", 1),  # skin-tone modifier
        ("👨‍👩‍👧‍👦", 1),  # ZWJ family
        ("❤️", 1),  # variation selector
        ("🇫🇷🇩🇪", 2),  # two flags
        ("🇫🇷🇩", 2),  # a flag and a lone regional indicator
        ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", 1),  # Scotland
        ("\u1100\u1161\u11a8", 1),  # Hangul jamo L V T
        ("한국어", 3),
        ("a\u200db", 2),  # ZWJ between letters joins nothing after it
        ("ｶﾞ", 1),  # half-width katakana with voicing mark
    ],
)
def test_count_graphemes(text, count):
    assert count_graphemes(text) == count
