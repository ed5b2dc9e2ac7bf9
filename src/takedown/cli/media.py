"""``takedown hash``, ``takedown match`` and ``takedown bank``: media signals and banks."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from takedown.cli._context import cli_actor, media_limits, transaction
from takedown.cli._options import json_option
from takedown.cli._output import emit_json
from takedown.domain.names import choose
from takedown.errors import UserError
from takedown.interop import hashlists
from takedown.media.batch import hash_files
from takedown.services import banks, matching

bank_app = typer.Typer(
    help="Banks of known content: create, import, export, list.", no_args_is_help=True
)

JSON = json_option("One JSON object per file.")
FILES = typer.Argument(..., help="Image or video files.", show_default=False)
WORKERS = typer.Option(None, "--workers", help="Processes to hash with (default: every core).")
FORMAT = typer.Option(..., "--format", help="te (ThreatExchange local_file), tcap or csv.")


@contextmanager
def _progress(total: int) -> Iterator[Callable[[dict[str, Any]], None]]:
    """A progress bar on stderr when it is a terminal and there is more than one file."""
    if total < 2 or not sys.stderr.isatty():
        yield lambda _result: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("hashing", total=total)
        yield lambda _result: bar.advance(task)


def _show(out: dict[str, Any], json_out: bool) -> None:
    out = {k: v for k, v in out.items() if k not in ("vpdq", "dihedral")}
    if json_out:
        emit_json(out)
    elif out["ok"]:
        extra = f"\t{len(out['frames'])} frames" if "frames" in out else ""
        typer.echo(
            f"{out['path']}\t{out['media']}\t{out.get('pdq') or '-'}\t{out['sha256']}{extra}"
        )
        for m in out.get("matches", []):
            note = " (suppressed by a negative bank)" if m.get("suppressed") else ""
            typer.echo(f"  match\t{m['bank']}\t{m['signal_type']}\t{m['distance']}{note}")
    else:
        typer.echo(f"{out['path']}\terror\t{out['error']}")


def hash_cmd(
    files: list[Path] = FILES, json_out: bool = JSON, workers: int | None = WORKERS
) -> None:
    """Hash files: sha256, md5, PDQ (images) and per-second frame PDQ (videos)."""
    limits = media_limits()
    with _progress(len(files)) as tick:
        for result in hash_files(files, limits, workers=workers, on_done=tick):
            _show(result, json_out)


def match_cmd(
    files: list[Path] = FILES,
    bank: list[str] = typer.Option(
        None, "--bank", help="Bank to match against (repeatable; default: every enabled bank)."
    ),
    json_out: bool = JSON,
    workers: int | None = WORKERS,
) -> None:
    """Hash files and match them against banks; stores nothing."""
    limits = media_limits()
    with transaction() as session:
        chosen = matching.enabled_banks(session, bank or None)
        dihedral = any(b.dihedral for b in chosen)
        with _progress(len(files)) as tick:
            for result in hash_files(
                files, limits, dihedral=dihedral, workers=workers, on_done=tick
            ):
                if result["ok"]:
                    hits = matching.match_result(session, result, chosen)
                    result["matches"] = matching.describe_hits(session, hits)
                _show(result, json_out)


@bank_app.command("create")
def bank_create(
    name: str,
    dihedral: bool = typer.Option(
        False, "--dihedral", help="Also match rotated and flipped copies."
    ),
    negative: bool = typer.Option(
        False, "--negative", help="Known false positives: suppress matches."
    ),
    threshold: int | None = typer.Option(
        None, "--threshold", help="PDQ distance, 0-31 (default 31)."
    ),
    description: str | None = typer.Option(None, help="What the bank holds."),
    json_out: bool = json_option(),
) -> None:
    """Create a bank."""
    with transaction() as session:
        b = banks.create_bank(
            session,
            name,
            actor=cli_actor(),
            negative=negative,
            dihedral=dihedral,
            threshold=threshold,
            description=description,
        )
        out = {"ok": True} | banks.describe(b, 0)
    emit_json(out) if json_out else typer.echo(f"created bank {name}")


@bank_app.command("import")
def bank_import(
    name: str,
    file: Path = typer.Argument(..., help="The hash list.", show_default=False),
    fmt: str = FORMAT,
    json_out: bool = json_option(),
) -> None:
    """Add the entries of a hash list to a bank; bad lines are reported, the rest go in."""
    fmt = _format(fmt)
    text = _read(file)
    with transaction() as session:
        result = banks.import_entries(
            session,
            name,
            hashlists.parse(fmt, text),
            actor=cli_actor(),
            fmt=fmt,
            source=file.name,
        )
    out = result.as_dict() | {"bank": name, "path": str(file)}
    if json_out:
        emit_json(out)
    else:
        typer.echo(
            f"{name}: added {result.added}, duplicates {result.duplicates}, rejected {len(result.rejected)}"
        )
        for err in result.rejected[:20]:
            typer.echo(f"  {err['where']}: {err['error']}", err=True)


@bank_app.command("export")
def bank_export(name: str, fmt: str = FORMAT) -> None:
    """Print a bank's entries as a hash list on stdout."""
    fmt = _format(fmt)
    with transaction() as session:
        text, skipped = hashlists.render(fmt, list(banks.export_entries(session, name)))
    sys.stdout.write(text)
    if skipped:
        typer.echo(f"{skipped} entries have no {fmt} form and were left out", err=True)


@bank_app.command("list")
def bank_list(
    json_out: bool = json_option("One JSON object per bank."),
) -> None:
    """List banks with their settings and entry counts."""
    with transaction() as session:
        rows = banks.list_banks(session)
    for row in rows:
        if json_out:
            emit_json(row)
        else:
            flags = ",".join(k for k in ("negative", "dihedral") if row[k]) or "-"
            state = "enabled" if row["enabled"] else "disabled"
            typer.echo(
                f"{row['name']}\t{row['entries']}\t{state}\t{flags}\tthreshold {row['threshold']}"
            )
    if not rows and not json_out:
        typer.echo("no banks yet: create one with `takedown bank create NAME`", err=True)


@bank_app.command("stats")
def bank_stats(name: str) -> None:
    """Counts of one bank by signal type and by entity, as one JSON object."""
    with transaction() as session:
        emit_json(banks.bank_stats(session, name))


@bank_app.command("enable")
def bank_enable(name: str) -> None:
    """Match new evidence against this bank again."""
    _set_enabled(name, True)


@bank_app.command("disable")
def bank_disable(name: str) -> None:
    """Stop matching new evidence against this bank; its entries stay."""
    _set_enabled(name, False)


def _set_enabled(name: str, enabled: bool) -> None:
    with transaction() as session:
        banks.set_enabled(session, name, enabled, actor=cli_actor())
    typer.echo(f"{name} {'enabled' if enabled else 'disabled'}")


def _format(fmt: str) -> str:
    return choose("hash list format", fmt, hashlists.FORMATS)


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}") from None


def register(app: typer.Typer) -> None:
    app.command("hash")(hash_cmd)
    app.command("match")(match_cmd)
    app.add_typer(bank_app, name="bank")
