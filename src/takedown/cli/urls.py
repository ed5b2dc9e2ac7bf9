"""``takedown url``: inspect how takedown reads a URL."""

from __future__ import annotations

import sys

import typer

from takedown import urls
from takedown.cli._output import emit_json

url_app = typer.Typer(help="Canonicalise URLs and recognise platforms.", no_args_is_help=True)


@url_app.command("parse")
def parse_cmd(
    inputs: list[str] = typer.Argument(None, help="URLs; read from stdin, one per line, if none."),
    json_out: bool = typer.Option(False, "--json", help="One JSON object per input."),
) -> None:
    """Print the canonical reference of each URL, in input order."""
    lines = inputs if inputs else (line.rstrip("\r\n") for line in sys.stdin)
    for text in lines:
        try:
            ref = urls.parse(text)
            out = ref.as_dict()
        except urls.UrlError as exc:
            out = {"input": text, "ok": False, "error": str(exc)}
        if json_out:
            emit_json(out)
        elif out["ok"]:
            typer.echo(f"{out['key']}\t{out['canonical_url']}")
        else:
            typer.echo(f"error\t{text}\t{out['error']}")


def register(app: typer.Typer) -> None:
    app.add_typer(url_app, name="url")
