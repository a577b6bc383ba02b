from urllib.parse import quote

import pytest

from fedi.text.render import (
    MentionTarget,
    Rendered,
    render_field_value,
    render_plain_note,
    render_status,
    status_length,
)

ALICE = MentionTarget("alice", None, "https://wren.example/@alice", key=1)
REMOTE_ALICE = MentionTarget("alice", "remote.example", "https://remote.example/@alice", key=2)
BOB = MentionTarget("bob", "bücher.example", "https://bücher.example/users/bob", key=3)
ACCOUNTS = {
    ("alice", None): ALICE,
    ("alice", "wren.example"): ALICE,  # the local domain spelled out
    ("alice", "remote.example"): REMOTE_ALICE,
    ("bob", "bücher.example"): BOB,
}


class Directory:
    """A resolver that records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def __call__(self, username: str, domain: str | None) -> MentionTarget | None:
        self.calls.append((username, domain))
        return ACCOUNTS.get((username.lower(), domain.lower() if domain else None))


def tag_url(name: str) -> str:
    return f"https://wren.example/tags/{quote(name)}"


def render(text: str) -> Rendered:
    return render_status(text, resolve_mention=Directory(), tag_url=tag_url)


def html(text: str) -> str:
    return render(text).html


def link(href: str, invisible: str, visible: str, rest: str = "", ellipsis: bool = False) -> str:
    return (
        f'<a href="{href}" target="_blank" rel="nofollow noopener noreferrer" translate="no">'
        f'<span class="invisible">{invisible}</span>'
        f'<span class="{"ellipsis" if ellipsis else ""}">{visible}</span>'
        f'<span class="invisible">{rest}</span></a>'
    )


def mention(href: str, name: str) -> str:
    return (
        f'<span class="h-card" translate="no"><a href="{href}" class="u-url mention">'
        f"@<span>{name}</span></a></span>"
    )


# --- paragraphs and escaping ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("text", "<p>text</p>"),
        ("line\nfeed", "<p>line<br />feed</p>"),
        ("one\n\ntwo", "<p>one</p><p>two</p>"),
        ("one\n\n\n\ntwo\nthree", "<p>one</p><p>two<br />three</p>"),
        ("windows\r\nline\r\n\r\nends", "<p>windows<br />line</p><p>ends</p>"),
        ("  \n padded \n\n", "<p>padded</p>"),
        ("a\n \nb", "<p>a<br /> <br />b</p>"),  # a line of spaces is not a blank line
        ("", ""),
        (" \n\t ", ""),
    ],
)
def test_paragraphs_and_line_breaks(text, expected):
    assert html(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '<script>alert("Hello")</script>',
            "<p>&lt;script&gt;alert(&quot;Hello&quot;)&lt;/script&gt;</p>",
        ),
        (
            "<img src=\"javascript:alert('XSS');\">",
            "<p>&lt;img src=&quot;javascript:alert(&#39;XSS&#39;);&quot;&gt;</p>",
        ),
        ("Tom & Jerry <3", "<p>Tom &amp; Jerry &lt;3</p>"),
        ("&amp; stays literal", "<p>&amp;amp; stays literal</p>"),
        ("http://www\\.google\\.com", "<p>http://www\\.google\\.com</p>"),
    ],
)
def test_html_in_text_is_escaped(text, expected):
    assert html(text) == expected


# --- links ------------------------------------------------------------------------------------


def test_short_link():
    assert (
        html("https://example.com")
        == f"<p>{link('https://example.com', 'https://', 'example.com')}</p>"
    )


def test_www_is_hidden_with_the_scheme():
    assert html("http://www.example.com/") == (
        f"<p>{link('http://www.example.com/', 'http://www.', 'example.com/')}</p>"
    )


def test_long_link_is_cut_after_30_characters():
    assert html("lorem https://prepitaph.org/wip/web-dovespair/ ipsum") == (
        "<p>lorem "
        + link(
            "https://prepitaph.org/wip/web-dovespair/",
            "https://",
            "prepitaph.org/wip/web-dovespai",
            "r/",
            ellipsis=True,
        )
        + " ipsum</p>"
    )


def test_link_one_character_too_long_is_not_cut():
    rendered = html("lorem https://prepitaph.org/wip/web-devspair/ ipsum")
    assert (
        '<span class="">prepitaph.org/wip/web-devspair/</span><span class="invisible"></span>'
        in rendered
    )


def test_link_of_exactly_30_characters_is_not_cut():
    url = "https://" + "a" * 26 + ".com"
    assert f'<span class="">{"a" * 26}.com</span><span class="invisible"></span>' in html(url)


def test_link_with_query_and_fragment_is_escaped_in_href_and_text():
    rendered = render("see https://example.com/?a=1&b='2'#top.")
    assert rendered.links == ["https://example.com/?a=1&b='2'#top"]
    assert rendered.html == (
        "<p>see "
        + link(
            "https://example.com/?a=1&amp;b=&#39;2&#39;#top",
            "https://",
            "example.com/?a=1&amp;b=&#39;2&#39;#top",
        )
        + ".</p>"
    )


def test_link_followed_by_period_and_in_parentheses():
    assert (
        html("(https://example.com/a).")
        == f"<p>({link('https://example.com/a', 'https://', 'example.com/a')}).</p>"
    )


def test_markup_after_url_is_escaped_not_linked():
    rendered = html('http://example.com/blahblahblahblah/a<script>alert("Hello")</script>')
    assert '"http://example.com/blahblahblahblah/a"' in rendered
    assert "&lt;script&gt;alert(&quot;Hello&quot;)&lt;/script&gt;" in rendered
    assert "<script>" not in rendered


def test_links_are_listed_once_in_order():
    rendered = render("https://b.example https://a.example https://b.example")
    assert rendered.links == ["https://b.example", "https://a.example"]


# --- hashtags ---------------------------------------------------------------------------------


def test_hashtag_html():
    assert html("#hashtag") == (
        '<p><a href="https://wren.example/tags/hashtag" class="mention hashtag" rel="tag">'
        "#<span>hashtag</span></a></p>"
    )


def test_unicode_hashtag_links_to_escaped_url_and_keeps_display_form():
    assert (
        '/tags/hashtag%E3%82%BF%E3%82%B0" class="mention hashtag" rel="tag">'
        "#<span>hashtagタグ</span></a>" in html("#hashtagタグ")
    )


def test_tags_deduplicated_by_normalised_name_keeping_first_display_form():
    full_width = "\uff46\uff45\uff44\uff49\uff56\uff45\uff52\uff53\uff45"  # full-width "fediverse"
    rendered = render(f"#Fediverse #fediverse #FEDIVERSE #{full_width} #Other")
    assert rendered.tags == ["Fediverse", "Other"]
    assert "#<span>FEDIVERSE</span>" in rendered.html


def test_number_sign_is_not_a_hashtag():
    assert html("issue #123") == "<p>issue #123</p>"


# --- mentions ---------------------------------------------------------------------------------


def test_resolved_mention():
    rendered = render("@alice hi")
    assert rendered.html == f"<p>{mention('https://wren.example/@alice', 'alice')} hi</p>"
    assert rendered.mentions == [ALICE]


def test_unresolved_mention_stays_text():
    rendered = render("hello @nobody@nowhere.example <3")
    assert rendered.html == "<p>hello @nobody@nowhere.example &lt;3</p>"
    assert rendered.mentions == []


def test_mention_shows_the_account_username_not_what_was_typed():
    assert mention("https://wren.example/@alice", "alice") in html("@ALICE")


def test_remote_mention_shows_only_the_username():
    rendered = render("@bob@bücher.example")
    assert rendered.html == f"<p>{mention('https://bücher.example/users/bob', 'bob')}</p>"
    assert rendered.mentions == [BOB]


def test_same_username_on_two_servers_shows_domains():
    rendered = render("@alice and @alice@remote.example")
    assert mention("https://wren.example/@alice", "alice") in rendered.html
    assert mention("https://remote.example/@alice", "alice@remote.example") in rendered.html
    assert rendered.mentions == [ALICE, REMOTE_ALICE]


def test_mentions_resolved_once_and_deduplicated():
    directory = Directory()
    rendered = render_status(
        "@alice @Alice @alice@wren.example @nobody @nobody",
        resolve_mention=directory,
        tag_url=tag_url,
    )
    assert directory.calls == [("alice", None), ("alice", "wren.example"), ("nobody", None)]
    assert rendered.mentions == [ALICE]
    assert rendered.html.count('class="u-url mention"') == 3


def test_email_address_is_not_a_mention():
    directory = Directory()
    rendered = render_status(
        "write to alice@example.com", resolve_mention=directory, tag_url=tag_url
    )
    assert rendered.html == "<p>write to alice@example.com</p>"
    assert directory.calls == []


def test_mention_in_url_is_part_of_the_link():
    rendered = render("https://remote.example/@alice")
    assert rendered.mentions == []
    assert rendered.links == ["https://remote.example/@alice"]


# --- everything together ----------------------------------------------------------------------


def test_full_status():
    text = "Hi @alice!\nRead https://example.com/post #News\n\nBye <3"
    rendered = render(text)
    assert rendered.html == (
        f"<p>Hi {mention('https://wren.example/@alice', 'alice')}!<br />"
        f"Read {link('https://example.com/post', 'https://', 'example.com/post')} "
        '<a href="https://wren.example/tags/News" class="mention hashtag" rel="tag">'
        "#<span>News</span></a>"
        "</p><p>Bye &lt;3</p>"
    )
    assert rendered == Rendered(
        html=rendered.html, mentions=[ALICE], tags=["News"], links=["https://example.com/post"]
    )


def test_plain_note_is_rendered_like_a_status():
    text = "Hi @alice, see #Wren\n\nhttps://example.com"
    note = render_plain_note(text, resolve_mention=Directory(), tag_url=tag_url)
    assert note == render(text)


def test_field_value_is_one_line_with_rel_me_and_domains():
    rendered = render_field_value(
        "https://me.example @alice", resolve_mention=Directory(), tag_url=tag_url
    )
    assert rendered.html == (
        '<a href="https://me.example" target="_blank" rel="nofollow noopener noreferrer me" '
        'translate="no"><span class="invisible">https://</span><span class="">me.example</span>'
        f'<span class="invisible"></span></a> {mention("https://wren.example/@alice", "alice")}'
    )
    remote = render_field_value("@bob@bücher.example", resolve_mention=Directory(), tag_url=tag_url)
    assert "@<span>bob@bücher.example</span>" in remote.html


# --- length -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("", 0),
        ("hello", 5),
        ("  hello\n", 5),
        ("https://example.com/" + "a" * 200, 23),
        ("see http://a.co", 4 + 23),
        ("@bob@bücher.example", 4),
        ("@alice", 6),
        ("example.com", 11),  # not a link without a scheme
        ("👍🏽👨‍👩‍👧🇫🇷", 3),
        ("e\u0301", 1),
        ("日本語", 3),
    ],
)
def test_status_length(text, length):
    assert status_length(text) == length


def test_status_length_adds_content_warning():
    assert status_length("body", spoiler_text=" spoiler ") == 11


def test_mention_inside_url_counts_as_part_of_the_url():
    assert status_length("https://example.com/@alice@remote.example") == 23
