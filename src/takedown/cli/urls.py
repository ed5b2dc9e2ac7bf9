"""``takedown url``: inspect how takedown reads a URL."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import typer

from takedown import urls
from takedown.cli._options import json_option
from takedown.cli._output import emit_json

url_app = typer.Typer(help="Canonicalise URLs and recognise platforms.", no_args_is_help=True)


def _stdin_lines() -> Iterator[str | None]:
    """Lines of stdin without their line ending; None for a line that is not UTF-8."""
    for raw in sys.stdin.buffer:
        try:
            yield raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield None


def _read(text: str | None) -> dict[str, Any]:
    if text is None:
        return {"input": None, "ok": False, "error": "line is not valid UTF-8"}
    try:
        return urls.parse(text).as_dict()
    except urls.UrlError as exc:
        return {"input": text, "ok": False, "error": str(exc)}
    except Exception as exc:  # pragma: no cover - parse raises only UrlError; never a traceback
        return {"input": text, "ok": False, "error": f"internal error: {type(exc).__name__}"}


@url_app.command("parse")
def parse_cmd(
    inputs: list[str] = typer.Argument(None, help="URLs; read from stdin, one per line, if none."),
    json_out: bool = json_option("One JSON object per input, in order."),
) -> None:
    """Print the canonical reference of each URL, in input order."""
    lines: Any = inputs if inputs else _stdin_lines()
    failed = False
    for text in lines:
        out = _read(text)
        failed = failed or not out["ok"]
        if json_out:
            emit_json(out)
        elif out["ok"]:
            typer.echo(f"{out['key']}\t{out['canonical_url']}")
        else:
            typer.echo(f"error\t{out['input']}\t{out['error']}")
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(url_app, name="url")
