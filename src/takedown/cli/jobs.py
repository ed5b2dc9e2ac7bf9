"""Jobs and delivery commands: ``takedown worker``, ``takedown delivery list|retry`` and
``takedown unit delivery`` (where a platform unit receives referrals and orders)."""

from __future__ import annotations

import logging
from typing import Any

import typer
from sqlalchemy.orm import Session

from takedown.cli._context import cli_actor, open_db
from takedown.cli._output import emit_json
from takedown.cli.admin import unit_app
from takedown.config import get_settings
from takedown.domain.names import choose
from takedown.errors import UserError
from takedown.services import delivery as deliveries
from takedown.services import units
from takedown.services.units import Principal, principal_for

delivery_app = typer.Typer(
    help="The delivery outbox: webhooks and emails to platforms.", no_args_is_help=True
)
JSON = typer.Option(False, "--json", help="Print JSON objects, one a line.")


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
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    db = open_db()
    try:
        run_worker(settings, db, workers=workers or max(settings.workers, 1))
    finally:
        db.dispose()
    typer.echo("worker stopped", err=True)


@delivery_app.command("list")
def delivery_list(
    status: str | None = typer.Option(
        None, "--status", help="Only deliveries in this state: pending, delivered or dead."
    ),
    limit: int = typer.Option(500, "--limit", min=1, help="Show at most this many, newest first."),
    json_out: bool = JSON,
) -> None:
    """List deliveries to platforms, newest first; `--status dead` is the dead-letter queue."""
    if status is not None:
        status = choose("delivery status", status, deliveries.STATUSES)
    db = open_db()
    try:
        with db.session() as session:
            who = _operator(session)
            rows = [
                deliveries.delivery_view(session, d)
                for d in deliveries.list_deliveries(session, who, status, limit=limit)
            ]
    finally:
        db.dispose()
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
    db = open_db()
    try:
        with db.session() as session:
            who = _operator(session)
            delivery = deliveries.retry_delivery(session, who, delivery_id, actor=cli_actor())
            row = deliveries.delivery_view(session, delivery)
    finally:
        db.dispose()
    if json_out:
        emit_json({"ok": True, **row})
    else:
        typer.echo(f"delivery {row['id']} is pending again; it is sent at the next sweep")


def unit_delivery(
    name: str,
    webhook_url: str | None = typer.Option(
        None,
        "--webhook-url",
        help="URL that receives signed JSON POSTs ('' removes it); a private or loopback "
        "address only where TAKEDOWN_OUTBOUND_ALLOW_NETWORKS allows it.",
    ),
    webhook_secret: str | None = typer.Option(
        None, "--webhook-secret", help="Signing secret (default: generated and printed once)."
    ),
    email: str | None = typer.Option(
        None, "--email", help="Address that receives referrals and orders ('' removes it)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Set where a platform unit receives referrals and orders: webhook and/or email."""
    if webhook_url is None and webhook_secret is None and email is None:
        raise UserError("give --webhook-url, --webhook-secret or --email")
    db = open_db()
    try:
        with db.session() as session:
            unit = units.get_unit(session, name)
            if unit.kind != "platform":
                raise UserError(f"unit {unit.name!r} is a {unit.kind}, not a platform unit")
            before = unit.webhook_secret
            units.configure_delivery(
                session,
                unit,
                actor=cli_actor(),
                webhook_url=webhook_url,
                webhook_secret=webhook_secret,
                email=email,
            )
            generated = (
                unit.webhook_secret
                if webhook_secret is None and unit.webhook_secret != before
                else None
            )
            out = {
                "ok": True,
                "unit": unit.name,
                "webhook_url": unit.webhook_url,
                "email": unit.email,
                "webhook_secret": generated,
            }
    finally:
        db.dispose()
    if json_out:
        emit_json(out)
        return
    typer.echo(
        f"unit {out['unit']}: webhook {out['webhook_url'] or '-'}, email {out['email'] or '-'}"
    )
    if generated:
        typer.echo(f"Webhook secret (shown once; give it to the platform): {generated}")


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.add_typer(delivery_app, name="delivery")
    unit_app.command("delivery")(unit_delivery)
