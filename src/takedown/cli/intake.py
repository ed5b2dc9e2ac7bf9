"""``takedown import`` and ``takedown stats``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from takedown.cli._context import cli_actor, open_db
from takedown.cli._output import emit_json
from takedown.config import get_settings
from takedown.errors import UserError
from takedown.reports.stats import all_operations_stats, operation_stats
from takedown.services.intake import IntakeResult, import_file
from takedown.services.operations import get_operation


def import_cmd(
    file: Path = typer.Argument(..., help="CSV or JSONL file of reports; `url` is required."),
    operation: str = typer.Option(..., "--operation", help="Operation name or id."),
    unit: str = typer.Option(..., "--unit", help="Reporting unit name or id."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
    rejects: Path | None = typer.Option(
        None, "--rejects", help="Write refused rows here (.csv for CSV, otherwise JSON lines)."
    ),
    encoding: str | None = typer.Option(
        None, "--encoding", help="Text encoding of the file (default UTF-8, BOM detected)."
    ),
    evidence_root: Path | None = typer.Option(
        None,
        "--evidence-root",
        help="Folder that evidence_path values name files in (default: the file's folder); "
        "nothing outside it is read.",
    ),
) -> None:
    """Import reports. Idempotent: running it again, even after a crash, adds nothing twice."""
    settings = get_settings()
    db = open_db()
    console = Console(stderr=True)
    show = console.is_terminal
    started = time.monotonic()
    progress = Progress(
        TextColumn("[bold]importing"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]} rows"),
        TimeRemainingColumn(),
        console=console,
        disable=not show,
        transient=True,
    )
    task = progress.add_task(
        "import", total=file.stat().st_size if file.is_file() else None, rows=0
    )

    def tick(done: int, total: int, result: IntakeResult) -> None:
        progress.update(task, completed=done, total=total, rows=result.rows_read)

    from takedown.jobs.runner import start_in_process

    # Enqueue only: evidence attached here is hashed and matched by the job workers
    # (`takedown serve` or `takedown worker`), now or, via re-derivation, when they start.
    stop_jobs = start_in_process(settings, db, workers=0)
    try:
        with progress:
            outcome = import_file(
                db,
                operation,
                unit,
                file,
                actor=cli_actor(),
                max_bytes=settings.import_max_bytes,
                batch_size=settings.import_batch_size,
                pipeline_from_bytes=settings.import_pipeline_from_bytes,
                evidence_root=settings.evidence_dir,
                evidence_max_bytes=settings.evidence_max_bytes,
                evidence_from=evidence_root,
                encoding=encoding,
                rejects_path=rejects,
                progress=tick,
            )
    finally:
        stop_jobs()
        db.dispose()
    summary = outcome.summary()
    summary["seconds"] = round(time.monotonic() - started, 3)
    if json_out:
        emit_json(summary)
        return
    r = outcome.result
    typer.echo(
        f"{outcome.path}: {r.rows_read} rows read, {r.accepted} accepted "
        f"({r.new_items} new items, {r.merged} merged into existing items), "
        f"{r.duplicates} already imported, {r.rejected} rejected"
    )
    for reason, n in sorted(r.rejected_by_reason.items(), key=lambda kv: -kv[1]):
        typer.echo(f"  rejected {n:>8}  {reason}")
    if r.ignored_fields:
        typer.echo(f"  ignored unknown fields: {', '.join(sorted(r.ignored_fields))}")
    if rejects and r.rejected:
        typer.echo(f"  refused rows written to {rejects}")
    elif r.rejected and not rejects:
        typer.echo("  (use --rejects FILE to keep the refused rows with their reasons)", err=True)
    sys.stdout.flush()


def stats_cmd(
    operation: str | None = typer.Argument(None, help="Operation name or id."),
    every: bool = typer.Option(
        False, "--all", help="Across every operation, each piece of content counted once."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Counts for an operation (or, with --all, all of them); every figure says what it counts."""
    if (operation is None) == (not every):
        raise UserError("name an operation, or say --all for every operation")
    db = open_db()
    window = get_settings().answer_window
    try:
        with db.session() as session:
            if operation is None:
                stats = {"operation": "all operations", **all_operations_stats(session)}
            else:
                op = get_operation(session, operation)
                stats = operation_stats(session, op, answer_window=window)
    finally:
        db.dispose()
    if json_out:
        emit_json(stats)
        return
    typer.echo("\n".join(stats_lines(stats)))


# How `takedown stats` labels the figures of one reporting unit (``by_unit``).
UNIT_FIGURES = {
    "reports": "reports it sent",
    "items": "distinct items it reported (an item reported by several units counts for each)",
}


def stats_lines(stats: dict[str, Any]) -> list[str]:
    """Every figure of ``operation_stats``, in its order, each with its definition.

    The JSON is walked as it comes, so a figure added to the report shows here too; nested
    figures (per platform, per state, per unit …) are indented beneath their heading.
    """
    definitions: dict[str, str] = stats.get("definitions", {})
    lines = [f"operation {stats.get('operation', '?')}"]
    for key, value in stats.items():
        if key not in ("operation", "definitions"):
            lines += _figure_lines(key, value, 1, definitions.get(key, ""), parent=None)
    return lines


_NAME_WIDTH = 26
_FIGURE_WIDTH = 9


def _figure_lines(name: str, value: Any, depth: int, note: str, parent: str | None) -> list[str]:
    head = ("  " * depth + name).ljust(_NAME_WIDTH)
    note = f"  {note}" if note else ""
    if not isinstance(value, dict):
        return [f"{head}{_figure(value):>{_FIGURE_WIDTH}}{note}".rstrip()]
    lines = [f"{head}{'':>{_FIGURE_WIDTH}}{note}".rstrip()]
    if not value:
        lines.append("  " * (depth + 1) + "none")
    for key, inner in value.items():
        inner_note = UNIT_FIGURES.get(key, "") if parent == "by_unit" else ""
        lines += _figure_lines(str(key), inner, depth + 1, inner_note, parent=name)
    return lines


def _figure(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    return "-" if value is None else str(value)


def register(app: typer.Typer) -> None:
    app.command("import")(import_cmd)
    app.command("stats")(stats_cmd)
