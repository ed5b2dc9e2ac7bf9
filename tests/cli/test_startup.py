"""`takedown --help` imports no command module: the commands load when used (``_lazy``).

How fast it starts is measured in bench/cli_startup.py, not here; these tests hold what
makes it fast, and that loading lazily changes nothing a user sees.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer.main

from takedown.cli import app
from takedown.cli._lazy import Commands, read_manifest

# Imports `takedown.cli`, runs `takedown --help` and prints the modules it loaded.
HELP_THEN_MODULES = """
import json, sys
sys.argv = ["takedown", "--help"]
from takedown.cli import main
try:
    main()
finally:
    sys.stderr.write(json.dumps(sorted(sys.modules)))
"""

HEAVY = ("numpy", "PIL", "av", "sqlalchemy", "pydantic_settings", "takedown.store")


def test_help_loads_no_media_library_and_no_database() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", HELP_THEN_MODULES],
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "simulate-platform" in proc.stdout and "verify" in proc.stdout
    loaded = set(json.loads(proc.stderr))
    assert "takedown.cli" in loaded
    assert sorted(m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY) == []
    commands = {m for m in loaded if m.startswith("takedown.cli.") and "._" not in m}
    assert commands == set(), "a command module was imported for --help"


def _help(capsys: pytest.CaptureFixture[str], root: typer.core.TyperGroup) -> str:
    ctx = root.make_context("takedown", ["--help"], resilient_parsing=True)
    capsys.readouterr()
    root.format_help(ctx, ctx.make_formatter())
    return capsys.readouterr().out


def test_the_help_of_unloaded_commands_is_the_help_of_loaded_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lazy = typer.main.get_command(app)
    assert isinstance(lazy, typer.core.TyperGroup)
    shown = _help(capsys, lazy)
    assert lazy.commands.loaded == {}, "--help built a command"
    eager = typer.main.get_command(app)
    assert isinstance(eager, typer.core.TyperGroup)
    eager.commands.load_all()
    assert shown == _help(capsys, eager)
    assert list(lazy.commands) == list(eager.commands)


def test_a_command_missing_from_the_list_still_runs() -> None:
    """A stale commands.json never hides a command: an unknown name asks every module."""
    manifest = read_manifest()
    assert "verify" in manifest
    del manifest["verify"]
    manifest["init"] = ("urls", manifest["init"][1])  # listed under the wrong module
    commands = Commands(manifest, {})
    assert commands["init"].name == "init"
    assert commands["verify"].name == "verify"
    assert "no-such-command" not in commands
    assert commands.get("no-such-command") is None


def test_without_the_list_every_command_is_there() -> None:
    commands = Commands({}, {})
    names = list(commands)
    assert {"verify", "hash", "unit", "serve"} <= set(names)
    assert names == list(read_manifest())
