"""Helpers shared by the tests of the public web pages."""

from __future__ import annotations

from fedi.extensions import db
from fedi.ids import new_id
from fedi.models import Account, MediaAttachment, MediaType, Status, Visibility


def page(response) -> str:
    return response.get_data(as_text=True)


def remote_status(author: Account, content: str = "<p>from afar</p>", **kwargs) -> Status:
    status_id = new_id()
    status = Status(
        id=status_id,
        account_id=author.id,
        uri=f"https://{author.domain}/users/{author.username}/statuses/{status_id}",
        url=f"https://{author.domain}/@{author.username}/{status_id}",
        content=content,
        visibility=kwargs.pop("visibility", Visibility.PUBLIC),
        local=False,
        **kwargs,
    )
    db.session.add(status)
    db.session.commit()
    return status


def attach_image(status: Status, description: str = "A wren on a branch") -> MediaAttachment:
    media = MediaAttachment(
        account_id=status.account_id,
        status_id=status.id,
        type=MediaType.IMAGE,
        remote_url="https://cdn.example/wren.jpg",
        description=description,
    )
    db.session.add(media)
    db.session.commit()
    return media
