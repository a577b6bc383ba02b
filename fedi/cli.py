"""`flask --app app fedi ...` and the `fedi` console script."""

from __future__ import annotations

import json
import os
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from fedi.errors import DomainError
from fedi.models import Role

group = click.Group("fedi", help="Manage this instance.")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)


def _fail(err: DomainError) -> None:
    raise click.ClickException(err.message)


@group.command("create-user")
@click.argument("username")
@click.option("--email", required=True)
@click.option("--password", default=None, help="Generated and printed when omitted.")
@click.option("--admin", "role", flag_value=Role.ADMIN.value)
@click.option("--moderator", "role", flag_value=Role.MODERATOR.value)
@with_appcontext
def create_user(username: str, email: str, password: str | None, role: str | None) -> None:
    """Create a local account with a confirmed, approved login."""
    from fedi.services import accounts

    generated = password is None
    password = password or accounts.generate_password()
    try:
        account = accounts.create_local_account(
            username=username, email=email, password=password,
            role=Role(role or Role.USER.value), allow_reserved=True,
        )  # fmt: skip
    except DomainError as err:
        _fail(err)
    click.echo(f"Created @{account.username} ({role or 'user'}) <{account.user.email}>")
    if generated:
        click.echo(f"Password: {password}")


@group.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@with_appcontext
def set_role(username: str, role: str) -> None:
    """Make a user an admin, a moderator, or a plain user again."""
    from fedi.services import accounts

    try:
        accounts.set_role(username=username, role=Role(role))
    except DomainError as err:
        _fail(err)
    click.echo(f"@{username} is now {role}")


@group.command("reset-password")
@click.argument("username")
@click.option("--password", default=None, help="Generated and printed when omitted.")
@with_appcontext
def reset_password(username: str, password: str | None) -> None:
    from fedi.services import accounts

    try:
        new = accounts.reset_password(username=username, password=password)
    except DomainError as err:
        _fail(err)
    click.echo(f"Password of @{username} changed")
    if password is None:
        click.echo(f"Password: {new}")


@group.command("disable-2fa")
@click.argument("username")
@with_appcontext
def disable_two_factor(username: str) -> None:
    """Turn off two-factor sign-in for someone who lost their phone and recovery codes."""
    from fedi.services import two_factor

    try:
        was_on = two_factor.disable_for(username)
    except DomainError as err:
        _fail(err)
    state = "turned off" if was_on else "was not on"
    click.echo(f"Two-factor authentication of @{username} {state}")


def _block_form(severity, reject_media, reject_reports, public_comment, private_comment,
                obfuscate):  # fmt: skip
    from fedi.services.domain_moderation import BlockForm

    return BlockForm(
        severity=severity, reject_media=reject_media, reject_reports=reject_reports,
        public_comment=public_comment, private_comment=private_comment, obfuscate=obfuscate,
    )  # fmt: skip


@group.command("domain-block")
@click.argument("domain")
@click.option("--severity", type=click.Choice(["silence", "suspend", "noop"]), default="suspend",
              show_default=True)  # fmt: skip
@click.option("--reject-media", is_flag=True, help="Neither show nor fetch its media.")
@click.option("--reject-reports", is_flag=True, help="Ignore its reports.")
@click.option("--public-comment", default="", help="Shown on the about page.")
@click.option("--private-comment", default="", help="For staff only.")
@click.option("--obfuscate", is_flag=True, help="Star the domain in the public list.")
@with_appcontext
def domain_block(domain: str, severity: str, reject_media: bool, reject_reports: bool,
                 public_comment: str, private_comment: str, obfuscate: bool) -> None:  # fmt: skip
    """Block a domain (and its subdomains), as Admin -> Federation does; or change its block."""
    from fedi.services import domain_moderation as moderation

    form = _block_form(severity, reject_media, reject_reports, public_comment, private_comment,
                       obfuscate)  # fmt: skip
    try:
        existing = moderation.block_for(moderation.OPERATOR, domain)
        if existing is not None:
            block = moderation.update_block(moderation.OPERATOR, existing.id, form, click.echo)
            click.echo(f"Updated the block of {block.domain}: {block.severity.value}")
            return
        block = moderation.create_block(moderation.OPERATOR, domain, form, click.echo)
    except DomainError as err:
        _fail(err)
    click.echo(f"Blocked {block.domain}: {block.severity.value}")


@group.command("domain-unblock")
@click.argument("domain")
@with_appcontext
def domain_unblock(domain: str) -> None:
    """Remove a domain's block (what it set on the domain's accounts is lifted)."""
    from fedi.services import domain_moderation as moderation

    try:
        block = moderation.block_for(moderation.OPERATOR, domain)
        if block is None:
            raise click.ClickException(f"{domain} is not blocked")
        moderation.delete_block(moderation.OPERATOR, block.id)
    except DomainError as err:
        _fail(err)
    click.echo(f"Unblocked {block.domain}")


@group.command("domain-blocks-import")
@click.argument("path", type=click.File("r", encoding="utf-8"))
@with_appcontext
def domain_blocks_import(path) -> None:
    """Import a blocklist in Mastodon's CSV export format (#domain,#severity,#reject_media,
    #reject_reports,#public_comment,#obfuscate)."""
    from fedi.services import blocklist_import, domain_moderation

    entries = blocklist_import.parse_blocklist_csv(path.read())
    click.echo(f"{len(entries)} domains to import")
    result = blocklist_import.import_blocks(domain_moderation.OPERATOR, entries, click.echo)
    click.echo(
        f"Done: {len(result.created)} blocked, {len(result.skipped)} already blocked, "
        f"{len(result.invalid)} invalid"
    )


def _acting_staff(by: str | None):
    """The staff member a command acts as: `--by USERNAME`, else the oldest admin."""
    from sqlalchemy import select

    from fedi.extensions import db
    from fedi.models import Account, User
    from fedi.services import account_moderation

    if by:
        actor = account_moderation.find_by_handle(by)
    else:
        actor = db.session.scalar(
            select(Account).join(User, User.account_id == Account.id)
            .where(User.role == Role.ADMIN, User.disabled.is_(False),
                   Account.suspended_at.is_(None))
            .order_by(User.created_at).limit(1)
        )  # fmt: skip
    if actor is None or not actor.local:
        raise click.ClickException("No staff account to act as: give --by USERNAME")
    return actor


def _moderation(handle: str, by: str | None):
    """The account named USERNAME[@DOMAIN] and the staff member acting (`--by`, else the
    oldest admin), for the moderation commands."""
    from fedi.services import account_moderation

    target = account_moderation.find_by_handle(handle)
    if target is None:
        raise click.ClickException(f"No account {handle}")
    return target, _acting_staff(by)


@group.command("suspend")
@click.argument("handle", metavar="USERNAME[@DOMAIN]")
@click.option("--by", default=None, help="The staff member acting (default: the oldest admin).")
@click.option("--text", default="", help="A message for the user.")
@click.option("--no-email", is_flag=True, help="Do not tell the user.")
@with_appcontext
def suspend(handle: str, by: str | None, text: str, no_email: bool) -> None:
    """Suspend an account (its data is deleted after 30 days unless unsuspended)."""
    from fedi.services import account_moderation

    target, actor = _moderation(handle, by)
    try:
        account_moderation.act(
            target, by=actor, type_="suspend", text=text, send_email_notification=not no_email
        )
    except DomainError as err:
        _fail(err)
    click.echo(f"@{target.acct} suspended by @{actor.username}")


@group.command("unsuspend")
@click.argument("handle", metavar="USERNAME[@DOMAIN]")
@click.option("--by", default=None, help="The staff member acting (default: the oldest admin).")
@with_appcontext
def unsuspend(handle: str, by: str | None) -> None:
    """Lift a suspension (within the 30 days its data is kept)."""
    from fedi.services import account_moderation

    target, actor = _moderation(handle, by)
    try:
        account_moderation.unsuspend(target, by=actor)
    except DomainError as err:
        _fail(err)
    click.echo(f"@{target.acct} unsuspended by @{actor.username}")


@group.group("emoji")
def emoji_group() -> None:
    """Manage local custom emoji (as the admin pages do, into the audit log)."""


@emoji_group.command("add")
@click.argument("shortcode")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--category", default=None, help="The picker's category.")
@click.option("--hidden", is_flag=True, help="Usable, but not offered in the picker.")
@click.option("--by", default=None, help="The staff member acting (default: the oldest admin).")
@with_appcontext
def emoji_add(shortcode: str, path: str, category: str | None, hidden: bool,
              by: str | None) -> None:  # fmt: skip
    """Add a local emoji from a PNG, GIF or WebP image of at most 256 KB."""
    from fedi.services import custom_emoji_admin

    try:
        with open(path, "rb") as file:
            data = file.read(custom_emoji_admin.LIMIT + 1)  # enough to tell it is too big
    except OSError as err:
        raise click.ClickException(f"Cannot read {path}: {err.strerror}") from None
    actor = _acting_staff(by)
    try:
        emoji = custom_emoji_admin.create(
            shortcode=shortcode,
            data=data,
            category=category,
            visible_in_picker=not hidden,
            by=actor,
        )
    except DomainError as err:
        _fail(err)
    click.echo(f":{emoji.shortcode}: added")


@emoji_group.command("remove")
@click.argument("shortcode")
@click.option("--by", default=None, help="The staff member acting (default: the oldest admin).")
@with_appcontext
def emoji_remove(shortcode: str, by: str | None) -> None:
    """Remove a local emoji and its files."""
    from sqlalchemy import func, select

    from fedi.extensions import db
    from fedi.models import CustomEmoji
    from fedi.services import custom_emoji_admin

    name = shortcode.strip().strip(":")
    emoji_id = db.session.scalar(
        select(CustomEmoji.id).where(
            CustomEmoji.domain.is_(None), func.lower(CustomEmoji.shortcode) == name.lower()
        )
    )
    if emoji_id is None:
        raise click.ClickException(f"No local emoji :{name}:")
    actor = _acting_staff(by)
    try:
        custom_emoji_admin.delete(emoji_id, by=actor)
    except DomainError as err:
        _fail(err)
    click.echo(f":{name}: removed")


@group.command("config")
@with_appcontext
def show_config() -> None:
    """Print the effective configuration, secrets masked."""
    click.echo(json.dumps(current_app.config["FEDI"].masked(), indent=2, default=str))


@group.command("serve")
@click.option("--host", default=None)
@click.option("--port", default=None, type=int)
@click.option("--threads", default=8, show_default=True, help="Request threads.")
@with_appcontext
def serve(host: str | None, port: int | None, threads: int) -> None:
    """Migrate, create the first admin if needed, and serve (embedded: tasks run in-process)."""
    from fedi import server

    server.prepare(current_app)
    settings = current_app.config["FEDI"]
    server.serve(host or settings.HOST, port or settings.PORT, threads=threads)


@group.command("worker")
@click.option("--workers", default=4, show_default=True, help="Worker threads.")
@with_appcontext
def worker(workers: int) -> None:
    """Consume the task queue (needs REDIS_URL; embedded, `serve` runs the tasks)."""
    from fedi import queue

    if current_app.config["FEDI"].embedded:
        raise click.ClickException("fedi worker needs REDIS_URL; `fedi serve` runs tasks itself")
    queue.run_worker(workers)


def main() -> None:
    """The `fedi` console script: the `fedi` command group with the app loaded from the env."""
    from dotenv import load_dotenv

    load_dotenv(os.path.join(os.getcwd(), ".env"))

    def _create() -> Flask:
        from fedi import create_app

        return create_app()

    cli = FlaskGroup(create_app=_create, add_default_commands=False, load_dotenv=False)
    for name, command in group.commands.items():
        cli.add_command(command, name)
    sys.exit(cli.main(prog_name="fedi"))
