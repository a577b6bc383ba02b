"""Text handling: parsing and rendering local plain text, sanitising remote HTML.

`parse` finds mentions, hashtags and URLs; `render` turns status text into Mastodon-identical
HTML and counts its length; `sanitize` cleans remote HTML and turns HTML into plain text.
`chars` and `graphemes` are their Unicode helpers. No Flask, no database.
"""
