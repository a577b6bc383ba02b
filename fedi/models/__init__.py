"""Typed SQLAlchemy models. No HTTP, no tasks: services own the use cases."""

from fedi.models.accounts import Account, Role, User
from fedi.models.base import utcnow
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
from fedi.models.interactions import Bookmark, Favourite, StatusPin
from fedi.models.media import MediaAttachment, MediaType, ProcessingState
from fedi.models.notifications import Notification, NotificationType
from fedi.models.oauth import OAuthApplication, OAuthAuthorizationCode, OAuthToken
from fedi.models.relations import AccountDomainBlock, Block, Follow, FollowRequest, Mute
from fedi.models.statuses import (
    Conversation,
    ConversationMute,
    Mention,
    Status,
    StatusEdit,
    StatusTag,
    Tag,
    Visibility,
)

__all__ = [
    "Account",
    "AccountDomainBlock",
    "Block",
    "Bookmark",
    "Conversation",
    "ConversationMute",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryState",
    "DomainHealth",
    "Favourite",
    "FeedEntry",
    "Follow",
    "FollowRequest",
    "InboxItem",
    "InboxState",
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
    "ProcessingState",
    "RepliesPolicy",
    "Role",
    "Status",
    "StatusEdit",
    "StatusPin",
    "StatusTag",
    "Tag",
    "User",
    "Visibility",
    "utcnow",
]
