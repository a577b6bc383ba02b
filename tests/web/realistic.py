"""A realistic home timeline of 20 posts for the page-weight budget (tests/web/test_page_weight.py)
and its benchmark (bench/page_weight.py): local posts with mentions, links, hashtags, content
warnings, replies and an image with alt text, and boosts of local and remote posts (the remote
ones in Mastodon's HTML, mention and link markup included); some already favourited, boosted or
bookmarked by the reader. Everything goes through the services except the remote rows, which
stand for what the inbox would have stored."""

from __future__ import annotations

from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import Account, MediaAttachment, MediaType, ProcessingState, Status, Visibility
from fedi.services import accounts, follows, interactions, statuses

PASSWORD = "correct horse battery"
POSTS = 20

LOCAL_TEXTS = [
    "Morning walk by the river, the herons were out again and one of them stood still for ten "
    "minutes while I tried to take its picture. #birds #photography",
    "@{a} did you see the new release notes? The migration guide is at "
    "https://docs.example.org/releases/2024/migration-guide-for-operators and it is long.",
    "Reading about ActivityPub delivery retries today; exponential backoff with jitter is the "
    "way, and honouring Retry-After keeps everyone friends. #fediverse",
    "Short one.",
    "Tea, then code review, then more tea. A good Thursday. @{a} @{b} are you in tomorrow?",
    "Spoilers for the finale below, you have been warned. The detective was the narrator all "
    "along, which explains the unreliable timeline in chapter three.",
    "New blog post: how we cut our page weight in half without a bundler "
    "https://blog.example.net/2024/11/page-weight #webperf #htmx",
]
REMOTE_HTML = (
    '<p>Anyone else running their own instance on a small VPS? <span class="h-card" '
    'translate="no"><a href="https://remote.example/@{r}" class="u-url mention">@<span>{r}'
    '</span></a></span> says 1 GB is plenty. Details: <a href="https://remote.example/@{r}/1"'
    ' target="_blank" rel="nofollow noopener noreferrer" translate="no"><span class="invisible">'
    'https://</span><span class="ellipsis">remote.example/@{r}/1</span><span class="invisible">'
    '</span></a> <a href="https://remote.example/tags/selfhosting" class="mention hashtag" '
    'rel="tag">#<span>selfhosting</span></a></p>'
)


def _author(name: str, display: str) -> Account:
    return accounts.create_local_account(
        username=name, email=f"{name}@example.com", password=PASSWORD, display_name=display
    )


def _remote(name: str) -> Account:
    base = f"https://remote.example/users/{name}"
    account = Account(
        username=name, domain="remote.example", uri=base, url=f"https://remote.example/@{name}",
        inbox_url=f"{base}/inbox", shared_inbox_url="https://remote.example/inbox",
        display_name="Remote Person", public_key="",
    )  # fmt: skip
    db.session.add(account)
    db.session.commit()
    return account


def _remote_post(author: Account) -> Status:
    status_id = new_id()
    status = Status(
        id=status_id, account_id=author.id, local=False, visibility=Visibility.PUBLIC,
        uri=f"{author.uri}/statuses/{status_id}", url=f"{author.url}/{status_id}",
        content=REMOTE_HTML.format(r=author.username), language="en",
    )  # fmt: skip
    db.session.add(status)
    db.session.commit()
    return status


def _image(author: Account, status: Status) -> None:
    media = MediaAttachment(
        account_id=author.id, status_id=status.id, type=MediaType.IMAGE,
        processing=ProcessingState.DONE, remote_url="https://cdn.example/heron.jpg",
        thumbnail_remote_url="https://cdn.example/heron-small.jpg",
        description="A grey heron standing in shallow water, reeds behind it",
    )  # fmt: skip
    db.session.add(media)
    db.session.commit()


def seed_home(reader_name: str = "reader") -> Account:
    """The reader and a home timeline of POSTS entries and the reader's own boost (so the
    first page of 20 is full and has a next page)."""
    reader = _author(reader_name, "Reader")
    authors = [_author(f"author{i}", f"Author Number {i}") for i in range(4)]
    stranger = _author("stranger", "Someone Not Followed")
    remote = _remote("faraway")
    for author in authors:
        follows.follow(account=reader, target=author)
    made: list[Status] = []
    for n in range(POSTS):
        author = authors[n % len(authors)]
        if n % 5 == 4:  # a boost, of a remote post or of an account the reader does not follow
            if n % 10 == 4:
                target = _remote_post(remote)
            else:
                text = LOCAL_TEXTS[n % len(LOCAL_TEXTS)].format(a="author1", b="author2")
                target = statuses.post_status(account=stranger, text=text)
            made.append(interactions.reblog(status=target, by=author))
            continue
        text = LOCAL_TEXTS[n % len(LOCAL_TEXTS)].format(
            a=authors[(n + 1) % 4].username, b=authors[(n + 2) % 4].username
        )
        spoiler = "Book spoilers" if n % 7 == 5 else ""
        own = [s for s in made if s.reblog_of_id is None]  # replies to followed authors only
        parent = own[-1] if n % 6 == 3 and own else None
        status = statuses.post_status(
            account=author, text=text, spoiler_text=spoiler, in_reply_to=parent
        )
        if n % 8 == 0:
            _image(author, status)
        made.append(status)
    for status in made[::3]:
        interactions.favourite(status=status.reblog or status, by=reader)
    interactions.reblog(status=made[1], by=reader)  # the reader's own boost is in their home
    interactions.bookmark(status=made[2], by=reader)
    return reader
