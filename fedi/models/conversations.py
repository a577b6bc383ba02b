"""Conversations: threads of statuses, the ones an account muted, and each account's view of
its direct-message threads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fedi.extensions import db
from fedi.models.base import JSONType, account_fk, created_at, snowflake_pk


class Conversation(db.Model):
    """A thread: statuses replying to each other share one (remote ones by their `context`)."""

    __tablename__ = "conversations"

    id: Mapped[int] = snowflake_pk()
    uri: Mapped[str | None] = mapped_column(String(2048), unique=True)
    created_at: Mapped[datetime] = created_at()


class ConversationMute(db.Model):
    __tablename__ = "conversation_mutes"
    __table_args__ = (UniqueConstraint("account_id", "conversation_id"),)

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = account_fk()
    conversation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )


class AccountConversation(db.Model):
    """One account's view of a direct-message thread with a given set of participants.

    `participants_key` is a digest of the sorted participant ids (everyone but the owner), so the
    same thread with the same people is one row; `status_ids` holds the thread's direct statuses
    this account takes part in, the newest being `last_status_id` (conversations page by it).
    """

    __tablename__ = "account_conversations"
    __table_args__ = (UniqueConstraint("account_id", "conversation_id", "participants_key"),)

    id: Mapped[int] = snowflake_pk()
    account_id: Mapped[int] = account_fk()
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
