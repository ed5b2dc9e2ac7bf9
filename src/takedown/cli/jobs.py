"""Jobs and delivery commands: ``takedown worker`` and ``takedown delivery list|retry``
(where a platform unit receives them is ``takedown unit delivery``, in ``admin``)."""

from __future__ import annotations

import logging
from typing import Any

import typer
from sqlalchemy.orm import Session

from takedown.cli._context import cli_actor, database, transaction, use_media_switches
from takedown.cli._options import json_option, limit_option
from takedown.cli._output import emit_json
from takedown.config import get_settings
from takedown.domain.names import choose
from takedown.errors import UserError
from takedown.services import delivery as deliveries
from takedown.services import units
from takedown.services.units import Principal, principal_for

delivery_app = typer.Typer(
    help="The delivery outbox: webhooks and emails to platforms.", no_args_is_help=True
)
JSON = json_option("Print JSON objects, one a line.")


def _operator(session: Session) -> Principal:
    """Someone at the server's shell acts as the instance's admin (the `takedown init` unit)."""
    try:
        unit = units.get_unit(session, units.ADMIN_UNIT)
    except UserError:
        raise UserError("the instance has no admin unit yet: run `takedown init` first") from None
    return principal_for(unit, "admin")


def worker(
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Worker threads (default TAKEDOWN_WORKERS, at least 1)."
    ),
) -> None:
    """Run the job queue in the foreground: deliveries, hold expiry, overdue orders.

    Start as many as you like, on any host that reaches the database and the queue. Ctrl-C
    stops it after the running tasks finish; a second Ctrl-C interrupts them.
    """
    from takedown.jobs.runner import run_worker

    settings = get_settings()
    use_media_switches(settings)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    with database() as db:
        run_worker(settings, db, workers=workers or max(settings.workers, 1))
    typer.echo("worker stopped", err=True)


@delivery_app.command("list")
def delivery_list(
    status: str | None = typer.Option(
        None, "--status", help="Only deliveries in this state: pending, delivered or dead."
    ),
    limit: int = limit_option(500, "Show at most this many, newest first."),
    json_out: bool = JSON,
) -> None:
    """List deliveries to platforms, newest first; `--status dead` is the dead-letter queue."""
    if status is not None:
        status = choose("delivery status", status, deliveries.STATUSES)
    with transaction() as session:
        who = _operator(session)
        rows = [
            deliveries.delivery_view(session, d)
            for d in deliveries.list_deliveries(session, who, status, limit=limit)
        ]
    for row in rows:
        if json_out:
            emit_json(row)
        else:
            typer.echo(_line(row))
    if not rows and not json_out:
        typer.echo("no deliveries", err=True)


def _line(row: dict[str, Any]) -> str:
    error = f"\t{row['last_error']}" if row["last_error"] else ""
    return (
        f"{row['id']}\t{row['status']}\t{row['channel']}\t{row['unit']}\t"
        f"{row['subject_type']} {row['subject_id']}\tattempts {row['attempts']}{error}"
    )


@delivery_app.command("retry")
def delivery_retry(delivery_id: int, json_out: bool = JSON) -> None:
    """Send a dead (or waiting) delivery again now, with a fresh count of attempts.

    A running `takedown serve` or `takedown worker` sends it within a minute (its sweep).
    """
    with transaction() as session:
        who = _operator(session)
        delivery = deliveries.retry_delivery(session, who, delivery_id, actor=cli_actor())
        row = deliveries.delivery_view(session, delivery)
    if json_out:
        emit_json({"ok": True, **row})
    else:
        typer.echo(f"delivery {row['id']} is pending again; it is sent at the next sweep")


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.add_typer(delivery_app, name="delivery")
