"""What this software is called and which versions it speaks."""

__version__ = "0.1.0"
SOFTWARE_NAME = "Wren"
MASTODON_API_VERSION = "4.3.0"
