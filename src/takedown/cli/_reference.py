"""Render the CLI reference (docs/cli.md) from the commands themselves.

``make docs`` writes it; tests/test_docs.py fails when docs/cli.md is out of date.
"""

from __future__ import annotations

import inspect
from typing import Any

import typer.main

HEADER = """# CLI reference

Generated from the commands' own help by `make docs`; do not edit by hand.
Every command that takes `--json` prints one JSON object per input (errors are objects with
`"ok": false` and an `"error"`), never a traceback.
"""


def _params(cmd: Any) -> list[str]:
    lines: list[str] = []
    for p in cmd.params:
        if p.param_type_name == "argument":
            lines.append(
                f"- `{(p.name or '').upper()}` (argument{', required' if p.required else ''})"
            )
            continue
        if p.param_type_name != "option" or getattr(p, "hidden", False):
            continue
        names = ", ".join(f"`{o}`" for o in p.opts)
        help_text = " ".join((p.help or "").split())
        extra = " Required." if p.required else ""
        lines.append(f"- {names}: {help_text}{extra}".rstrip())
    return lines


def _walk(cmd: Any, path: list[str], out: list[str]) -> None:
    if hasattr(cmd, "commands"):
        for name in sorted(cmd.commands):
            _walk(cmd.commands[name], [*path, name], out)
        return
    out.append(f"\n## `takedown {' '.join(path)}`\n")
    doc = inspect.cleandoc(cmd.help or "")
    if doc:
        out.append(doc.split("\n\n")[0] + "\n")
    params = _params(cmd)
    if params:
        out.append("\n".join(params) + "\n")


def render() -> str:
    from takedown.cli import app

    root = typer.main.get_command(app)
    out = [HEADER]
    _walk(root, [], out)
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
