"""Render what is generated from the code: the CLI reference (docs/cli.md), the settings
reference (docs/settings.md) and the command list of lazy loading (cli/commands.json).

``make docs`` writes them (``python -m takedown.cli._reference cli|settings|commands``);
tests/test_docs.py fails when one is out of date.
"""

from __future__ import annotations

import inspect
import json
import sys
from typing import Any

import typer.main

HEADER = """# CLI reference

Generated from the commands' own help by `make docs`; do not edit by hand.
Every command that takes `--json` prints one JSON object per input, never a traceback.

An error is one line on stderr; with `--json` it is also one object
`{"ok": false, "error": "…"}` on stdout. The exit status says which kind it was:

| status | stderr | meaning |
| --- | --- | --- |
| 0 | | done |
| 1 | `internal error: …` | a bug in takedown; `TAKEDOWN_DEBUG=1` prints its traceback |
| 2 | `error: …` | the request was refused: an unknown name, a bad value, a missing option |
| 3 | `forbidden: …` | the token's role and unit may not do this |
| 130 | `interrupted` | Ctrl-C |

`takedown audit verify` and `takedown url parse` also exit with 1 when what they check fails.
Names from a fixed vocabulary (platform, item state, verdict, role, unit kind, action,
status) are taken in any case, and an unknown one is refused with the closest valid names:
`unknown platform 'telgram': did you mean telegram?`.
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


def _root() -> Any:
    from takedown.cli import app
    from takedown.cli._lazy import LazyGroup

    root = typer.main.get_command(app)
    assert isinstance(root, LazyGroup)
    root.lazy.load_all()  # every module, whatever commands.json says
    return root


def render() -> str:
    """docs/cli.md."""
    out = [HEADER]
    _walk(_root(), [], out)
    return "\n".join(out).rstrip() + "\n"


def render_commands() -> str:
    """cli/commands.json: each top-level command's module and help, in the order of
    `takedown --help`: commands before groups, each by module name, then as its module
    registers it."""
    from takedown.cli._lazy import first_paragraph

    commands = _root().commands
    listed = {
        name: [commands.module_of[name], first_paragraph(commands[name])] for name in commands
    }
    return json.dumps(listed, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> None:
    from takedown.cli._settings_doc import render_settings

    renderers = {"cli": render, "settings": render_settings, "commands": render_commands}
    what = argv[0] if argv else "cli"
    if what not in renderers or len(argv) > 1:
        sys.exit(f"usage: python -m takedown.cli._reference [{'|'.join(renderers)}]")
    sys.stdout.write(renderers[what]())


if __name__ == "__main__":
    main(sys.argv[1:])
