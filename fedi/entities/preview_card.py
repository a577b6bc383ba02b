"""Mastodon's PreviewCard entity (a status's `card`), and the trending link (the card with
seven days of `history`, as a hashtag's)."""

from __future__ import annotations

from typing import Any

from fedi import urls
from fedi.entities.common import iso
from fedi.models import PreviewCard
from fedi.services import trends


def preview_card(card: PreviewCard) -> dict[str, Any]:
    """The picture is served from our media URL (never the remote one: readers' browsers do
    not fetch from the linked site)."""
    return {
        "url": card.url,
        "title": card.title,
        "description": card.description,
        "language": card.language,
        "type": card.type.value,
        "author_name": card.author_name,
        "author_url": card.author_url,
        "provider_name": card.provider_name,
        "provider_url": card.provider_url,
        "html": card.html,
        "width": card.width,
        "height": card.height,
        "image": urls.media_url(card.image_path),
        "image_description": card.image_description,
        "embed_url": card.embed_url,
        "blurhash": card.blurhash,
        "published_at": iso(card.published_at),
        "authors": (
            [{"name": card.author_name, "url": card.author_url, "account": None}]
            if card.author_name
            else []
        ),
    }


def trends_links(cards: list[PreviewCard]) -> list[dict[str, Any]]:
    """Mastodon's Trends::Link: the card and seven days of its use (one query for the page)."""
    history = trends.link_history([c.id for c in cards])
    return [preview_card(c) | {"history": history[c.id]} for c in cards]


def admin_trends_links(cards: list[PreviewCard]) -> list[dict[str, Any]]:
    """Mastodon's Admin::Trends::Link: the trending link with its id and review state."""
    return [
        body | {"id": str(card.id), "requires_review": card.trendable is None}
        for card, body in zip(cards, trends_links(cards), strict=True)
    ]
