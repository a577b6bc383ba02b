"""Mastodon's admin API (`/api/v1/admin/*`, `/api/v2/admin/*`): one module per resource, each
route behind `require_staff` (an `admin:read`/`admin:write` scope and the staff permission)."""
