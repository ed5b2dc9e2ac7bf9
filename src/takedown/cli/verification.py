"""``takedown verify``: check referred items now and record the evidence."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import select

from takedown.checker import CheckerSettings
from takedown.checker.model import Verdict
from takedown.cli._context import cli_actor, open_db
from takedown.cli._output import emit_json
from takedown.cli.checker import checker_settings
from takedown.services.operations import get_operation
from takedown.services.verification import SENT, due_for_recheck, removal_report, verify_items
from takedown.store.db import Database
from takedown.store.models import Item
from takedown.store.verification import Check

REFUSED = "refused:"  # how the checker's reason begins when its guard refused the URL


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
    try:
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
        summary = Summary()
        for checks in _checked(db, sorted(ids), settings, show_bar=not json_out):
            with db.session() as session:
                for check in checks:
                    item = session.get(Item, check.item_id)
                    assert item is not None
                    summary.add(check.verdict, check.reason)
                    if json_out:
                        emit_json(
                            {
                                "item_id": item.id,
                                "url": check.url,
                                "verdict": check.verdict,
                                "reason": check.reason,
                                "state": item.state,
                                "checked_at": check.checked_at,
                                "time_to_removal": removal_report(session, item.id),
                            }
                        )
                    else:
                        typer.echo(
                            f"{item.id}\t{check.verdict:<11}\t{item.state:<18}\t{check.url}"
                            f"\t{check.reason}"
                        )
    finally:
        db.dispose()
    if not json_out:
        typer.echo("\n".join(summary.lines()))


def _checked(
    db: Database, ids: list[int], settings: CheckerSettings, *, show_bar: bool
) -> Iterator[list[Check]]:
    """The recorded checks; a progress bar moves per URL while they run, on a terminal."""
    console = Console()
    if not show_bar or not console.is_terminal or len(ids) < 2:
        yield verify_items(db, ids, settings, actor=cli_actor())
        return
    progress = Progress(
        TextColumn("[bold]checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    with progress:
        task = progress.add_task("verify", total=len(ids))
        yield verify_items(
            db, ids, settings, actor=cli_actor(), on_checked=lambda: progress.advance(task)
        )


@dataclass
class Summary:
    """What a run of checks found: counts per verdict, and why URLs were refused."""

    verdicts: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)

    def add(self, verdict: str, reason: str) -> None:
        self.verdicts[str(verdict)] += 1
        if reason.startswith(REFUSED):
            self.refused[reason.removeprefix(REFUSED).strip()] += 1

    def lines(self) -> list[str]:
        total = sum(self.verdicts.values())
        counts = ", ".join(f"{self.verdicts[str(v)]} {v}" for v in Verdict)
        lines = [f"checked {total}: {counts}"]
        if self.refused:
            lines.append(
                f"refused {sum(self.refused.values())} (never fetched; counted as unknown):"
            )
            lines += [f"  {n:>6}  {why}" for why, n in self.refused.most_common()]
        return lines


def register(app: typer.Typer) -> None:
    app.command("verify")(verify_cmd)
