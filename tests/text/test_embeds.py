"""The embedded player of a preview card: one https iframe, rebuilt and sandboxed, or nothing."""

from __future__ import annotations

import pytest

from fedi.text.embeds import SANDBOX, https_iframe


def test_one_https_iframe_is_rebuilt_with_only_its_safe_attributes():
    html = (
        '<iframe src="https://player.example/v/1?a=1&amp;b=2" width="640" height="360" '
        'frameborder="0" onload="steal()" style="position:fixed" srcdoc="<script>" '
        "allowfullscreen></iframe>"
    )
    assert https_iframe(html) == (
        '<iframe src="https://player.example/v/1?a=1&amp;b=2" width="640" height="360"'
        f' allowfullscreen sandbox="{SANDBOX}"></iframe>'
    )


@pytest.mark.parametrize(
    "html",
    [
        "",
        '<script src="https://player.example/x.js"></script>',
        '<iframe src="http://player.example/v/1"></iframe>',  # not https
        '<iframe src="javascript:alert(1)"></iframe>',
        '<iframe src="//player.example/v/1"></iframe>',  # no scheme
        '<iframe src="https://user:pw@player.example/"></iframe>',
        "<iframe></iframe>",
        '<iframe src="https://a.example/"></iframe><iframe src="https://b.example/"></iframe>',
        '<iframe src="https://a.example/"></iframe><script>alert(1)</script>',
        '<div><iframe src="https://a.example/"></iframe></div>',
        'Watch: <iframe src="https://a.example/"></iframe>',
        '<iframe src="https://wren.test/statuses/1"></iframe>',  # our own pages
    ],
)
def test_anything_else_is_dropped(html):
    assert https_iframe(html, own_host="wren.test") == ""


def test_odd_sizes_are_left_out():
    html = '<iframe src="https://a.example/" width="99999" height="-5"></iframe>'
    assert https_iframe(html) == f'<iframe src="https://a.example/" sandbox="{SANDBOX}"></iframe>'
