"""Fixtures for the jobs tests: settings for this test's database and a referral to send."""

from __future__ import annotations

from pathlib import Path

import pytest

from takedown.config import Settings

from ..delivery.helpers import build_template, make_settings


# Remove once tests/conftest.py's _template stops checkpointing inside BEGIN IMMEDIATE.
@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_template(tmp_path_factory)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path)
