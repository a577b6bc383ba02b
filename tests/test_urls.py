"""URLs of local objects and media."""

from __future__ import annotations

from fedi import urls


def test_media_url_prefers_the_local_file_then_the_remote_url_then_the_fallback():
    base = urls.base_url()
    assert urls.media_url("a/b.png", "https://cdn.example/b.png") == f"{base}/media/a/b.png"
    assert urls.media_url(None, "https://cdn.example/b.png") == "https://cdn.example/b.png"
    assert urls.media_url(None, None, "/static/icons/avatar.png") == (
        f"{base}/static/icons/avatar.png"
    )
    assert urls.media_url(None, "") is None and urls.media_url(None) is None
