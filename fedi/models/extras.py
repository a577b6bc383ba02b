"""Direct-message conversations per account, followed hashtags, dismissed suggestions, custom
emoji, announcements and instance rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import Grouping

from fedi.extensions import db
from fedi.models.accounts import Account
from fedi.models.base import JSONType, UTCDateTime, created_at, snowflake_pk, updated_at
from fedi.models.statuses import Status, Tag


def _account_fk(*, index: bool = False) -> Mapped[int]:
    return mapped_column(BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=index)


class AccountConversation(db.Model):
    """One account's view of a direct-message thread with a given set of participants.

    `participants_key` is a digest of the sorted participant ids (everyone but the owner), so the
    same thread with the same people is one row; `status_ids` holds the thread's direct statuses
    this account takes part in, the newest being `last_status_id` (conversations page by it).
    """

    __tablename__ = "account_conversations"
    __table_args__ = (UniqueConstraint("account_id", "conversation_id", "participants_key"),)

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = _account_fk()
    conversation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    participants_key: Mapped[str] = mapped_column(String(64))
    participant_account_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    status_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    last_status_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="SET NULL"), index=True
    )
    unread: Mapped[bool] = mapped_column(Boolean, default=False)


Index(
    "ix_account_conversations_account_id_last_status_id",
    AccountConversation.account_id,
    AccountConversation.last_status_id,
)


class TagFollow(db.Model):
    """A local account following a hashtag: its public posts reach that account's home feed."""

    __tablename__ = "tag_follows"
    __table_args__ = (UniqueConstraint("account_id", "tag_id"),)

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = _account_fk()
    tag_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tags.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = created_at()


Index("ix_tag_follows_account_id_id", TagFollow.account_id, TagFollow.id)


class SuggestionDismissal(db.Model):
    """An account the user asked not to be suggested again."""

    __tablename__ = "suggestion_dismissals"
    __table_args__ = (UniqueConstraint("account_id", "target_account_id"),)

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = _account_fk()
    target_account_id: Mapped[int] = _account_fk(index=True)
    created_at: Mapped[datetime] = created_at()


class CustomEmoji(db.Model):
    """A `:shortcode:` image, local (`domain` None) or copied from a remote server."""

    __tablename__ = "custom_emojis"

    id: Mapped[int] = snowflake_pk()
    shortcode: Mapped[str] = mapped_column(String(128))
    domain: Mapped[str | None] = mapped_column(String(255))
    image_file: Mapped[str | None] = mapped_column(String(512))  # under MEDIA_ROOT
    static_file: Mapped[str | None] = mapped_column(String(512))  # non-animated copy
    image_remote_url: Mapped[str | None] = mapped_column(String(2048))
    uri: Mapped[str | None] = mapped_column(String(2048))
    category: Mapped[str | None] = mapped_column(String(255))
    visible_in_picker: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


# One emoji per shortcode and domain (local ones have domain NULL).
Index(
    "ux_custom_emojis_shortcode_domain",
    CustomEmoji.shortcode,
    func.coalesce(CustomEmoji.domain, ""),
    unique=True,
)


class Announcement(db.Model):
    """A notice from the staff shown to every local user until it ends or they dismiss it."""

    __tablename__ = "announcements"

    id: Mapped[int] = snowflake_pk()
    text: Mapped[str] = mapped_column(Text, default="")  # HTML
    published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class AnnouncementDismissal(db.Model):
    __tablename__ = "announcement_dismissals"
    __table_args__ = (UniqueConstraint("account_id", "announcement_id"),)

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = _account_fk()
    announcement_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = created_at()


class AnnouncementReaction(db.Model):
    """An emoji reaction (unicode, or a local custom emoji's shortcode) to an announcement."""

    __tablename__ = "announcement_reactions"
    __table_args__ = (UniqueConstraint("account_id", "announcement_id", "name"),)

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = _account_fk()
    announcement_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(128))
    custom_emoji_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("custom_emojis.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = created_at()


class InstanceRule(db.Model):
    """A server rule, listed by `priority` (then age) on the about page and in the API."""

    __tablename__ = "instance_rules"

    id: Mapped[int] = snowflake_pk()
    text: Mapped[str] = mapped_column(Text, default="")
    hint: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[int] = mapped_column(Integer, default=0, index=True)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


# Search indexes, PostgreSQL only (SQLite searches with LIKE); see the extras_1 migration.
# SEARCH_DOCUMENT is what status search matches, written the way PostgreSQL reflects it.
SEARCH_DOCUMENT = func.to_tsvector(
    text("'simple'::regconfig"),
    Grouping(Status.spoiler_text.op("||")(literal_column("' '"))).op("||")(Status.content),
)
Index(
    "ix_statuses_search_fts",
    SEARCH_DOCUMENT,
    postgresql_using="gin",
    postgresql_where=text("deleted_at IS NULL AND reblog_of_id IS NULL"),
).ddl_if(dialect="postgresql")
Index(
    "ix_accounts_username_prefix",
    func.lower(Account.username).label("lower_username"),
    postgresql_ops={"lower_username": "text_pattern_ops"},
).ddl_if(dialect="postgresql")
Index(
    "ix_tags_name_prefix",
    func.lower(Tag.name).label("lower_name"),
    postgresql_ops={"lower_name": "text_pattern_ops"},
).ddl_if(dialect="postgresql")
