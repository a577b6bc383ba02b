"""Every admin page and every admin API endpoint, walked as a visitor, an ordinary user and a
moderator: visitors get 401 from the API and the sign-in page from the web, ordinary users 403
(even with a token holding every admin scope), moderators 403 where Mastodon keeps the action for
admins (federation, sign-up blocks, rules, announcements, custom emoji, server settings, deleting
an account's data) and an answer otherwise. New routes are walked without being listed here."""

from __future__ import annotations

import itertools
import re

import pytest

from fedi.models import Role
from tests.helpers import bearer, make_local, token_for
from tests.web.signed_in import signed_in, token

ADMIN_SCOPES = "read write admin:read admin:write"
# Sections and resources Mastodon's default Moderator role may not use.
ADMIN_ONLY_WEB = ("web_admin_site.", "web_admin_rules.", "web_admin_announcements.",
                  "web_admin_custom_emojis.", "web_admin_domains.",
                  "web_admin_sign_up_blocks.")  # fmt: skip
ADMIN_ONLY_API = ("/domain_blocks", "/domain_allows", "/email_domain_blocks",
                  "/canonical_email_blocks", "/ip_blocks")  # fmt: skip


def _routes(app, prefixes: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(method, path, endpoint) of every route under the prefixes, with each choice of an
    `any(...)` part, ids as 1 and other parts as a domain."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefixes):
            continue
        choices = []
        for name, converter in rule._converters.items():
            kind = type(converter).__name__.removesuffix("Converter").lower()
            if kind == "any":
                values = sorted(converter.items)
            else:
                values = ["1"] if kind in ("int", "rowid") else ["example.com"]
            choices.append([(name, v) for v in values])
        for filled in itertools.product(*choices):
            path = rule.rule
            for name, value in filled:
                path = re.sub(rf"<(?:[^<>:]+:)?{name}(?:\([^)]*\))?>", value, path)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((method, path, rule.endpoint))
    return found


@pytest.fixture
def people(app):
    return {
        "user": make_local("alice"),
        "moderator": make_local("moddy", role=Role.MODERATOR),
        "admin": make_local("boss", role=Role.ADMIN),
    }


def test_every_admin_endpoint_checks_the_token_and_the_role(app, client, people):
    routes = _routes(app, ("/api/v1/admin", "/api/v2/admin"))
    assert len(routes) >= 40, routes  # accounts, reports, blocks, trends, measures, ...
    user = bearer(token_for(people["user"], ADMIN_SCOPES))
    moderator = bearer(token_for(people["moderator"], ADMIN_SCOPES))
    unscoped = bearer(token_for(people["moderator"], "read write"))
    for method, path, _endpoint in routes:
        assert client.open(path, method=method).status_code == 401, (method, path)
        r = client.open(path, method=method, headers=user)
        assert r.status_code == 403 and r.get_json() == {"error": "This action is not allowed"}, (
            method, path, r.status_code,
        )  # fmt: skip
        assert client.open(path, method=method, headers=unscoped).status_code == 403, (method, path)
        answer = client.open(path, method=method, headers=moderator).status_code
        if method == "DELETE" and "/admin/accounts/" in path:
            assert answer in (403, 404), (method, path, answer)  # admins only; no account 1
        elif f"/{path.split('/')[4]}" in ADMIN_ONLY_API:
            assert answer == 403, (method, path, answer)
        else:
            assert answer not in (401, 403, 500), (method, path, answer)


def test_every_admin_page_checks_the_sign_in_and_the_role(app, people):
    routes = _routes(app, ("/admin",))
    assert len(routes) >= 40, routes
    visitor = app.test_client()
    user, moderator = signed_in(app, "alice"), signed_in(app, "moddy")
    user_csrf, moderator_csrf = token(user), token(moderator)
    for method, path, endpoint in routes:
        if method == "GET":
            r = visitor.get(path)
            assert r.status_code == 302 and "/auth/sign_in" in r.headers["Location"], path
            assert user.get(path).status_code == 403, path
            answer = moderator.get(path).status_code
        else:
            assert user.post(path, data={"csrf_token": user_csrf}).status_code == 403, path
            answer = moderator.post(path, data={"csrf_token": moderator_csrf}).status_code
        if endpoint.startswith(ADMIN_ONLY_WEB):
            assert answer == 403, (method, path, answer)
        else:
            assert answer not in (401, 403, 500), (method, path, answer)
