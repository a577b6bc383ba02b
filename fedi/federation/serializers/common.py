"""JSON-LD contexts and formats shared by the serializers (Mastodon's vocabulary)."""

from __future__ import annotations

from datetime import datetime

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
