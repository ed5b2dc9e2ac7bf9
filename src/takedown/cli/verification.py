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
from takedown.cli._context import cli_actor, database
from takedown.cli._options import json_option
from takedown.cli._output import emit_json
from takedown.cli.checker import (
    ALLOW_NETWORK,
    CONNECT_TO,
    PER_HOST,
    PROXY,
    RATE,
    checker_settings,
)
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
    allow_network: list[str] = ALLOW_NETWORK,
    connect_to: list[str] = CONNECT_TO,
    proxy: str | None = PROXY,
    per_host: int = PER_HOST,
    rate: float = RATE,
    json_out: bool = json_option("One JSON object per item."),
) -> None:
    """Check the operation's referred and ordered items; only positive evidence counts as removed."""
    settings = checker_settings(allow_network, connect_to, proxy, None, 30.0, per_host, rate)
    with database() as db:
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
