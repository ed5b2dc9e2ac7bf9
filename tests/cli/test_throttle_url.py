"""TAKEDOWN_THROTTLE_URL that is not Redis stops `takedown` at start, naming the setting."""

from __future__ import annotations

import pytest

from .conftest import Cli


def test_serve_refuses_a_throttle_url_that_is_not_redis(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAKEDOWN_THROTTLE_URL", "postgresql://takedown:hunter2@db/takedown")
    # --simulate-answers without --simulate is refused too, but only after the settings are
    # read: were the URL taken, this would fail on that message instead of starting a server.
    ran = cli("serve", "--simulate-answers")
    assert ran.code == 2
    assert "TAKEDOWN_THROTTLE_URL is a postgresql:// URL, not Redis" in ran.err
    assert "hunter2" not in ran.err + ran.out
    assert "Traceback" not in ran.err
