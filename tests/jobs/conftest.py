"""Fixtures for the jobs tests: settings for this test's database and a referral to send."""

from __future__ import annotations

from pathlib import Path

import pytest

from takedown.config import Settings

from ..delivery.helpers import make_settings


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path)
