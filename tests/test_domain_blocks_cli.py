"""The operator's commands: `fedi domain-block`, `fedi domain-unblock` and
`fedi domain-blocks-import` (Mastodon's CSV export), with progress output, through the same
service as the admin pages and API (and into the audit log)."""

from __future__ import annotations

from sqlalchemy import select

from fedi.extensions import db
from fedi.models import AuditLogEntry, DomainBlock
from tests.helpers import make_remote

CSV = """#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate
spam.example,suspend,false,false,Spam,false
meh.example,silence,true,true,"Rude, often",true
Spam.Example,suspend,false,false,,false
sub.spam.example,silence,false,false,,false
not a domain,suspend,false,false,,false
"""


def test_block_and_unblock(app):
    far = make_remote("far", "far.example")
    runner = app.test_cli_runner()
    r = runner.invoke(args=["fedi", "domain-block", "Far.Example", "--severity", "suspend",
                            "--public-comment", "Abuse"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "1 accounts suspended" in r.output and "Blocked far.example: suspend" in r.output
    db.session.expire_all()
    assert far.suspended_at is not None
    r = runner.invoke(args=["fedi", "domain-block", "far.example", "--severity", "silence"])
    assert r.exit_code == 0 and "Updated the block of far.example: silence" in r.output
    db.session.expire_all()
    assert far.suspended_at is None and far.silenced_at is not None

    r = runner.invoke(args=["fedi", "domain-unblock", "far.example"])
    assert r.exit_code == 0 and "Unblocked far.example" in r.output
    db.session.expire_all()
    assert far.silenced_at is None
    assert runner.invoke(args=["fedi", "domain-unblock", "far.example"]).exit_code != 0
    entries = db.session.execute(select(AuditLogEntry.action, AuditLogEntry.account_id)).all()
    assert sorted(a for a, _ in entries) == ["create", "destroy", "update"]
    assert {who for _, who in entries} == {None}  # the operator, not an account


def test_import(app, tmp_path):
    path = tmp_path / "blocks.csv"
    path.write_text(CSV, encoding="utf-8")
    r = app.test_cli_runner().invoke(args=["fedi", "domain-blocks-import", str(path)])
    assert r.exit_code == 0, r.output
    assert "5 domains to import" in r.output
    assert "[1/5] spam.example: suspend" in r.output
    assert "Done: 2 blocked, 2 already blocked, 1 invalid" in r.output
    blocks = {b.domain: b for b in db.session.scalars(select(DomainBlock))}
    assert set(blocks) == {"spam.example", "meh.example"}
    meh = blocks["meh.example"]
    assert meh.reject_media and meh.reject_reports and meh.obfuscate
    assert meh.public_comment == "Rude, often"
