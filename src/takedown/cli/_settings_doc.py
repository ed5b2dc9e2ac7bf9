"""Render docs/settings.md from the settings classes: each variable's text is its field's
description, its default the field's default (``make docs``; tests/test_docs.py fails when
the page is stale)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings

from takedown.config import ClientSettings, Settings

HEADER = """# Settings

Generated from `takedown.config` by `make docs`; do not edit by hand: each variable's text
is the description of its field, so change it there.

Everything is read from the environment, with the prefix `TAKEDOWN_`. This page lists every
such variable takedown reads: the server's settings (`takedown.config.Settings`), the
credentials a client of the API reads (`takedown.config.ClientSettings`), and the variables
for tests. `tests/test_docs_claims.py` fails when any `TAKEDOWN_*` name in `src/takedown` is
missing here.
"""

SERVER = """## Settings (`takedown.config.Settings`)

What `takedown serve`, `takedown worker` and every command that opens the database read; the
media limits and switches too, where media is hashed or matched.
"""

CLIENT = """## Command line (`takedown.config.ClientSettings`)

What the command line and the simulator's platform agent read as clients of the API. The
secrets are kept as `SecretStr`: no repr and no log shows them.
"""

FOR_TESTS = """## For tests

These are no settings: takedown's code reads nothing here except in the test-only hook named.

| variable | meaning |
| --- | --- |
| `TAKEDOWN_TEST_DATABASE_URL` | When set, the whole test suite runs against that PostgreSQL database (its `public` schema is dropped and rebuilt). |
| `TAKEDOWN_IMPORT_PAUSE_AFTER_BATCHES` | A test-only hook (`tests/cli/test_kill.py`): after this many committed batches an import blocks until it is killed. Never set it anywhere else. |
"""


def _size(n: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= size and n % size == 0:
            return f" ({n // size} {unit})"
    return ""


def default(name: str, field: Any) -> str:
    """The default as the table shows it: `unset` for None, sizes in bytes also in KiB…GiB."""
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float):
        return f"`{value:g}`"
    if isinstance(value, list):
        return f"`{value!r}`".replace("'", '"')
    if isinstance(value, int) and name.endswith("_bytes"):
        return f"`{value}`{_size(value)}"
    if isinstance(value, Path):
        return f"`{value.as_posix() if value.is_absolute() else './' + value.as_posix()}`"
    return f"`{value}`"


def table(settings: type[BaseSettings]) -> str:
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, field in settings.model_fields.items():
        text = " ".join((field.description or "").split()).replace("|", "\\|")
        rows.append(f"| `TAKEDOWN_{name.upper()}` | {default(name, field)} | {text} |")
    return "\n".join(rows) + "\n"


def render_settings() -> str:
    """docs/settings.md."""
    parts = [HEADER, SERVER, table(Settings), CLIENT, table(ClientSettings), FOR_TESTS]
    return "\n".join(parts)
