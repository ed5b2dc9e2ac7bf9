"""``takedown audit``: check the audit trail, anchor its head, adopt rows stored before digests."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import typer

from takedown.cli._context import cli_actor, database, transaction
from takedown.cli._options import JSON
from takedown.cli._output import emit_json
from takedown.config import get_settings
from takedown.errors import UserError
from takedown.store import audit
from takedown.store.audit_verify import adopt_rows, verify_rows

audit_app = typer.Typer(help="Check the audit trail.", no_args_is_help=True)


def _read_anchor(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"--anchor {path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UserError(f"--anchor {path}: not an anchor file ({exc})") from None


@audit_app.command("verify")
def audit_verify(
    anchor: Path | None = typer.Option(
        None,
        "--anchor",
        help="Also check that the chain still reaches the head this anchor file signed "
        "(with the key in TAKEDOWN_AUDIT_KEY_FILE).",
    ),
    rows: bool = typer.Option(
        False,
        "--rows",
        help="Also find rows of items, assessments, holds, referrals, orders, responses, "
        "checks and deliveries whose content matches no event.",
    ),
    json_out: bool = JSON,
) -> None:
    """Walk the SHA-256 chain of audit events and name the first broken link."""
    key = audit.read_key(get_settings().audit_key_file) if anchor is not None else None
    signed = _read_anchor(anchor) if anchor is not None else None
    with database() as db, db.reading() as session:
        chain = audit.verify_chain(session)
        anchored = audit.check_anchor(session, signed, key) if key is not None else None
        found = verify_rows(session) if rows else None
    ok = chain.ok and (anchored is None or anchored.ok) and (found is None or found.ok)
    if json_out:
        out: dict[str, Any] = chain.as_dict()
        if anchored is not None:
            out |= {"ok": ok, "anchor": anchored.as_dict()}
        if found is not None:
            out |= {"ok": ok, "rows": found.as_dict()}
        emit_json(out)
    else:
        if chain.ok:
            typer.echo(f"audit chain intact: {chain.events} events")
        else:
            typer.echo(f"audit chain BROKEN at event {chain.broken_at}: {chain.problem}")
        if anchored is not None:
            if anchored.ok:
                typer.echo(
                    f"anchor holds: the chain reaches event {anchored.event_id} "
                    f"({anchored.events} events) as signed"
                )
            else:
                typer.echo(f"anchor FAILED: {anchored.problem}")
        if found is not None:
            checked = (
                f"{found.rows} rows, {found.events} events with row digests, "
                f"{found.batches} bulk batches"
            )
            if found.ok:
                typer.echo(f"rows match the chain: {checked}")
            else:
                more = f" (and {found.more} more)" if found.more else ""
                typer.echo(f"rows CHANGED behind the chain ({checked}){more}:")
                for problem in found.problems:
                    typer.echo(f"  {problem}")
    if not ok:
        raise typer.Exit(1)


@audit_app.command("anchor")
def audit_anchor(
    path: Path = typer.Argument(..., help="Anchor file to write (JSON)."),
    json_out: bool = JSON,
) -> None:
    """Sign the chain's head (event id, hash, time, count) with the key in
    TAKEDOWN_AUDIT_KEY_FILE and write it to PATH; keep it outside the database."""
    key = audit.read_key(get_settings().audit_key_file)
    with database() as db, db.reading() as session:
        signed = audit.make_anchor(session, key)
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(json.dumps(signed, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        raise UserError(f"{path}: cannot write the anchor ({exc.strerror})") from None
    if json_out:
        emit_json({"ok": True, "file": str(path), **signed})
    else:
        typer.echo(
            f"anchored event {signed['event_id']} ({signed['events']} events, "
            f"{signed['at']}) in {path}"
        )


@audit_app.command("baseline")
def audit_baseline(json_out: bool = JSON) -> None:
    """Record the digests of rows that no event recorded yet (stored before row digests were
    kept), one `audit.baseline` event per table. Rows with a history are never adopted."""
    with transaction() as session:
        adopted = adopt_rows(session, actor=cli_actor())
    if json_out:
        emit_json({"ok": True, "adopted": adopted})
    elif adopted:
        for table, count in adopted.items():
            typer.echo(f"adopted {count} rows of {table}")
    else:
        typer.echo("nothing to adopt: every covered row is in the chain")


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
