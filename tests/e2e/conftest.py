"""Fixtures for the end-to-end tests: a real `takedown serve` on 127.0.0.1."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from takedown.store.db import Database


# Workaround, as in tests/web and tests/cli: tests/conftest.py's `_template` runs
# `PRAGMA wal_checkpoint(TRUNCATE)` inside the `BEGIN IMMEDIATE` that Database opens, and SQLite
# answers "database table is locked". Closing every connection checkpoints the WAL anyway.
# Remove this override once tests/conftest.py is fixed.
@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> str:
    pg_url = os.environ.get("TAKEDOWN_TEST_DATABASE_URL")
    if pg_url:
        db = Database(pg_url)
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        db.migrate()
        db.dispose()
        return pg_url
    path = tmp_path_factory.mktemp("template") / "takedown.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    db.dispose()  # the last connection to close checkpoints and removes the WAL
    return str(path)
