"""``takedown verify``: check referred items now and record the evidence."""

from __future__ import annotations

import typer
from sqlalchemy import select

from takedown.cli._context import cli_actor, open_db
from takedown.cli._output import emit_json
from takedown.cli.checker import checker_settings
from takedown.services.operations import get_operation
from takedown.services.verification import SENT, due_for_recheck, removal_report, verify_items
from takedown.store.models import Item


def verify_cmd(
    operation: str = typer.Argument(..., help="Operation name or id."),
    due: bool = typer.Option(
        False, "--due", help="Only items whose scheduled recheck is due (else every sent item)."
    ),
    allow_network: list[str] = typer.Option(
        [], "--allow-network", help="CIDR the checker may reach although it is not public."
    ),
    connect_to: list[str] = typer.Option(
        [], "--connect-to", help="HOST:PORT:ADDR:PORT2, like curl; the guard still vets ADDR."
    ),
    proxy: str | None = typer.Option(None, "--proxy", help="Egress proxy URL."),
    per_host: int = typer.Option(4, "--per-host", help="Concurrent requests per host."),
    rate: float = typer.Option(5.0, "--rate", help="Requests per second per host (0: no limit)."),
    json_out: bool = typer.Option(False, "--json", help="One JSON object per item."),
) -> None:
    """Check the operation's referred and ordered items; only positive evidence counts as removed."""
    settings = checker_settings(allow_network, connect_to, proxy, None, 30.0, per_host, rate)
    db = open_db()
    with db.session() as session:
        op = get_operation(session, operation)
        if due:
            ids = set(due_for_recheck(session, limit=100_000))
            ids &= set(session.scalars(select(Item.id).where(Item.operation_id == op.id)))
        else:
            states = (*SENT, "verified_removed")
            ids = set(
                session.scalars(
                    select(Item.id).where(Item.operation_id == op.id, Item.state.in_(states))
                )
            )
    checks = verify_items(db, sorted(ids), settings, actor=cli_actor())
    with db.session() as session:
        for check in checks:
            item = session.get(Item, check.item_id)
            assert item is not None
            row = {
                "item_id": item.id,
                "url": check.url,
                "verdict": check.verdict,
                "reason": check.reason,
                "state": item.state,
                "checked_at": check.checked_at,
                "time_to_removal": removal_report(session, item.id),
            }
            if json_out:
                emit_json(row)
            else:
                typer.echo(f"{item.id}\t{check.verdict:<11}\t{item.state:<18}\t{check.url}")
    db.dispose()


def register(app: typer.Typer) -> None:
    app.command("verify")(verify_cmd)
