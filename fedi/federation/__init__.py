"""ActivityPub protocol: signatures, client, resolution, addressing, handlers, serializers."""
