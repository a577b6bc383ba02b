"""Typed SQLAlchemy models. No HTTP, no tasks: services own the use cases."""

from fedi.models import search  # noqa: F401  (no model: PostgreSQL's search indexes)
from fedi.models.accounts import Account, Role, User, as_account_id
from fedi.models.announcements import Announcement, AnnouncementDismissal, AnnouncementReaction
from fedi.models.audit_log import AuditLogEntry
from fedi.models.base import utcnow
from fedi.models.conversations import AccountConversation, Conversation, ConversationMute
from fedi.models.custom_emojis import CustomEmoji
from fedi.models.federation import (
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    DomainHealth,
    InboxItem,
    InboxState,
    OutboxActivity,
)
from fedi.models.feeds import FeedEntry, List, ListAccount, Marker, RepliesPolicy
from fedi.models.filters import Filter, FilterAction, FilterKeyword, FilterStatus
from fedi.models.idempotency import IdempotencyKey
from fedi.models.instance_rules import InstanceRule
from fedi.models.interactions import Bookmark, Favourite, StatusPin
from fedi.models.media import MediaAttachment, MediaType, ProcessingState
from fedi.models.moderation import AccountModerationNote, AccountWarning, WarningAction
from fedi.models.notifications import Notification, NotificationType
from fedi.models.oauth import OAuthApplication, OAuthAuthorizationCode, OAuthToken
from fedi.models.polls import Poll, PollVote
from fedi.models.preview_cards import CardType, PreviewCard, PreviewCardStatus
from fedi.models.profiles import AccountNote, AccountPin, FeaturedTag
from fedi.models.push import PushSubscription
from fedi.models.relations import (
    AccountDomainBlock,
    Block,
    Follow,
    FollowRequest,
    Mute,
    SuggestionDismissal,
)
from fedi.models.reports import Report, ReportCategory, ReportNote
from fedi.models.scheduled_statuses import ScheduledStatus
from fedi.models.server_blocks import (
    CanonicalEmailBlock,
    DomainAllow,
    DomainBlock,
    DomainBlockSeverity,
    EmailDomainBlock,
    IpBlock,
    IpBlockSeverity,
)
from fedi.models.site_settings import SiteSetting
from fedi.models.statuses import Mention, Status, StatusEdit, Visibility
from fedi.models.tags import StatusTag, Tag, TagFollow
from fedi.models.web_sessions import WebSession

__all__ = [
    "Account",
    "AccountConversation",
    "AccountDomainBlock",
    "AccountModerationNote",
    "AccountNote",
    "AccountPin",
    "AccountWarning",
    "Announcement",
    "AnnouncementDismissal",
    "AnnouncementReaction",
    "AuditLogEntry",
    "Block",
    "Bookmark",
    "CanonicalEmailBlock",
    "CardType",
    "Conversation",
    "ConversationMute",
    "CustomEmoji",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryState",
    "DomainAllow",
    "DomainBlock",
    "DomainBlockSeverity",
    "DomainHealth",
    "EmailDomainBlock",
    "Favourite",
    "FeaturedTag",
    "FeedEntry",
    "Filter",
    "FilterAction",
    "FilterKeyword",
    "FilterStatus",
    "Follow",
    "FollowRequest",
    "IdempotencyKey",
    "InboxItem",
    "InboxState",
    "InstanceRule",
    "IpBlock",
    "IpBlockSeverity",
    "List",
    "ListAccount",
    "Marker",
    "MediaAttachment",
    "MediaType",
    "Mention",
    "Mute",
    "Notification",
    "NotificationType",
    "OAuthApplication",
    "OAuthAuthorizationCode",
    "OAuthToken",
    "OutboxActivity",
    "Poll",
    "PollVote",
    "PreviewCard",
    "PreviewCardStatus",
    "ProcessingState",
    "PushSubscription",
    "RepliesPolicy",
    "Report",
    "ReportCategory",
    "ReportNote",
    "Role",
    "ScheduledStatus",
    "SiteSetting",
    "Status",
    "StatusEdit",
    "StatusPin",
    "StatusTag",
    "SuggestionDismissal",
    "Tag",
    "TagFollow",
    "User",
    "Visibility",
    "WarningAction",
    "WebSession",
    "as_account_id",
    "utcnow",
]
