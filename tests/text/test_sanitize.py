import pytest

from fedi.text.render import MentionTarget, render_status
from fedi.text.sanitize import html_to_text, sanitize_remote_html

REL = 'target="_blank" rel="nofollow noopener noreferrer"'


def test_mastodon_status_html_survives():
    html = (
        '<p><span class="h-card" translate="no"><a href="https://m.example/@bob" '
        'class="u-url mention">@<span>bob</span></a></span> see '
        '<a href="https://example.com/a" target="_blank" rel="nofollow noopener noreferrer" '
        'translate="no"><span class="invisible">https://</span><span class="">example.com/a</span>'
        '<span class="invisible"></span></a> '
        '<a href="https://m.example/tags/Wren" class="mention hashtag" rel="tag">'
        "#<span>Wren</span></a></p>"
    )
    assert sanitize_remote_html(html) == (
        '<p><span class="h-card" translate="no"><a href="https://m.example/@bob" '
        f'class="u-url mention" {REL}>@<span>bob</span></a></span> see '
        f'<a href="https://example.com/a" translate="no" {REL}>'
        '<span class="invisible">https://</span><span>example.com/a</span>'
        '<span class="invisible"></span></a> '
        f'<a href="https://m.example/tags/Wren" class="mention hashtag" {REL}>'
        "#<span>Wren</span></a></p>"
    )


def test_locally_rendered_html_is_stable_apart_from_link_attributes():
    rendered = render_status(
        "Hi @alice\nhttps://example.com #tag",
        resolve_mention=lambda u, d: MentionTarget(u, d, "https://wren.example/@alice"),
        tag_url=lambda name: f"https://wren.example/tags/{name}",
    ).html
    assert html_to_text(sanitize_remote_html(rendered)) == html_to_text(rendered)
    assert sanitize_remote_html(sanitize_remote_html(rendered)) == sanitize_remote_html(rendered)


@pytest.mark.parametrize(
    "html",
    [
        "<p>a<br>b</p>",
        "<p><del>x</del> <s>y</s> <em>z</em> <strong>w</strong> <b>b</b> <i>i</i> <u>u</u></p>",
        "<pre><code>x = 1\n  y</code></pre>",
        "<blockquote><p>quoted</p></blockquote>",
        "<ul><li>one</li><li>two</li></ul>",
        '<ol start="3" reversed=""><li value="7">x</li></ol>',
        "<p><ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby></p>",
        '<p lang="de">Hallo</p>',
        '<p class="quote-inline">RE: x</p>',
    ],
)
def test_allowed_markup_is_kept(html):
    assert sanitize_remote_html(html) == html


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<script>alert(1)</script><p>hi</p>", "<p>hi</p>"),
        ("<style>p { color: red }</style><p>hi</p>", "<p>hi</p>"),
        ('<p>x<img src="x" onerror="alert(1)"></p>', "<p>x</p>"),
        ('<p onclick="alert(1)" style="color:red" id="x">hi</p>', "<p>hi</p>"),
        ('<span style="font-size:99em">big</span>', "<span>big</span>"),
        ("<div><section>text</section></div>", "text"),
        ('<iframe src="https://evil.example"></iframe>ok', "ok"),
        ("<svg><script>alert(1)</script><text>t</text></svg>ok", "ok"),
        ("<math><mi>x</mi></math>ok", "ok"),
        ("<!-- secret --><p>hi</p>", "<p>hi</p>"),
        ("<p>unclosed <b>bold", "<p>unclosed <b>bold</b></p>"),
        ("<sub>2</sub><sup>3</sup>", "23"),
        ('<form action="x"><input value="v"><button>b</button></form>', "b"),
    ],
)
def test_dangerous_or_unknown_markup_is_removed(html, expected):
    assert sanitize_remote_html(html) == expected


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java&#x09;script:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "/relative/path",
        "//evil.example/x",
        "ftp://example.com/",
        "mailto:a@example.com",
    ],
)
def test_link_with_unsupported_href_becomes_its_text(href):
    assert sanitize_remote_html(f'<p>go <a href="{href}">click <b>me</b></a>!</p>') == (
        "<p>go click <b>me</b>!</p>"
    )


def test_anchor_without_href_becomes_its_text():
    assert sanitize_remote_html('<a name="x">text</a>') == "text"


@pytest.mark.parametrize(
    "href",
    [
        "https://example.com/?a=1&amp;b=2",
        "http://example.com/",
        "gemini://example.org/",
        "ipfs://bafy/",
        "magnet:?xt=urn:btih:abc",
        "xmpp:room@muc.example?join",
        "ssb://x",
        "dat://x",
    ],
)
def test_allowed_schemes_are_linked_with_safe_rel_and_target(href):
    assert sanitize_remote_html(f'<a href="{href}" rel="me" target="_self">x</a>') == (
        f'<a href="{href}" {REL}>x</a>'
    )


def test_disallowed_classes_are_stripped_and_microformats_kept():
    html = (
        '<p class="evil h-entry">'
        '<a href="https://x.example" '
        'class="u-url mention hashtag btn-danger p-name dt-published e-content">a</a>'
        '<span class="ellipsis invisible hidden status">b</span>'
        '<span class="fa fa-icon">c</span></p>'
    )
    assert sanitize_remote_html(html) == (
        '<p class="h-entry">'
        '<a href="https://x.example" '
        f'class="u-url mention hashtag p-name dt-published e-content" {REL}>a</a>'
        '<span class="ellipsis invisible">b</span>'
        "<span>c</span></p>"
    )


def test_class_not_allowed_on_other_elements():
    assert sanitize_remote_html('<strong class="h-card">x</strong>') == "<strong>x</strong>"


def test_translate_attribute_kept_only_as_no():
    html = '<span translate="no">a</span><span translate="yes">b</span>'
    assert sanitize_remote_html(html) == '<span translate="no">a</span><span>b</span>'


def test_headings_become_bold_paragraphs():
    assert sanitize_remote_html("<h1>Title</h1><h3>Sub</h3><p>x</p>") == (
        "<p><strong>Title</strong></p><p><strong>Sub</strong></p><p>x</p>"
    )


def test_entities_and_text_stay_escaped():
    html = "<p>a &amp; b &lt;script&gt;alert(1)&lt;/script&gt; &nbsp;</p>"
    assert sanitize_remote_html(html) == html


def test_attribute_breaking_attempts_are_neutralised():
    html = '<a href="https://x.example/&quot;onmouseover=&quot;alert(1)">x</a>'
    assert sanitize_remote_html(html) == (
        f'<a href="https://x.example/&quot;onmouseover=&quot;alert(1)" {REL}>x</a>'
    )


@pytest.mark.parametrize("html", [None, ""])
def test_empty_input(html):
    assert sanitize_remote_html(html) == ""
    assert html_to_text(html) == ""


# --- html_to_text -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Hello<br>world</p>", "Hello\nworld"),
        ("<p>Hello<br />world</p>", "Hello\nworld"),
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ("<p>one</p>\n\n\n<p>two</p>", "one\n\ntwo"),
        (
            "<p>a &amp; b &lt;c&gt; &#39;d&#39; &quot;e&quot; caf&eacute;</p>",
            "a & b <c> 'd' \"e\" café",
        ),
        (
            '<p><a href="https://example.com/long"><span class="invisible">https://</span>'
            '<span class="ellipsis">example.com/lo</span><span class="invisible">ng</span></a></p>',
            "https://example.com/long",
        ),
        ('<p><span class="h-card"><a href="x">@<span>bob</span></a></span> hi</p>', "@bob hi"),
        ("<p>x</p><script>alert(1)</script><style>p{}</style>", "x"),
        ("<ul><li>one</li><li>two</li></ul><p>after</p>", "one\ntwo\n\nafter"),
        ("<blockquote><p>quoted</p></blockquote><p>reply</p>", "quoted\n\nreply"),
        ("plain text", "plain text"),
        ("<h1>Title</h1>body", "Title\n\nbody"),
    ],
)
def test_html_to_text(html, text):
    assert html_to_text(html) == text
