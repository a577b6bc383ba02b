"""Custom emoji in text: names found overlapping, images only in text between tags, escaping
kept in names and content warnings."""

from __future__ import annotations

from fedi.text.emoji import emojify_html, emojify_text, shortcodes, valid_shortcode

SOURCES = {"blob": "/media/blob.png", "cat": 'https://x.example/c.png?a=1&b="2"'}


def test_shortcodes_are_found_overlapping_and_checked_as_mastodon():
    assert shortcodes("12:30:45 :no:blob: :a: :cat:", None, "") == {"30", "no", "blob", "cat"}
    assert valid_shortcode("blob_cat2") and not valid_shortcode("a")
    assert not valid_shortcode("no-dash") and not valid_shortcode(":blob:")


def test_only_text_between_tags_changes():
    html = '<p><a href="https://x.example/:blob:" title="a>:blob:">:blob:</a> :cat: :dog:</p>'
    out = emojify_html(html, SOURCES)
    assert out.count("<img") == 2
    assert 'href="https://x.example/:blob:" title="a>:blob:"' in out
    assert 'src="https://x.example/c.png?a=1&amp;b=&#34;2&#34;"' in out
    assert out.endswith(" :dog:</p>")


def test_plain_text_is_escaped_around_the_images():
    out = emojify_text("<b>Alice</b> :no:blob:", SOURCES)
    assert out.startswith("&lt;b&gt;Alice&lt;/b&gt; :no")
    assert out.endswith('alt=":blob:" title=":blob:" src="/media/blob.png" draggable=false>')
    assert emojify_text("<i>", {}) == "&lt;i&gt;"
