"""End to end with a real client library: Mastodon.py drives an embedded instance over HTTP the
way an app does — register, authorize through the HTML sign-in and consent pages, post, reply,
favourite, boost, follow a locked account, page the home timeline, read notifications, search,
edit, delete, upload pictures and post them, filter a word, ask and answer a poll, schedule a
post and see it published at its time, browse the directory, and receive a live update from the
streaming API."""

from __future__ import annotations

import io
import re
import threading
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import httpx
import pytest
from mastodon import Mastodon, MastodonAPIError, MastodonNotFoundError, StreamListener
from PIL import Image

from fedi.clock import write_offset
from tests import media_files
from tests.processes import FEDI, embedded_env, free_port, process, run, wait_for, wait_healthy

pytestmark = [pytest.mark.slow, pytest.mark.embedded]
PASSWORD = "correct horse battery"
SCOPES = ["read", "write", "follow", "push"]
CUSTOM_REDIRECT = "wrene2e://oauth-callback"
OOB = "urn:ietf:wg:oauth:2.0:oob"


class _Forms(HTMLParser):
    """Every <form> on a page with its fields and submit buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.codes: list[str] = []
        self._in_code = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}, "buttons": []})
        elif tag in ("input", "button", "textarea") and self.forms:
            kind = (a.get("type") or ("submit" if tag == "button" else "text")).lower()
            if kind == "submit":
                self.forms[-1]["buttons"].append((a.get("name"), a.get("value") or ""))
            elif a.get("name"):
                self.forms[-1]["fields"][a["name"]] = a.get("value") or ""
        if tag in ("code", "input") and (tag == "code" or a.get("readonly") is not None):
            self._in_code = tag == "code"
            if tag == "input" and a.get("value"):
                self.codes.append(a["value"])

    def handle_data(self, data):
        if self._in_code and data.strip():
            self.codes.append(data.strip())

    def handle_endtag(self, tag):
        if tag == "code":
            self._in_code = False


def _forms(html: str) -> _Forms:
    parser = _Forms()
    parser.feed(html)
    return parser


def authorize_in_browser(api: Mastodon, login: str, redirect_uri: str) -> str:
    """Sign in and consent through the server's HTML pages; return the authorization code."""
    url = api.auth_request_url(redirect_uris=redirect_uri, scopes=SCOPES, allow_http=True)
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        response = browser.get(url)
        for _ in range(10):
            if response.is_redirect:
                location = response.headers["Location"]
                if location.startswith(CUSTOM_REDIRECT):
                    return parse_qs(urlparse(location).query)["code"][0]
                response = browser.get(urljoin(str(response.url), location))
                continue
            assert response.status_code == 200, response.text
            page = _forms(response.text)
            sign_in = next((f for f in page.forms if "password" in f["fields"]), None)
            consent = next(
                (f for f in page.forms
                 if any(re.search(r"authori[sz]e|allow", (b[1] or "") + f["action"], re.I)
                        for b in f["buttons"]) or re.search("authorize", f["action"])),
                None,
            )  # fmt: skip
            if sign_in is None and consent is None and redirect_uri == OOB and page.codes:
                return page.codes[-1]  # the code page (the site's own forms may be around it)
            if sign_in is not None:
                fields = dict(sign_in["fields"], password=PASSWORD)
                login_field = next(k for k in fields if k not in ("password", "csrf_token", "next"))
                fields[login_field] = login
                target = sign_in
            else:
                assert consent is not None, f"no sign-in or consent form on {response.url}"
                target = consent
                fields = dict(target["fields"])
                for name, value in target["buttons"]:
                    if name and re.search(r"authori[sz]e|allow|approve", value, re.I):
                        fields[name] = value
            response = browser.post(urljoin(str(response.url), target["action"]), data=fields)
    raise AssertionError("the authorization flow did not finish")


def client_for(base: str, login: str, redirect_uri: str) -> Mastodon:
    client_id, client_secret = Mastodon.create_app(
        "Wren e2e", scopes=SCOPES, redirect_uris=redirect_uri, api_base_url=base
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    code = authorize_in_browser(api, login, redirect_uri)
    api.log_in(code=code, redirect_uri=redirect_uri, scopes=SCOPES, allow_http=True)
    return api


class Collect(StreamListener):
    def __init__(self) -> None:
        self.updates: list = []
        self.event = threading.Event()

    def on_update(self, status):
        self.updates.append(status)
        self.event.set()


def test_mastodon_py_drives_the_server(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = embedded_env(tmp_path / "instance", port)
    clock_file = str(tmp_path / "clock-offset")
    env["TEST_CLOCK_OFFSET_FILE"] = clock_file
    logs = tmp_path / "logs"
    with process([*FEDI, "serve"], env, logs) as proc:
        wait_healthy(base, proc, logs)
        for name in ("alice", "bob"):
            result = run([*FEDI, "create-user", name, "--email", f"{name}@example.com",
                          "--password", PASSWORD], env)  # fmt: skip
            assert result.returncode == 0, result.stderr

        alice = client_for(base, "alice@example.com", CUSTOM_REDIRECT)
        bob = client_for(base, "bob", OOB)
        me = alice.account_verify_credentials()
        assert me.acct == "alice"
        bob_id = bob.account_verify_credentials().id

        # A locked account: bob's follow waits for alice's approval.
        assert alice.account_update_credentials(locked=True).locked is True
        assert bob.account_follow(me.id).requested is True
        assert [a.id for a in alice.follow_requests()] == [bob_id]
        wait_for("the follow request notification",
                 lambda: alice.notifications(types=["follow_request"]), 10)  # fmt: skip
        requests = alice.notifications(types=["follow_request"])
        assert [n.account.id for n in requests] == [bob_id]
        alice.follow_request_authorize(bob_id)
        assert bob.account_relationships(me.id)[0].following is True

        # Post, reply, favourite, boost.
        first = alice.status_post("Hello #wrene2e @bob", visibility="private")

        def in_bob_home(status_id, limit=20):
            return status_id in [s.id for s in bob.timeline_home(limit=limit)]

        wait_for("the post in bob's home", lambda: in_bob_home(first.id), 10)
        reply = bob.status_post("@alice hi back", in_reply_to_id=first.id)
        assert reply.in_reply_to_id == first.id
        public = alice.status_post("A public post", visibility="public")  # locked: default private
        assert bob.status_favourite(public.id).favourited is True
        assert bob.status_reblog(public.id).reblog.id == public.id
        context = alice.status_context(first.id)
        assert [s.id for s in context.descendants] == [reply.id]

        def notification_types():
            return {n.type for n in alice.notifications()}

        wanted = {"mention", "favourite", "reblog"}
        wait_for("alice's notifications", lambda: wanted <= notification_types(), 10)

        # Paging the home timeline through Link headers.
        posted = [alice.status_post(f"page post {i}", visibility="public").id for i in range(25)]
        wait_for("all posts in bob's home", lambda: in_bob_home(posted[-1], 5), 10)
        page = bob.timeline_home(limit=10)
        seen = [s.id for s in page]
        while len(seen) < 30 and (page := bob.fetch_next(page)):
            seen += [s.id for s in page]
        assert len(seen) == len(set(seen)) >= 27
        assert [int(i) for i in seen] == sorted((int(i) for i in seen), reverse=True)
        assert set(posted) <= set(seen)

        # Search.
        found = bob.search_v2("alice", result_type="accounts")
        assert me.id in [a.id for a in found.accounts]
        assert "wrene2e" in [t.name for t in bob.search_v2("#wrene2e").hashtags]

        # Edit with history, then delete.
        edited = alice.status_update(public.id, "A public post, edited")
        assert "edited" in edited.content and edited.edited_at is not None
        assert len(alice.status_history(public.id)) == 2
        deleted = alice.status_delete(public.id)
        assert deleted.text == "A public post, edited"
        with pytest.raises(MastodonNotFoundError):
            bob.status(public.id)

        # Media: upload (v2, processed by the instance's worker; Mastodon.py waits for it),
        # describe, post in the order given, see it.
        picture = io.BytesIO()
        Image.new("RGB", (60, 40), "teal").save(picture, "PNG")
        square = alice.media_post(picture.getvalue(), mime_type="image/png", synchronous=True,
                                  description="A teal rectangle", focus=(0.5, -0.5))  # fmt: skip
        assert square.type == "image" and square.url and square.meta.original.size == "60x40"
        assert square.meta.focus == {"x": 0.5, "y": -0.5}
        other = alice.media_post(picture.getvalue(), mime_type="image/png", synchronous=True)
        clip = alice.media_post(media_files.video(), mime_type="video/mp4", synchronous=True)
        assert clip.type == "video" and clip.url.endswith(".mp4") and clip.blurhash
        assert clip.meta.original.frame_rate == "10/1" and clip.meta.audio_encode == "aac"
        served = httpx.get(clip.url)
        assert served.headers["content-type"] == "video/mp4"
        assert media_files.probe(served.content, "mov")["frames"] == 10
        assert alice.media_update(other, description="Second").description == "Second"
        pictures = alice.status_post("Pictures", media_ids=[other, square], visibility="public")
        assert [m.id for m in pictures.media_attachments] == [other.id, square.id]
        wait_for("the pictures in bob's home", lambda: in_bob_home(pictures.id, 5), 10)
        shown = next(s for s in bob.timeline_home(limit=5) if s.id == pictures.id).media_attachments
        assert [m.description for m in shown] == ["Second", "A teal rectangle"]
        assert httpx.get(shown[1].url).headers["content-type"] == "image/jpeg"

        # Filters: bob hides a word; a matching post carries `filtered` with his filter.
        made = bob.create_filter_v2(
            "Weather",
            ["home"],
            "warn",
            keywords_attributes=[{"keyword": "rain", "whole_word": True}],
        )
        assert [f.id for f in bob.filters_v2()] == [made.id]
        wet = alice.status_post("Rain again", visibility="public")
        wait_for("the rainy post in bob's home", lambda: in_bob_home(wet.id, 5), 10)
        seen = next(s for s in bob.timeline_home(limit=5) if s.id == wet.id)
        assert [(r.filter.id, r.keyword_matches) for r in seen.filtered] == [(made.id, ["Rain"])]
        assert bob.filter_create("sunny", ["public"]).phrase == "sunny"  # v1, mapped onto v2
        assert {f.title for f in bob.filters_v2()} == {"Weather", "sunny"}

        # Polls: alice asks, bob votes, both see the same totals; voting twice is refused.
        asked = alice.status_post(
            "Tea or coffee?", visibility="public",
            poll=alice.make_poll(["Tea", "Coffee"], expires_in=3600),
        )  # fmt: skip
        assert [o.title for o in asked.poll.options] == ["Tea", "Coffee"]
        wait_for("the poll in bob's home", lambda: in_bob_home(asked.id, 5), 10)
        voted = bob.poll_vote(asked.poll.id, [1])
        assert voted.voted is True and voted.own_votes == [1] and voted.votes_count == 1
        assert [o.votes_count for o in alice.poll(asked.poll.id).options] == [0, 1]
        with pytest.raises(MastodonAPIError):
            bob.poll_vote(asked.poll.id, [0])

        # Scheduled statuses: a post for tomorrow comes back as a ScheduledStatus, is listed,
        # moves to another time and is cancelled; nothing is posted meanwhile.
        tomorrow = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
        planned = alice.status_post("Tomorrow's news", scheduled_at=tomorrow, visibility="public")
        assert planned.params.text == "Tomorrow's news" and planned.scheduled_at == tomorrow
        assert [s.id for s in alice.scheduled_statuses()] == [planned.id]
        moved = alice.scheduled_status_update(planned, tomorrow + timedelta(hours=1))
        assert moved.scheduled_at == tomorrow + timedelta(hours=1)
        assert alice.scheduled_status(planned).params.visibility == "public"
        alice.scheduled_status_delete(planned)
        assert alice.scheduled_statuses() == []
        # One for six minutes from now is posted at its time: the instance's clock is moved seven
        # minutes on (fedi/clock.py) and its minutely sweep publishes it, once.
        soon = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=6)
        due = alice.status_post("Right on time", scheduled_at=soon, visibility="public")
        write_offset(clock_file, 7 * 60)
        posted = wait_for(
            "the scheduled post published",
            lambda: [s for s in alice.account_statuses(alice.me(), limit=5)
                     if s.content == "<p>Right on time</p>"],
            75,
        )  # fmt: skip
        assert len(posted) == 1 and alice.scheduled_statuses() == []
        with pytest.raises(MastodonNotFoundError):
            alice.scheduled_status(due)

        # The profile directory lists both local people, who have posted.
        assert {a.acct for a in bob.directory(local=True)} >= {"alice", "bob"}
        assert "alice" in [a.acct for a in bob.directory(order="new")]

        # Streaming: a new post reaches bob's open user stream.
        listener = Collect()
        handle = bob.stream_user(listener, run_async=True, timeout=10)
        try:
            wait_for("the stream to connect", lambda: handle.is_receiving(), 10)
            live = alice.status_post("live now")
            assert listener.event.wait(10), "no update arrived on the stream"
            assert live.id in [s.id for s in listener.updates]
        finally:
            handle.close()
