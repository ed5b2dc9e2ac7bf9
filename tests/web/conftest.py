"""Fixtures for the web tests: the app on this test's database, units and their tokens."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from takedown.config import Settings
from takedown.services import operations, units
from takedown.store.db import Database
from takedown.web.app import create_app

with warnings.catch_warnings():
    # Starlette 1.x deprecates its TestClient on httpx in favour of httpx2, which takedown
    # does not depend on (yet); the client works the same.
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

API_MAX_REPORTS = 5


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", database_url=db_url, api_max_reports=API_MAX_REPORTS)


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings, db)) as c:
        yield c


@pytest.fixture
def tokens(db: Database) -> dict[str, str]:
    """Operation OP1, units and one bearer header value per kind of caller."""
    with db.session() as s:
        operations.create_operation(s, "OP1", actor="test")
        de = units.create_unit(s, "DE-IRU", "referral_unit", actor="test")
        fr = units.create_unit(s, "FR-IRU", "referral_unit", actor="test")
        tg = units.create_unit(s, "TG", "platform", actor="test", platforms=["telegram"])
        out = {
            "de": units.create_token(s, de, "analyst", actor="test")[1],
            "fr": units.create_token(s, fr, "analyst", actor="test")[1],
            "platform": units.create_token(s, tg, "platform_agent", actor="test")[1],
            "auditor": units.create_token(s, de, "auditor", actor="test")[1],
            "expiring": units.create_token(
                s, de, "analyst", actor="test", expires_in=timedelta(minutes=1)
            )[1],
        }
    return out
