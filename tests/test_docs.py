"""Docs that a test enforces: every setting and every command is documented, and what
`make docs` generates (docs/cli.md, docs/settings.md, src/takedown/cli/commands.json) is
current."""

from __future__ import annotations

from pathlib import Path

from takedown.cli._reference import render, render_commands
from takedown.cli._settings_doc import render_settings
from takedown.config import ClientSettings, Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    missing = [
        f"TAKEDOWN_{name.upper()}"
        for cls in (Settings, ClientSettings)
        for name in cls.model_fields
        if f"`TAKEDOWN_{name.upper()}`" not in text
    ]
    assert missing == [], f"undocumented settings in docs/settings.md: {missing}"


def test_settings_reference_is_current() -> None:
    current = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert current == render_settings(), "docs/settings.md is out of date: run `make docs`"


def test_cli_reference_is_current() -> None:
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == render(), "docs/cli.md is out of date: run `make docs`"


def test_the_command_list_of_lazy_loading_is_current() -> None:
    """`takedown --help` lists the commands from commands.json without importing them."""
    current = (ROOT / "src" / "takedown" / "cli" / "commands.json").read_text(encoding="utf-8")
    assert current == render_commands(), "cli/commands.json is out of date: run `make docs`"


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme
    assert "make test" in readme
    for doc in ("getting-started.md", "concepts.md", "cli.md", "architecture.md"):
        assert (ROOT / "docs" / doc).is_file(), doc
        assert f"docs/{doc}" in readme, f"README does not point to docs/{doc}"
