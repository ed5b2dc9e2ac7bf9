"""The schema built by the migrations is the schema the models describe."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from takedown.store.db import MIGRATIONS, Database, head_revision
from takedown.store.models import Base

if importlib.util.find_spec("takedown.store.banks") is not None:  # models added by a later issue
    importlib.import_module("takedown.store.banks")


def test_migrations_match_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": db.is_sqlite}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_every_model_table_exists(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert {"units", "users", "operations", "reports", "items", "evidence", "signals",
            "audit_events"} <= tables  # fmt: skip


def test_a_single_alembic_head() -> None:
    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"


def test_migrated_database_is_at_head(db: Database) -> None:
    assert db.current_revision() == head_revision()


def test_migrate_twice_is_harmless(db: Database) -> None:
    db.migrate()
    assert db.current_revision() == head_revision()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'fresh' / 'takedown.db'}")
    try:
        db.migrate()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.dispose()


def test_a_new_sqlite_database_gets_16_kib_pages_and_an_old_one_keeps_its_own(
    tmp_path: Path,
) -> None:
    import sqlite3

    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:  # made by an earlier takedown, with 4 KiB pages
        conn.execute("PRAGMA page_size=4096")
        conn.execute("CREATE TABLE t (x)")
    for path, page in ((tmp_path / "new.db", 16384), (old, 4096)):
        db = Database(f"sqlite:///{path}")
        try:
            with db.engine.connect() as conn:
                conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x)")
                assert conn.exec_driver_sql("PRAGMA page_size").scalar() == page
                # Either way the WAL is checkpointed at 256 MiB, whatever the page size.
                pages = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
                assert pages * page == 256 * 1024 * 1024
        finally:
            db.dispose()


def test_foreign_keys_are_enforced(db: Database) -> None:
    import pytest
    from sqlalchemy.exc import IntegrityError

    from takedown.store.models import User

    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(
            User.__table__.insert(),
            {"email": "x@y", "unit_id": 999_999, "role": "analyst", "password_hash": "x",
             "must_change_password": True, "active": True, "created_at": None},
        )  # fmt: skip
