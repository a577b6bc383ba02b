"""JSON-LD contexts and formats shared by the serializers (Mastodon's vocabulary)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fedi import urls
from fedi.models import CustomEmoji

AS = "https://www.w3.org/ns/activitystreams"
SECURITY = "https://w3id.org/security/v1"

# Mastodon's extensions: what other servers expect to be able to expand.
EXTENSIONS: dict[str, object] = {
    "ostatus": "http://ostatus.org#",
    "atomUri": "ostatus:atomUri",
    "inReplyToAtomUri": "ostatus:inReplyToAtomUri",
    "conversation": "ostatus:conversation",
    "sensitive": "as:sensitive",
    "toot": "http://joinmastodon.org/ns#",
    "votersCount": "toot:votersCount",
    "blurhash": "toot:blurhash",
    "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
    "Hashtag": "as:Hashtag",
    "Emoji": "toot:Emoji",
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "featured": {"@id": "toot:featured", "@type": "@id"},
    "featuredTags": {"@id": "toot:featuredTags", "@type": "@id"},
    "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
    "movedTo": {"@id": "as:movedTo", "@type": "@id"},
    "schema": "http://schema.org#",
    "PropertyValue": "schema:PropertyValue",
    "value": "schema:value",
    "discoverable": "toot:discoverable",
    "suspended": "toot:suspended",
    "memorial": "toot:memorial",
    "indexable": "toot:indexable",
}

CONTEXT: list[object] = [AS, SECURITY, EXTENSIONS]


def with_context(body: dict[str, object]) -> dict[str, object]:
    """`body` as a top-level document: the @context first."""
    return {"@context": CONTEXT, **{k: v for k, v in body.items() if k != "@context"}}


def iso(at: datetime | None) -> str | None:
    """ActivityPub timestamps as Mastodon writes them, to the millisecond:
    `2024-01-31T12:00:00.123Z` (posts made within a second keep their order elsewhere)."""
    if at is None:
        return None
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def emoji_tag(emoji: CustomEmoji) -> dict[str, Any]:
    """A custom emoji as the `Emoji` tag Mastodon sends (its image: the static copy's type
    when the file is PNG, else what the file is)."""
    image = urls.media_url(emoji.image_file, emoji.image_remote_url)
    ext = (emoji.image_file or emoji.image_remote_url or "").rsplit(".", 1)[-1].lower()
    media_type = {"gif": "image/gif", "webp": "image/webp"}.get(ext, "image/png")
    return {
        "id": emoji.uri or urls.emoji_uri(emoji.id),
        "type": "Emoji",
        "name": f":{emoji.shortcode}:",
        "updated": iso(emoji.updated_at),
        "icon": {"type": "Image", "mediaType": media_type, "url": image},
    }
