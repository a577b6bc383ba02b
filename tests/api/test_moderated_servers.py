"""What the public sees of the domain blocks: GET /api/v1/instance/domain_blocks (Mastodon's
entity, with the digest of the real domain) and the about page, with obfuscated domains starred
and only the blocks users can notice."""

from __future__ import annotations

import hashlib

from fedi.models import Role
from fedi.services import domain_moderation
from fedi.services.domain_moderation import BlockForm
from tests.helpers import make_local


def _blocks():
    admin = make_local("boss", role=Role.ADMIN)
    domain_moderation.create_block(
        admin, "hidden-server.example",
        BlockForm(severity="suspend", public_comment="Illegal content", obfuscate=True),
    )  # fmt: skip
    domain_moderation.create_block(admin, "loud.example", BlockForm(severity="silence"))
    domain_moderation.create_block(admin, "quiet.example", BlockForm(severity="noop"))
    domain_moderation.create_block(
        admin, "pics.example", BlockForm(severity="noop", reject_media=True)
    )


def test_public_list(client):
    _blocks()
    listed = client.get("/api/v1/instance/domain_blocks").get_json()
    assert [b["severity"] for b in listed] == ["suspend", "silence", "noop"]
    hidden = listed[0]
    assert hidden == {
        "domain": "hidden*******.**ample",  # the middle starred, dots kept
        "digest": hashlib.sha256(b"hidden-server.example").hexdigest(),
        "severity": "suspend",
        "comment": "Illegal content",
    }
    assert "comment" not in listed[1] and listed[1]["domain"] == "loud.example"
    assert "quiet.example" not in {b["domain"] for b in listed}


def test_about_page(client):
    _blocks()
    about = client.get("/about").get_data(as_text=True)
    assert "Moderated servers" in about and "Illegal content" in about
    assert "hidden-server.example" not in about and "loud.example" in about
    assert "quiet.example" not in about and "Media rejected" in about


def test_about_page_without_blocks(client):
    assert "This server does not limit any other server." in client.get("/about").get_data(True)
