import random
import re
import time

import pytest

from fedi.text import parse
from fedi.text.chars import WORD
from fedi.text.parse import Hashtag, Mention, Url


def mentions(text: str) -> list[str]:
    return [text[m.start : m.end] for m in parse.extract_mentions(text)]


def tags(text: str) -> list[str]:
    return [t.name for t in parse.extract_hashtags(text)]


def urls(text: str) -> list[str]:
    return [u.url for u in parse.extract_urls(text)]


# --- mentions ---------------------------------------------------------------------------------


def test_mention_at_start_has_position_and_no_domain():
    assert parse.extract_mentions("@alice hello") == [Mention(0, 6, "alice", None)]


def test_remote_mention_keeps_case_as_typed():
    (mention,) = parse.extract_mentions("hi @Alice@Mastodon.Social!")
    assert (mention.username, mention.domain, mention.acct) == (
        "Alice",
        "Mastodon.Social",
        "Alice@Mastodon.Social",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(@alice)", ["@alice"]),
        ("@alice, @bob: hi", ["@alice", "@bob"]),
        ("cc:@alice", ["@alice"]),
        ("@alice.", ["@alice"]),
        ("@alice@example.com.", ["@alice@example.com"]),
        ("@a.b-c_d. end", ["@a.b-c_d"]),
        ("@alice@sub.example-host.org?", ["@alice@sub.example-host.org"]),
        ("@alice@ドメイン.jp", ["@alice@ドメイン.jp"]),
        ("@alice@bücher.example", ["@alice@bücher.example"]),
        ("line\n@alice", ["@alice"]),
        ("「@alice」", ["@alice"]),
        ("@alice@127.0.0.1:3000 hi", ["@alice@127.0.0.1:3000"]),  # an instance off port 443
        ("@alice@example.com: hi", ["@alice@example.com"]),
        ("@alice@example.com:30a", ["@alice@example.com"]),
    ],
)
def test_mentions_found(text, expected):
    assert mentions(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "mail me at alice@example.com",  # e-mail address
        "alice_@bob",  # preceded by a word character
        "https://example.com/@alice",  # inside a URL path
        "key=@value",
        "@josé",  # followed by a Latin accented letter
        "@a@b@c",  # followed by another at sign
        "@alice://x",
        "@",
        "@.alice",
        "@-alice",
    ],
)
def test_not_mentions(text):
    assert mentions(text) == []


# --- hashtags ---------------------------------------------------------------------------------


def test_hashtag_position_and_display_form():
    assert parse.extract_hashtags("I like #Python!") == [Hashtag(7, 14, "Python")]
    assert parse.extract_hashtags("I like #Python!")[0].normalized == "python"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#tag", ["tag"]),
        ("#tag.", ["tag"]),
        ("(#tag)", ["tag"]),
        ("#one #two,#three", ["one", "two", "three"]),
        ("#hashtagタグ", ["hashtagタグ"]),
        ("#Café au lait", ["Café"]),
        ("#ελληνικά", ["ελληνικά"]),
        ("#123abc", ["123abc"]),
        ("#abc123", ["abc123"]),
        ("#snake_case", ["snake_case"]),
        ("#a_", ["a_"]),
        ("#1_2", ["1_2"]),  # an inner separator is enough
        ("#2·8·3のつく日", ["2·8·3のつく日"]),  # middle dots inside
        ("#hello·", ["hello"]),  # but not at the end
        ("\uff03全角", ["全角"]),  # full-width number sign
        ("#हिन्दी", ["हिन्दी"]),  # combining marks are part of the word
        ("#foohttps://example.com", ["foo"]),
    ],
)
def test_hashtags_found(text, expected):
    assert tags(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "#123",
        "#1",
        "#12.5",
        "a#tag",
        "x)#tag",
        "https://example.com/#tag",
        "/#tag",
        "#",
        "#_",
        "# tag",
    ],
)
def test_not_hashtags(text):
    assert tags(text) == []


def test_hashtag_scan_matches_mastodon_regex_on_random_text():
    # The literal Mastodon pattern backtracks badly on long input but is the reference.
    reference = re.compile(rf"(?<![/){WORD}])[#\uff03]({parse.HASHTAG_NAME_RE.pattern})")
    alphabet = "a1_·・\u200c#\uff03 /)é2\u0301x."
    rng = random.Random(1234)
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14)))
        expected = [(m.start(), m.group(1)) for m in reference.finditer(text)]
        assert [(t.start, t.name) for t in parse.extract_hashtags(text)] == expected, text


def test_hashtag_scan_is_linear_on_pathological_input():
    started = time.perf_counter()
    parse.extract_hashtags("#1" + "·" * 50_000)
    parse.extract_hashtags("#" * 50_000)
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    ("name", "normalized"),
    [
        ("Python", "python"),
        ("CAFÉ", "café"),
        ("ｃａｆé", "café"),  # full-width letters
        ("Straße", "strasse"),
        ("ﬁsh", "fish"),  # ligature
        ("タグ", "タグ"),
    ],
)
def test_normalize_tag(name, normalized):
    assert parse.normalize_tag(name) == normalized
    assert parse.normalize_tag(normalized) == normalized


def test_is_valid_tag_name():
    assert parse.is_valid_tag_name("fediverse")
    assert parse.is_valid_tag_name("2·8")
    assert not parse.is_valid_tag_name("123")
    assert not parse.is_valid_tag_name("two words")
    assert not parse.is_valid_tag_name("")


# --- URLs -------------------------------------------------------------------------------------

# Cases from Mastodon's own TextFormatter spec: text -> the URL it links.
MASTODON_URL_CASES = [
    (
        "https://hackernoon.com/the-power-to-build-communities-a-response-to-mark-zuckerberg-3f2cac9148a4",
        "https://hackernoon.com/the-power-to-build-communities-a-response-to-mark-zuckerberg-3f2cac9148a4",
    ),
    ("http://google.com", "http://google.com"),
    ("http://example.gay", "http://example.gay"),
    ("https://nic.みんな/", "https://nic.みんな/"),
    (
        "http://www.mcmansionhell.com/post/156408871451/"
        "50-states-of-mcmansion-hell-scottsdale-arizona. ",
        "http://www.mcmansionhell.com/post/156408871451/"
        "50-states-of-mcmansion-hell-scottsdale-arizona",
    ),
    ("(http://google.com/)", "http://google.com/"),
    ("http://www.google.com!", "http://www.google.com"),
    ("http://www.google.com'", "http://www.google.com"),
    ("http://www.google.com>", "http://www.google.com"),
    (
        "https://www.ruby-toolbox.com/search?utf8=%E2%9C%93&q=autolink",
        "https://www.ruby-toolbox.com/search?utf8=%E2%9C%93&q=autolink",
    ),
    (
        "https://www.ruby-toolbox.com/search?utf8=✓&q=autolink",
        "https://www.ruby-toolbox.com/search?utf8=✓&q=autolink",
    ),
    ("https://www.ruby-toolbox.com/search?utf8=✓", "https://www.ruby-toolbox.com/search?utf8=✓"),
    (
        "https://en.wikipedia.org/wiki/Diaspora_(software)",
        "https://en.wikipedia.org/wiki/Diaspora_(software)",
    ),
    ('"https://example.com/"', "https://example.com/"),
    ("<https://example.com/>", "https://example.com/"),
    ("https://ja.wikipedia.org/wiki/日本", "https://ja.wikipedia.org/wiki/日本"),
    ("https://ko.wikipedia.org/wiki/대한민국", "https://ko.wikipedia.org/wiki/대한민국"),
    ("https://example.com/\u3000abc123", "https://example.com/"),
    ("「[https://example.org/」", "https://example.org/"),
    ("https://baike.baidu.com/item/中华人民共和国", "https://baike.baidu.com/item/中华人民共和国"),
    ("https://gta.fandom.com/wiki/TW@ Content", "https://gta.fandom.com/wiki/TW@"),
    ("https://gta.fandom.com/wiki/TW @admin", "https://gta.fandom.com/wiki/TW"),
    ("http://example.com/b<del>b</del>", "http://example.com/b"),
]


@pytest.mark.parametrize(("text", "expected"), MASTODON_URL_CASES)
def test_urls_like_mastodon(text, expected):
    assert urls(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://example.com/a?b=c&d=e#frag, ok", "https://example.com/a?b=c&d=e#frag"),
        ("https://example.com/path?q=1.", "https://example.com/path?q=1"),
        ("(see https://example.com/foo)", "https://example.com/foo"),
        (
            "https://en.wikipedia.org/wiki/Diaspora_(software)).",
            "https://en.wikipedia.org/wiki/Diaspora_(software)",
        ),
        ("https://example.com/page,", "https://example.com/page"),
        ("https://example.com:8443/x;", "https://example.com:8443/x"),
        ("HTTPS://Example.COM/X", "HTTPS://Example.COM/X"),
        ("gemini://example.org/gemlog/", "gemini://example.org/gemlog/"),
        ("https://mastodon.social/@Gargron", "https://mastodon.social/@Gargron"),
        ("https://xn--n3h.example/", "https://xn--n3h.example/"),
        ("https://example.com?x=1", "https://example.com?x=1"),
    ],
)
def test_urls_found(text, expected):
    assert urls(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "http://www\\.google\\.com",  # Mastodon's "invalid URL" case
        "example.com without a scheme",
        "ftp://example.com/file",
        "javascript://example.com/%0Aalert(1)",
        "xhttps://example.com",  # preceded by a letter
        "#https://example.com",
        "https://localhost/",
        "https://192.168.0.1/",
        "https://a.com@evil.example",  # userinfo is not linked
        "https://" + "a" * 64 + ".com",  # label too long for IDNA
    ],
)
def test_not_urls(text):
    assert urls(text) == []


def test_url_longer_than_limit_is_not_linked():
    assert urls("https://example.com/" + "a" * 5000) == []


def test_url_positions():
    text = "a https://example.com/x. b"
    assert parse.extract_urls(text) == [Url(2, 23, "https://example.com/x")]
    assert text[2:23] == "https://example.com/x"


# --- all entities -----------------------------------------------------------------------------


def test_entities_are_sorted_and_do_not_overlap():
    text = "@alice see https://example.com/@bob?tag=#x and #tag @carol@x.org"
    assert parse.extract_entities(text) == [
        Mention(0, 6, "alice", None),
        Url(11, 42, "https://example.com/@bob?tag=#x"),
        Hashtag(47, 51, "tag"),
        Mention(52, 64, "carol", "x.org"),
    ]


def test_entity_inside_url_is_dropped():
    entities = parse.extract_entities("https://example.com/a,#tag")
    assert entities == [Url(0, 26, "https://example.com/a,#tag")]


def test_remove_overlapping_keeps_first_starting():
    first, overlapping, later = Url(0, 10, "x"), Hashtag(5, 9, "y"), Mention(10, 12, "z", None)
    assert parse.remove_overlapping([later, overlapping, first]) == [first, later]


def test_empty_text_has_no_entities():
    assert parse.extract_entities("") == []
