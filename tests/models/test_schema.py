"""The schema the migrations build: matches the models, indexes every foreign key and timeline."""

from __future__ import annotations

from sqlalchemy import inspect

from fedi.extensions import db


def _indexed_prefixes(inspector, table: str) -> list[list[str]]:
    cols = [ix["column_names"] for ix in inspector.get_indexes(table)]
    cols += [uc["column_names"] for uc in inspector.get_unique_constraints(table)]
    cols.append(inspector.get_pk_constraint(table)["constrained_columns"])
    return [[c for c in group if c] for group in cols]


def test_every_foreign_key_leads_an_index():
    inspector = inspect(db.engine)
    missing = []
    for table in inspector.get_table_names():
        prefixes = _indexed_prefixes(inspector, table)
        for fk in inspector.get_foreign_keys(table):
            cols = fk["constrained_columns"]
            if not any(group[: len(cols)] == cols for group in prefixes):
                missing.append(f"{table}.{','.join(cols)}")
    assert missing == []


def test_timeline_indexes_exist():
    inspector = inspect(db.engine)
    names = {
        t: {ix["name"] for ix in inspector.get_indexes(t)} for t in inspector.get_table_names()
    }
    assert {"ix_statuses_account_id_id", "ix_statuses_public", "ix_statuses_public_local"} <= names[
        "statuses"
    ]
    assert "ix_status_tags_tag_id_status_id" in names["status_tags"]
    assert "ix_notifications_account_id_id" in names["notifications"]
    assert "ix_deliveries_state_next_attempt_at" in names["deliveries"]
    # Home feed pages read the primary key (account_id, status_id) newest-first.
    assert inspector.get_pk_constraint("feed_entries")["constrained_columns"] == [
        "account_id",
        "status_id",
    ]


def test_migrations_match_the_models():
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_case_insensitive_unique_usernames(alice):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from fedi.models import Account

    db.session.add(Account(username="ALICE", domain=None, uri="https://wren.test/users/ALICE"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
