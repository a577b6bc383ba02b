"""The server's rules, in the order the about page, sign-up and the API list them."""

from __future__ import annotations

from sqlalchemy import select

from fedi.extensions import db
from fedi.models import InstanceRule


def rules() -> list[InstanceRule]:
    return list(
        db.session.scalars(select(InstanceRule).order_by(InstanceRule.priority, InstanceRule.id))
    )
