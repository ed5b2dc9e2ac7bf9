"""Fixtures for the CLI tests: run `takedown` in-process (fast) or as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from takedown.config import get_settings
from takedown.services import operations, units
from takedown.store.db import Database

TAKEDOWN = Path(sys.executable).with_name("takedown")


@dataclass
class Ran:
    code: int
    out: str
    err: str


Cli = Callable[..., Ran]


@pytest.fixture
def cli(
    settings_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Cli:
    """`takedown ARGS` through the real entry point, in this process."""
    from takedown.cli import main

    def _run(*args: str | Path) -> Ran:
        monkeypatch.setattr(sys, "argv", ["takedown", *map(str, args)])
        get_settings.cache_clear()
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return _run


@pytest.fixture
def takedown(settings_env: Path) -> Cli:
    """`takedown ARGS` as a subprocess with stdin closed; never a traceback on stderr."""

    def _run(*args: str | Path, env: dict[str, str] | None = None) -> Ran:
        proc = subprocess.run(
            [str(TAKEDOWN), *map(str, args)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            timeout=120,
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        return Ran(proc.returncode, proc.stdout, proc.stderr)

    return _run


@pytest.fixture
def instance(db: Database, settings_env: Path) -> Database:
    """Operation OP1; referral units DE-IRU and FR-IRU; platform unit TG."""
    with db.session() as s:
        operations.create_operation(s, "OP1", actor="test")
        units.create_unit(s, "DE-IRU", "referral_unit", actor="test")
        units.create_unit(s, "FR-IRU", "referral_unit", actor="test")
        units.create_unit(s, "TG", "platform", actor="test", platforms=["telegram"])
    return db
