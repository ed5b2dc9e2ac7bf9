"""``takedown demo``: load the invented demo action day (idempotent)."""

from __future__ import annotations

import typer

from takedown.cli._context import database
from takedown.cli._options import json_option
from takedown.cli._output import emit_json
from takedown.config import get_settings
from takedown.services.demo import DEMO_OPERATION, seed_demo


def demo_cmd(json_out: bool = json_option()) -> None:
    """Load demo data: 3 units, 2 simulated platforms, invented reports. Safe to run again."""
    with database() as db:
        out = seed_demo(db, get_settings().data_dir)
    if json_out:
        emit_json(out)
    elif out["created"]:
        typer.echo(f"Demo operation {DEMO_OPERATION} loaded; API tokens in {out['tokens']}")
    else:
        typer.echo(f"Demo operation {DEMO_OPERATION} already loaded; tokens in {out['tokens']}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_cmd)
