"""Mastodon's v2 admin API (`/api/v2/admin/*`): the routes whose v2 differs from v1."""
