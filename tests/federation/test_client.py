"""The outbound HTTP guard, against real HTTP servers on 127.0.0.1: address checks, deadlines,
size caps, content types, id/host binding, redirects, Retry-After and signed requests."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from flask import Flask

from fedi.federation import client, safe_http
from fedi.federation.safe_http import FetchError, UnsafeURL
from fedi.federation.signatures import verify_request
from fedi.models import Account

Route = Callable[[BaseHTTPRequestHandler, bytes], None]


class Remote:
    """A tiny remote server: `routes[path]` answers; every request is recorded."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[dict] = []
        remote = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def _answer(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                remote.requests.append(
                    {"method": self.command, "path": self.path, "headers": dict(self.headers)}
                )
                route = remote.routes.get(self.path.split("?")[0], not_found)
                route(self, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def respond(status: int, body: bytes, headers: dict[str, str] | None = None) -> Route:
    def route(handler: BaseHTTPRequestHandler, _body: bytes) -> None:
        handler.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    return route


def document(doc: dict, content_type: str = "application/activity+json") -> Route:
    return respond(200, json.dumps(doc).encode(), {"Content-Type": content_type})


def not_found(handler: BaseHTTPRequestHandler, _body: bytes) -> None:
    respond(404, b"not found")(handler, _body)


@pytest.fixture
def remote() -> Iterator[Remote]:
    server = Remote()
    yield server
    server.close()


@pytest.fixture
def allow(app: Flask) -> Iterator[Callable[..., None]]:
    """Set ALLOWED_PRIVATE_ADDRESSES (and LOCAL_HTTPS) for one test, restored afterwards."""
    settings = app.config["FEDI"]
    saved = (list(settings.ALLOWED_PRIVATE_ADDRESSES), settings.LOCAL_HTTPS)

    def set_allowed(*cidrs: str, local_https: bool = True) -> None:
        settings.ALLOWED_PRIVATE_ADDRESSES = list(cidrs)
        settings.LOCAL_HTTPS = local_https

    try:
        yield set_allowed
    finally:
        settings.ALLOWED_PRIVATE_ADDRESSES, settings.LOCAL_HTTPS = saved


@pytest.fixture
def loopback(allow) -> None:
    allow("127.0.0.0/8")


# -- the address guard -----------------------------------------------------------------------

PRIVATE_URLS = [
    "https://127.0.0.1/",
    "https://10.1.2.3/",
    "https://169.254.169.254/latest/meta-data",
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://0.0.0.0/",
    "https://100.64.0.1/",
    "https://192.168.1.1/",
    "https://[fe80::1]/",
    "https://[fc00::1]/",
    "https://224.0.0.1/",
    "https://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
    "https://[64:ff9b::a00:1]/",  # NAT64 around 10.0.0.1
    "https://localhost/",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_private_addresses_are_refused(url):
    with pytest.raises(UnsafeURL):
        safe_http.check_url(url)
    with pytest.raises(UnsafeURL):
        client.get_object(url)


@pytest.mark.parametrize(
    ("url", "cidr"),
    [
        ("https://127.0.0.1/", "127.0.0.0/8"),
        ("https://10.1.2.3/", "10.0.0.0/8"),
        ("https://[::1]/", "::1/128"),
        ("https://[::ffff:127.0.0.1]/", "127.0.0.1/32"),
    ],
)
def test_private_addresses_allowed_when_configured(allow, url, cidr):
    allow(cidr)
    assert safe_http.check_url(url)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/", "gopher://x/", "https://u:p@example.com/"]
)
def test_other_schemes_refused(url):
    with pytest.raises(UnsafeURL):
        safe_http.check_url(url)


@pytest.mark.parametrize(
    "host", ["0177.0.0.1", "0x7f.0.0.1", "0x7f000001", "2130706433", "127.1", "127.0.0.01"]
)
def test_ipv4_addresses_in_other_notations_are_refused(loopback, host):
    """Octal, hex and bare numbers mean different hosts to different parsers: refused as the
    fetch's own failure (never an exception of the HTTP library), even where loopback is allowed."""
    with pytest.raises(UnsafeURL, match="Invalid IPv4 address"):
        safe_http.check_url(f"http://{host}:8080/")
    with pytest.raises(FetchError):
        client.webfinger(f"x@{host}:8080")
    with pytest.raises(FetchError):
        client.get_object(f"https://{host}/users/x")


def test_plain_http_to_public_host_refused_when_https_is_on():
    with pytest.raises(UnsafeURL, match="Plain http"):
        safe_http.check_url("http://93.184.215.14/")
    assert safe_http.check_url("https://93.184.215.14/") == ["93.184.215.14"]


def test_connection_goes_to_the_vetted_address(loopback, remote, monkeypatch):
    """DNS rebinding: the name resolves to an allowed address when checked, then to another;
    the connection still goes to the vetted one (the name itself never resolves for real)."""
    answers = iter(["127.0.0.1", "10.0.0.1", "10.0.0.1"])
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = f"http://rebind.test:{remote.port}/n/1"
    remote.routes["/n/1"] = document({"id": url, "type": "Note"})
    assert client.get_object(url)["id"] == url
    assert remote.requests[-1]["headers"]["Host"] == f"rebind.test:{remote.port}"


def test_transport_refuses_unvetted_connections(loopback, remote):
    with pytest.raises(httpx.ConnectError, match="not vetted"):
        safe_http._client.get(remote.url("/"))


# -- get_object ------------------------------------------------------------------------------


def test_get_object_returns_the_document_signed_as_the_signer(loopback, remote, alice: Account):
    doc = {"id": remote.url("/users/zoe"), "type": "Person"}
    remote.routes["/users/zoe"] = document(doc)

    assert client.get_object(remote.url("/users/zoe"), signer=alice) == doc

    sent = remote.requests[-1]
    assert "activity+json" in sent["headers"]["Accept"]
    assert sent["headers"]["User-Agent"].startswith("Wren/")
    key_id = verify_request(
        method="GET",
        path=sent["path"],
        headers=sent["headers"],
        body=b"",
        get_public_key=lambda key_id, refresh: alice.public_key,
        scheme="http",
    )
    assert key_id == alice.public_key_id


def test_get_object_refuses_a_deeply_nested_document(loopback, remote):
    doc: dict = {"id": remote.url("/users/deep"), "type": "Person"}
    leaf = doc
    for _ in range(300):
        leaf["attachment"] = {"type": "PropertyValue"}
        leaf = leaf["attachment"]
    remote.routes["/users/deep"] = document(doc)
    with pytest.raises(FetchError, match="Invalid JSON"):
        client.get_object(remote.url("/users/deep"))


def test_get_object_without_signer_signs_as_instance_actor(loopback, remote):
    remote.routes["/n/1"] = document({"id": remote.url("/n/1"), "type": "Note"})
    client.get_object(remote.url("/n/1"))
    assert 'keyId="https://wren.test/actor#main-key"' in remote.requests[-1]["headers"]["Signature"]


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/html", "application/ld+json", "text/plain"]
)
def test_non_activitystreams_content_type_refused(loopback, remote, content_type):
    remote.routes["/n/1"] = document({"id": remote.url("/n/1")}, content_type)
    with pytest.raises(FetchError, match="Not an ActivityStreams"):
        client.get_object(remote.url("/n/1"))


def test_ld_json_with_profile_accepted(loopback, remote):
    content_type = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
    remote.routes["/n/1"] = document({"id": remote.url("/n/1")}, content_type)
    assert client.get_object(remote.url("/n/1"))["id"] == remote.url("/n/1")


@pytest.mark.parametrize("doc_id", ["https://evil.example/n/1", "http://127.0.0.1:1/n/1", None])
def test_document_id_on_another_host_refused(loopback, remote, doc_id):
    remote.routes["/n/1"] = document({"id": doc_id, "type": "Note"})
    with pytest.raises(FetchError, match="id"):
        client.get_object(remote.url("/n/1"))


def test_http_error_carries_status(loopback, remote):
    remote.routes["/gone"] = respond(410, b"gone")
    with pytest.raises(FetchError) as caught:
        client.get_object(remote.url("/gone"))
    assert caught.value.status_code == 410


def test_oversized_body_refused(loopback, remote):
    big = b'{"id": "x", "pad": "' + b"a" * (1024 * 1024) + b'"}'
    remote.routes["/big"] = respond(200, big, {"Content-Type": "application/activity+json"})
    with pytest.raises(FetchError, match="too large"):
        client.get_object(remote.url("/big"))


def test_oversized_body_without_length_refused(loopback, remote):
    def endless(handler: BaseHTTPRequestHandler, _body: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/activity+json")
        handler.send_header("Connection", "close")
        handler.end_headers()
        try:
            for _ in range(300):
                handler.wfile.write(b"a" * 8192)
        except OSError:
            pass

    remote.routes["/big"] = endless
    with pytest.raises(FetchError, match="larger than"):
        client.get_object(remote.url("/big"), max_bytes=100_000)


def drip(headers_first: bool) -> Route:
    """Send a byte every 0.2 s: after the headers, or the status line itself."""

    def route(handler: BaseHTTPRequestHandler, _body: bytes) -> None:
        if headers_first:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/activity+json")
            handler.send_header("Content-Length", "100000")
            handler.end_headers()
            handler.wfile.flush()
        payload = b" " * 100 if headers_first else b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100
        try:
            for byte in payload:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass

    return route


@pytest.mark.parametrize("headers_first", [True, False])
def test_slow_drip_server_is_cut_off_at_the_deadline(loopback, remote, headers_first):
    remote.routes["/slow"] = drip(headers_first)
    started = time.monotonic()
    with pytest.raises(FetchError):
        client.get_object(remote.url("/slow"), deadline=1.0)
    assert time.monotonic() - started < 2.0


def test_redirect_followed_and_id_checked_against_final_host(loopback, remote):
    remote.routes["/old"] = respond(301, b"", {"Location": "/new"})
    remote.routes["/new"] = document({"id": remote.url("/new")})
    assert client.get_object(remote.url("/old"))["id"] == remote.url("/new")


def test_redirect_to_private_address_refused(allow, remote):
    allow("127.0.0.1/32")
    remote.routes["/r"] = respond(302, b"", {"Location": "http://10.0.0.1/internal"})
    with pytest.raises(UnsafeURL):
        client.get_object(remote.url("/r"))


def test_redirect_loop_stops(loopback, remote):
    remote.routes["/loop"] = respond(302, b"", {"Location": "/loop"})
    with pytest.raises(FetchError, match="Too many redirects"):
        client.get_object(remote.url("/loop"))
    assert len(remote.requests) == client.MAX_REDIRECTS + 1


# -- post_activity ---------------------------------------------------------------------------


def test_post_activity_is_signed_with_digest(loopback, remote, alice: Account):
    received: list[dict] = []

    def inbox(handler: BaseHTTPRequestHandler, body: bytes) -> None:
        key_id = verify_request(
            method="POST",
            path=handler.path,
            headers=dict(handler.headers),
            body=body,
            get_public_key=lambda key_id, refresh: alice.public_key,
        )
        received.append({"key_id": key_id, "type": handler.headers["Content-Type"]})
        respond(202, b"")(handler, body)

    remote.routes["/inbox"] = inbox
    result = client.post_activity(remote.url("/inbox"), b'{"type":"Like"}', signer=alice)
    assert result == client.PostResult(status_code=202, retry_after=None, error=None)
    assert received == [{"key_id": alice.public_key_id, "type": "application/activity+json"}]


@pytest.mark.parametrize("as_date", [False, True])
def test_post_activity_429_retry_after(loopback, remote, alice, as_date):
    retry_after = formatdate(time.time() + 60, usegmt=True) if as_date else "60"
    remote.routes["/inbox"] = respond(429, b"slow down", {"Retry-After": retry_after})
    result = client.post_activity(remote.url("/inbox"), b"{}", signer=alice)
    assert result.status_code == 429
    assert result.retry_after == pytest.approx(60, abs=2)
    assert result.error == "slow down"


def test_post_activity_network_error_is_status_zero(loopback, alice):
    result = client.post_activity("http://127.0.0.1:1/inbox", b"{}", signer=alice)
    assert result.status_code == 0
    assert result.error


def test_post_activity_to_private_address_is_status_zero(alice):
    result = client.post_activity("https://10.0.0.1/inbox", b"{}", signer=alice)
    assert result.status_code == 0
    assert "non-public" in (result.error or "")


# -- webfinger -------------------------------------------------------------------------------


def test_webfinger(allow, remote):
    allow("127.0.0.0/8", local_https=False)
    acct = f"zoe@127.0.0.1:{remote.port}"
    jrd = {"subject": f"acct:{acct}", "links": [{"rel": "self", "href": remote.url("/u/zoe")}]}
    remote.routes["/.well-known/webfinger"] = document(jrd, "application/jrd+json")
    assert client.webfinger(f"@{acct}") == jrd
    assert remote.requests[-1]["path"] == (
        f"/.well-known/webfinger?resource=acct%3Azoe%40127.0.0.1%3A{remote.port}"
    )


def test_webfinger_not_found(allow, remote):
    allow("127.0.0.0/8", local_https=False)
    with pytest.raises(FetchError, match="404"):
        client.webfinger(f"nobody@127.0.0.1:{remote.port}")


# -- TLS through the pinned transport --------------------------------------------------------


def _self_signed(tmp_path, name: str) -> tuple[str, str]:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


def test_https_keeps_the_name_for_sni_and_certificate(loopback, remote, monkeypatch, tmp_path):
    """Connected to the pinned IP, TLS still verifies the certificate against the host name."""
    import ssl

    cert, key = _self_signed(tmp_path, "tls.test")
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    remote.server.socket = server_ctx.wrap_socket(remote.server.socket, server_side=True)
    trusting = httpx.create_ssl_context()
    trusting.load_verify_locations(cert)
    monkeypatch.setattr(safe_http._client._transport._pool, "_ssl_context", trusting)
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host in ("tls.test", "other.test"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    url = f"https://tls.test:{remote.port}/n/1"
    remote.routes["/n/1"] = document({"id": url, "type": "Note"})
    assert client.get_object(url)["id"] == url
    with pytest.raises(FetchError, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
        client.get_object(f"https://other.test:{remote.port}/n/1")
