"""Race-free counter updates (`SET n = n + 1` in SQL, never read-modify-write in Python)."""

from __future__ import annotations

from sqlalchemy import case, update

from fedi.extensions import db
from fedi.models import Account, Status


def bump(model: type[Account] | type[Status], row_id: int | None, column: str, by: int) -> None:
    if row_id is None or by == 0:
        return
    col = getattr(model, column)
    value = col + by if by > 0 else case((col + by < 0, 0), else_=col + by)
    db.session.execute(
        update(model)
        .where(model.id == row_id)
        .values({column: value})
        .execution_options(synchronize_session=False)
    )
