"""Shared fixtures: a real database built by the migrations, and settings pointing at it.

SQLite by default; the same suite runs on PostgreSQL when TAKEDOWN_TEST_DATABASE_URL is set.
Network: pytest-socket (see pyproject addopts) allows connections to loopback only.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from takedown.config import get_settings
from takedown.store.db import Database
from takedown.store.models import Base

PG_URL = os.environ.get("TAKEDOWN_TEST_DATABASE_URL")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of SQLite's own storage (``sqlite_only``) do not apply to a PostgreSQL run: they
    are deselected there, not skipped (a skip means a component is missing)."""
    if not PG_URL:
        return
    keep = [i for i in items if i.get_closest_marker("sqlite_only") is None]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep


def pytest_report_header() -> str:
    return f"takedown database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (per-test file)'}"


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Run the migrations once: into a template SQLite file, or into the test PostgreSQL."""
    if PG_URL:
        db = Database(PG_URL)
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        db.migrate()
        db.dispose()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "takedown.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    db.dispose()  # closing the last connection checkpoints the WAL into the file
    return str(path)


@pytest.fixture
def db_url(_template: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database for one test."""
    if PG_URL:
        db = Database(PG_URL)
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.dispose()
        yield PG_URL
        return
    target = tmp_path / "var" / "takedown.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template, target)
    yield f"sqlite:///{target}"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def settings_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point TAKEDOWN_* at this test's database and data folder; returns the data folder."""
    data = tmp_path / "var"
    data.mkdir(exist_ok=True)
    monkeypatch.setenv("TAKEDOWN_DATA_DIR", str(data))
    monkeypatch.setenv("TAKEDOWN_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()
