"""The ActivityPub HTTP surface: actors, objects, inbox, well-known documents."""
