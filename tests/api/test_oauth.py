"""OAuth2 as Mastodon apps drive it: register, sign in and consent through the HTML pages,
exchange the code (PKCE), call the API; plus the other grants, revocation and every refusal."""

from __future__ import annotations

import base64
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest

from fedi.services import push
from tests.helpers import bearer
from tests.oauth_flow import (
    CB,
    OOB,
    PASSWORD,
    app_token,
    authorize_url,
    code_from,
    consent,
    exchange,
    hidden_fields,
    pkce,
    register,
    sign_in,
)

# --- the whole authorization_code flow ----------------------------------------------------


def test_authorization_code_flow_with_pkce_through_the_pages(client, alice):
    app = register(client)
    verifier, challenge = pkce()
    url = authorize_url(app, code_challenge=challenge, code_challenge_method="S256")

    # Signed out: the sign-in form comes first, and brings us back.
    r = client.get(url)
    assert r.status_code == 303
    assert urlsplit(r.headers["Location"]).path == "/auth/sign_in"
    next_url = parse_qs(urlsplit(r.headers["Location"]).query)["next"][0]
    assert next_url.startswith("/oauth/authorize?")
    r = sign_in(client, "alice@example.com", next_url=next_url)
    assert r.status_code == 303 and r.headers["Location"] == next_url

    # Consent names the app and the scopes, with both buttons.
    page = client.get(next_url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Tusky" in text and "@alice" in text
    assert '<code class="muted">read</code>' in text and '<code class="muted">write</code>' in text
    assert 'value="authorize"' in text and 'value="deny"' in text
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "no-store" in page.headers["Cache-Control"]

    r = client.post("/oauth/authorize", data=hidden_fields(text) | {"decision": "authorize"})
    location = urlsplit(r.headers["Location"])
    assert r.status_code == 302 and f"{location.scheme}://{location.netloc}" == CB
    assert parse_qs(location.query)["state"] == ["xyz"]
    code = code_from(r)

    r = exchange(client, app, code, code_verifier=verifier)
    body = r.get_json()
    assert r.status_code == 200, body
    assert set(body) == {"access_token", "token_type", "scope", "created_at"}
    assert body["token_type"] == "Bearer" and body["scope"] == "read write"
    assert isinstance(body["created_at"], int)
    assert r.headers["Cache-Control"] == "no-store"

    home = client.get("/api/v1/timelines/home", headers=bearer(body["access_token"]))
    assert home.status_code == 200 and home.get_json() == []

    # A code works once.
    again = exchange(client, app, code, code_verifier=verifier)
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"


def test_consent_is_skipped_for_an_app_already_authorized_unless_force_login(client, alice):
    app = register(client)
    sign_in(client)
    first = code_from(consent(client, authorize_url(app)))
    assert exchange(client, app, first).status_code == 200

    r = client.get(authorize_url(app))  # same scopes, live token: straight back to the app
    assert r.status_code == 302 and r.headers["Location"].startswith(CB)
    assert exchange(client, app, code_from(r)).status_code == 200

    wider = client.get(authorize_url(app, scope="read write follow"))
    assert wider.status_code == 200 and "Authorize" in wider.get_data(as_text=True)

    forced = client.get(authorize_url(app, force_login="true"))
    assert forced.status_code == 303 and "/auth/sign_in" in forced.headers["Location"]
    next_url = parse_qs(urlsplit(forced.headers["Location"]).query)["next"][0]
    assert sign_in(client, next_url=next_url).headers["Location"] == next_url
    page = client.get(next_url)  # signed in just now: the consent page, not a loop
    assert page.status_code == 200 and 'value="authorize"' in page.get_data(as_text=True)


def test_force_login_asks_again_after_an_earlier_authorization(client, alice, bob):
    """Adding a second account: the sign-in made for the first app never answers the second."""
    app = register(client)
    first = authorize_url(app)
    sign_in(client, next_url=first)
    assert client.get(first).status_code == 200  # consent for alice

    forced = client.get(authorize_url(app, force_login="1"))
    assert forced.status_code == 303 and "/auth/sign_in" in forced.headers["Location"]
    next_url = parse_qs(urlsplit(forced.headers["Location"]).query)["next"][0]
    sign_in(client, "bob", next_url=next_url)
    page = client.get(next_url).get_data(as_text=True)
    assert "@bob" in page and "@alice" not in page


def test_out_of_band_shows_the_code_on_a_page(client, alice):
    app = register(client)
    sign_in(client)
    r = consent(client, authorize_url(app, redirect_uri=OOB))
    assert r.status_code == 303 and urlsplit(r.headers["Location"]).path == (
        "/oauth/authorize/native"
    )
    page = client.get(r.headers["Location"])
    code = parse_qs(urlsplit(r.headers["Location"]).query)["code"][0]
    assert page.status_code == 200 and f'value="{code}"' in page.get_data(as_text=True)
    token = exchange(client, app, code, redirect_uri=OOB)
    assert token.status_code == 200 and token.get_json()["scope"] == "read write"


def test_plain_pkce_and_json_token_request(client, alice):
    app = register(client)
    sign_in(client)
    verifier = secrets.token_urlsafe(40)
    url = authorize_url(app, code_challenge=verifier, code_challenge_method="plain")
    code = code_from(consent(client, url))
    r = exchange(client, app, code, as_json=True, code_verifier=verifier)
    assert r.status_code == 200 and r.get_json()["token_type"] == "Bearer"


def test_deny_redirects_with_access_denied(client, alice):
    app = register(client)
    sign_in(client)
    r = consent(client, authorize_url(app), decision="deny")
    query = parse_qs(urlsplit(r.headers["Location"]).query)
    assert r.status_code == 302 and r.headers["Location"].startswith(CB)
    assert query["error"] == ["access_denied"] and query["state"] == ["xyz"]
    oob = consent(client, authorize_url(app, redirect_uri=OOB), decision="deny")
    assert oob.status_code == 403 and "Authorization denied" in oob.get_data(as_text=True)


# --- refusals on the authorize page: an error page, never a redirect ----------------------


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"client_id": "nope"}, "invalid_client"),
        ({"redirect_uri": "https://evil.example/cb"}, "invalid_redirect_uri"),
        ({"scope": "read admin:write"}, "invalid_scope"),
        ({"scope": "read bogus"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ],
)
def test_bad_authorization_requests_get_an_error_page(client, alice, change, error):
    app = register(client)
    sign_in(client)
    r = client.get(authorize_url(app, **change))
    assert r.status_code == 400 and "Location" not in r.headers
    page = r.get_data(as_text=True)
    assert f"<code>{error}</code>" in page and "evil.example" not in page


def test_consent_post_is_checked_again(client, alice):
    app = register(client)
    sign_in(client)
    page = client.get(authorize_url(app)).get_data(as_text=True)
    fields = hidden_fields(page) | {"redirect_uri": "https://evil.example/cb"}
    r = client.post("/oauth/authorize", data=fields | {"decision": "authorize"})
    assert r.status_code == 400 and "Location" not in r.headers
    no_csrf = {k: v for k, v in hidden_fields(page).items() if k != "csrf_token"}
    assert client.post(
        "/oauth/authorize", data=no_csrf | {"decision": "authorize"}
    ).status_code == (403)


# --- the token endpoint -------------------------------------------------------------------


def test_wrong_pkce_verifier_and_missing_verifier_fail(client, alice):
    app = register(client)
    sign_in(client)
    verifier, challenge = pkce()
    url = authorize_url(app, code_challenge=challenge, code_challenge_method="S256")
    code = code_from(consent(client, url))
    wrong = exchange(client, app, code, code_verifier=pkce()[0])
    assert wrong.status_code == 400 and wrong.get_json()["error"] == "invalid_grant"
    missing = exchange(client, app, code)
    assert missing.status_code == 400 and missing.get_json() == {
        "error": "invalid_request",
        "error_description": "Missing required parameter: code_verifier.",
    }
    assert exchange(client, app, code, code_verifier=verifier).status_code == 200


def test_redirect_uri_must_match_the_one_authorized(client, alice):
    app = register(client)
    sign_in(client)
    code = code_from(consent(client, authorize_url(app)))
    r = exchange(client, app, code, redirect_uri=OOB)
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_grant"
    assert r.get_json()["error_description"].startswith("The provided authorization grant")


def test_wrong_secret_and_unknown_client_are_401(client, alice):
    app = register(client)
    sign_in(client)
    code = code_from(consent(client, authorize_url(app)))
    r = exchange(client, app, code, client_secret="wrong")
    assert r.status_code == 401 and r.get_json() == {
        "error": "invalid_client",
        "error_description": "Client authentication failed due to unknown client, no client "
        "authentication included, or unsupported authentication method.",
    }
    r = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"},
    )
    assert r.status_code == 401 and r.get_json()["error"] == "invalid_client"
    nothing = client.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert nothing.status_code == 401
    # The code survived the failed attempts.
    assert exchange(client, app, code).status_code == 200


def test_client_credentials_with_basic_auth_and_verify_credentials(client):
    app = register(client)
    basic = base64.b64encode(f"{app['client_id']}:{app['client_secret']}".encode()).decode()
    r = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "read"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert r.status_code == 200 and r.get_json()["scope"] == "read"
    token = r.get_json()["access_token"]

    me = client.get("/api/v1/apps/verify_credentials", headers=bearer(token))
    assert me.status_code == 200
    assert me.get_json() == {
        "id": app["id"],
        "name": "Tusky",
        "website": "https://tusky.example",
        "scopes": ["read", "write", "follow"],
        "redirect_uri": f"{CB}\n{OOB}",
        "redirect_uris": [CB, OOB],
        "vapid_key": push.public_key(),  # the instance's VAPID key (Web Push)
    }
    # An app token is not a user.
    assert client.get("/api/v1/timelines/home", headers=bearer(token)).status_code == 422
    assert client.get("/api/v1/apps/verify_credentials").status_code == 401


def test_client_credentials_defaults_to_read_and_refuses_scopes_beyond_the_app(client):
    app = register(client, scopes="read write")
    r = client.post(
        "/oauth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    )
    assert r.status_code == 200 and r.get_json()["scope"] == "read"
    for scope in ("follow", "read push", "nonsense"):
        r = client.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "scope": scope,
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
            },
        )
        assert r.status_code == 400 and r.get_json() == {
            "error": "invalid_scope",
            "error_description": "The requested scope is invalid, unknown, or malformed.",
        }
    assert app_token(client, app, "read:statuses write:media")  # `read` covers `read:*`


def test_password_grant(client, alice):
    app = register(client)
    data = {
        "grant_type": "password",
        "username": "alice@example.com",
        "password": PASSWORD,
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "scope": "read write",
    }
    r = client.post("/oauth/token", data=data)
    assert r.status_code == 200 and r.get_json()["scope"] == "read write"
    assert (
        client.get(
            "/api/v1/timelines/home", headers=bearer(r.get_json()["access_token"])
        ).status_code
        == 200
    )
    bad = client.post("/oauth/token", json=data | {"password": "wrong password"})
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_grant"


def test_token_endpoint_errors_for_grant_types(client):
    app = register(client)
    creds = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    missing = client.post("/oauth/token", data=creds)
    assert missing.status_code == 400 and missing.get_json() == {
        "error": "invalid_request",
        "error_description": "Missing required parameter: grant_type.",
    }
    other = client.post("/oauth/token", data=creds | {"grant_type": "refresh_token"})
    assert other.status_code == 400 and other.get_json()["error"] == "unsupported_grant_type"
    code = client.post(
        "/oauth/token",
        data=creds | {"grant_type": "authorization_code", "code": "made-up", "redirect_uri": CB},
    )
    assert code.status_code == 400 and code.get_json()["error"] == "invalid_grant"


def test_token_endpoint_answers_cors_preflight(client):
    r = client.options(
        "/oauth/token",
        headers={
            "Origin": "https://elk.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert r.headers["Access-Control-Allow-Headers"] == "content-type"


# --- revocation ---------------------------------------------------------------------------


def test_revoke_then_the_token_is_refused(client, alice):
    app = register(client)
    sign_in(client)
    token = exchange(client, app, code_from(consent(client, authorize_url(app)))).get_json()
    headers = bearer(token["access_token"])
    assert client.get("/api/v1/timelines/home", headers=headers).status_code == 200

    other = register(client, client_name="Other")
    other_creds = {"client_id": other["client_id"], "client_secret": other["client_secret"]}
    stranger = client.post("/oauth/revoke", data={"token": token["access_token"]} | other_creds)
    assert stranger.status_code == 403 and stranger.get_json() == {
        "error": "unauthorized_client",
        "error_description": "You are not authorized to revoke this token",
    }
    unauthenticated = client.post("/oauth/revoke", data={"token": token["access_token"]})
    assert unauthenticated.status_code == 403
    assert client.get("/api/v1/timelines/home", headers=headers).status_code == 200

    data = {
        "token": token["access_token"],
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
    }
    r = client.post("/oauth/revoke", data=data)
    assert r.status_code == 200 and r.get_json() == {}
    assert client.post("/oauth/revoke", json=data).get_json() == {}  # idempotent
    unknown = client.post("/oauth/revoke", data=data | {"token": "never-issued"})
    assert unknown.status_code == 200 and unknown.get_json() == {}
    refused = client.get("/api/v1/timelines/home", headers=headers)
    assert refused.status_code == 401
    assert refused.get_json() == {"error": "The access token is invalid"}


def test_authorization_server_metadata(client):
    r = client.get("/.well-known/oauth-authorization-server")
    body = r.get_json()
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    assert body["issuer"] == "https://wren.test/"
    assert body["authorization_endpoint"] == "https://wren.test/oauth/authorize"
    assert body["token_endpoint"] == "https://wren.test/oauth/token"
    assert body["revocation_endpoint"] == "https://wren.test/oauth/revoke"
    assert body["app_registration_endpoint"] == "https://wren.test/api/v1/apps"
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert body["response_types_supported"] == ["code"]
    assert set(body["grant_types_supported"]) == {
        "authorization_code",
        "client_credentials",
        "password",
    }
    assert body["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
    ]
    assert {"read", "write:statuses", "follow", "push", "admin:read:accounts"} <= set(
        body["scopes_supported"]
    )


def test_authorized_apps_can_be_listed_and_revoked(client, alice):
    from fedi.services import oauth

    app = register(client)
    sign_in(client)
    token = exchange(client, app, code_from(consent(client, authorize_url(app)))).get_json()
    listed = oauth.list_authorized_apps(alice)
    assert [(a.application.name, a.scopes) for a in listed] == [("Tusky", ["read", "write"])]

    oauth.revoke_app(alice, listed[0].application.id)

    assert oauth.list_authorized_apps(alice) == []
    r = client.get("/api/v1/timelines/home", headers=bearer(token["access_token"]))
    assert r.status_code == 401
