"""Text handling: parsing and rendering local plain text, sanitising remote HTML.

Modules: `parse` (mentions, hashtags, URLs), `render` (Mastodon-identical HTML and status
length), `sanitize` (remote HTML allow-list and HTML to plain text). No Flask, no database.
"""
