"""Driving OAuth the way an app and a person do: register an app, sign in through the HTML form,
consent, exchange the code. Shared by the OAuth, apps and web sign-in tests."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

PASSWORD = "correct horse battery"
OOB = "urn:ietf:wg:oauth:2.0:oob"
CB = "myapp://cb"


def register(client, **fields) -> dict:
    body = {
        "client_name": "Tusky",
        "redirect_uris": [CB, OOB],
        "scopes": "read write follow",
        "website": "https://tusky.example",
    } | fields
    r = client.post("/api/v1/apps", json=body)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def hidden_fields(page: str) -> dict[str, str]:
    pairs = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    return {name: html.unescape(value) for name, value in pairs}


def csrf(client, path: str = "/auth/sign_in") -> str:
    return hidden_fields(client.get(path).get_data(as_text=True))["csrf_token"]


def sign_in(client, login: str = "alice", password: str = PASSWORD, next_url: str = ""):
    data = {"login": login, "password": password, "csrf_token": csrf(client), "next": next_url}
    return client.post("/auth/sign_in", data=data)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(app: dict, **params) -> str:
    query = {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": CB,
        "scope": "read write",
        "state": "xyz",
    } | params
    return "/oauth/authorize?" + urlencode({k: v for k, v in query.items() if v is not None})


def consent(client, url: str, decision: str = "authorize"):
    """Open the consent page and press a button; returns the POST's response."""
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)
    fields = hidden_fields(page.get_data(as_text=True))
    return client.post("/oauth/authorize", data=fields | {"decision": decision})


def code_from(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return parse_qs(urlsplit(response.headers["Location"]).query)["code"][0]


def exchange(client, app: dict, code: str, *, as_json: bool = False, **extra):
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CB,
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
    } | extra
    body = {k: v for k, v in body.items() if v is not None}
    return (
        client.post("/oauth/token", json=body)
        if as_json
        else client.post("/oauth/token", data=body)
    )


def app_token(client, app: dict, scope: str | None = None) -> str:
    data = {
        "grant_type": "client_credentials",
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "scope": scope,
    }
    r = client.post("/oauth/token", data={k: v for k, v in data.items() if v})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["access_token"]
