"""Options that many commands share, defined once: ``--json``, the client secrets
(``--token`` and the like, read from ``ClientSettings`` when not given) and paging.

Defining an option here keeps its name, its help and its behaviour the same in every command
that takes it; a command that needs a different help line passes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer


def json_option(help: str = "Print one JSON object.") -> Any:
    """``--json``: print JSON instead of text (errors too: see ``takedown.cli.main``)."""
    return typer.Option(False, "--json", help=help)


JSON: Any = json_option()


def limit_option(default: int, help: str, *, max: int | None = None) -> Any:
    """``--limit``: how many rows one run (or one page) shows, at least 1."""
    return typer.Option(default, "--limit", min=1, max=max, help=help)


def _from_client_settings(field: str, flag: str, *, required: bool) -> Callable[[Any], Any]:
    variable = f"TAKEDOWN_{field.upper()}"

    def resolve(value: str | None) -> str | None:
        if value:
            return value
        from takedown.config import ClientSettings

        secret = ClientSettings().secret(field)
        if secret is None and required:
            raise typer.BadParameter(f"give {flag} or set {variable}", param_hint=f"'{flag}'")
        return secret

    return resolve


def secret_option(field: str, flag: str, help: str, *, required: bool = True) -> Any:
    """An option whose value, when not given, is ``ClientSettings``'s secret ``field`` (the
    variable ``TAKEDOWN_<FIELD>``): a token or secret typed on a command line is visible to
    other users of the machine, so the variable is the better way. Required unless
    ``required`` is false; the value is never shown in the help."""
    return typer.Option(
        None,
        flag,
        help=help,
        show_default=False,
        callback=_from_client_settings(field, flag, required=required),
    )


TOKEN: Any = secret_option("token", "--token", "API token to act with (or TAKEDOWN_TOKEN).")
