"""The reports API checks each report as a file import checks a row: one bad report is listed in
``rejected`` and its neighbours are stored; none of them is a server error, on either database."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from takedown.config import Settings
from takedown.services import operations, units
from takedown.store.db import Database
from takedown.store.models import Report
from takedown.web.app import create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

URL = "/api/v1/operations/OP1/reports"


@pytest.fixture
def client(db_url: str, db: Database, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "var", database_url=db_url)
    with TestClient(create_app(settings, db)) as c:
        yield c


@pytest.fixture
def token(db: Database) -> str:
    with db.session() as s:
        operations.create_operation(s, "OP1", actor="test")
        de = units.create_unit(s, "DE-IRU", "referral_unit", actor="test")
        return units.create_token(s, de, "analyst", actor="test")[1]


def test_each_report_is_checked_like_a_file_row(
    client: TestClient, token: str, db: Database
) -> None:
    reports = [
        {"url": "https://example.org/ok", "reported_at": "2026-11-27T10:00:00+01:00"},
        {"url": "https://example.org/late", "reported_at": "9999-12-31T23:59:59-14:00"},
        {"url": "https://example.org/early", "reported_at": "0001-01-01T00:00:00+14:00"},
        {"url": "https://example.org/year5", "reported_at": "0005-01-01T00:00:00Z"},
        {"url": "https://example.org/nul", "notes": "a\u0000b"},
        {"url": "https://example.org/esc", "title": "\u001b[2J"},
        {"url": "https://example.org/lang", "language": "x" * 36},
        {"url": "https://example.org/group", "group": "g" * 201},
        {"url": "https://example.org/ev", "evidence_path": "/proc/self/environ"},
    ]
    r = client.post(URL, json={"reports": reports}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["accepted"] == 1
    assert [(x["row"], x["field"]) for x in got["rejected"]] == [
        (2, "reported_at"),
        (3, "reported_at"),
        (4, "reported_at"),
        (5, "notes"),
        (6, "title"),
        (7, "language"),
        (8, "group"),
        (9, "evidence_path"),
    ]
    assert "future" in got["rejected"][0]["reason"]
    assert "1990-01-01" in got["rejected"][1]["reason"]
    with db.session() as s:
        assert s.scalars(select(Report.url)).all() == ["https://example.org/ok"]
