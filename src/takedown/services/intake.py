"""Intake: reports in, deduplicated items out.

``submit_reports`` is the one way reports enter takedown, whether from a file import, the
REST API or a script. Rows are validated one by one (a bad row never drops its neighbours),
canonicalised by ``takedown.urls``, and written in committed batches: every report is kept,
reports with the same canonical key merge into one item, and a report already stored (same
unit and external_id, or the same row content) is skipped, so imports are idempotent and an
interrupted import can simply be run again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from takedown.errors import UserError
from takedown.interop.tabular import Row
from takedown.services.intake_items import Known
from takedown.services.intake_pipeline import (
    HEAD_ROWS,
    HELPER_BATCH,
    PIPELINE_FROM_BYTES,
    FileJob,
    Helper,
    ItemSource,
    use_pipeline,
)
from takedown.services.intake_rows import (
    Checked,
    EvidencePolicy,
    Rejection,
    RowChecker,
    chunks,
    collector_paused,
    parse_time,
)
from takedown.services.intake_write import Accepted, IntakeResult, store_batches
from takedown.store.db import Database
from takedown.store.models import Operation, Unit


def submit_reports(
    db: Database,
    operation: Operation,
    unit: Unit,
    rows: Iterable[Row],
    *,
    actor: str,
    source: str,
    batch_size: int = 5000,
    keep_items: bool = False,
    evidence: EvidencePolicy | None = None,
    on_batch: Callable[[IntakeResult, list[Rejection]], None] | None = None,
) -> IntakeResult:
    """Validate, canonicalise and store reports, one committed transaction per batch."""
    checker = RowChecker(evidence)
    batches = ((checker.batch(b), None) for b in chunks(rows, batch_size))
    return store_batches(
        db, operation, unit, batches, actor, source, keep_items, evidence, on_batch
    )


__all__ = [
    "Accepted",
    "EvidencePolicy",
    "ImportOutcome",
    "IntakeResult",
    "Rejection",
    "import_file",
    "parse_time",
    "submit_reports",
]


@dataclass
class ImportOutcome:
    operation: str
    unit: str
    path: Path
    format: str
    encoding: str
    result: IntakeResult
    rejects_file: Path | None

    def summary(self) -> dict[str, Any]:
        return {
            "ok": True,
            "file": str(self.path),
            "format": self.format,
            "encoding": self.encoding,
            "operation": self.operation,
            "unit": self.unit,
            **self.result.summary(),
            "rejects_file": str(self.rejects_file) if self.rejects_file else None,
        }


def _item_source(db: Database, operation: Operation) -> ItemSource | None:
    """Where a helper process may look items up itself: a SQLite database file."""
    from sqlalchemy.engine import make_url

    name = make_url(db.url).database if db.is_sqlite else None
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return ItemSource(Path(name), operation.id)


def import_file(
    db: Database,
    operation_ref: str,
    unit_ref: str,
    path: Path,
    *,
    actor: str,
    max_bytes: int,
    batch_size: int,
    evidence_root: Path,
    evidence_max_bytes: int,
    evidence_from: Path | None = None,
    encoding: str | None = None,
    rejects_path: Path | None = None,
    progress: Callable[[int, int, IntakeResult], None] | None = None,
    pipeline_from_bytes: int = PIPELINE_FROM_BYTES,
) -> ImportOutcome:
    """Import a CSV or JSONL file of reports; safe to run again after any interruption.

    ``evidence_path`` values name files inside ``evidence_from`` (default: the file's own
    folder); they are copied into the store at ``evidence_root``."""
    from takedown.interop.rejects import RejectsWriter
    from takedown.interop.tabular import open_source
    from takedown.services.operations import get_operation
    from takedown.services.units import get_unit

    with db.session() as session:
        operation = get_operation(session, operation_ref)
        unit = get_unit(session, unit_ref)
        if unit.kind not in ("referral_unit", "coordinator"):
            raise UserError(
                f"unit {unit.name!r} is a {unit.kind} unit; only referral units and coordinators report"
            )
    if evidence_from is not None and not evidence_from.is_dir():
        raise UserError(f"--evidence-root {evidence_from}: not a folder")
    source = open_source(path, encoding=encoding, max_bytes=max_bytes)
    writer = RejectsWriter(rejects_path) if rejects_path else None
    policy = EvidencePolicy(
        (evidence_from or path.parent).resolve(), evidence_root, evidence_max_bytes
    )
    ignored = set(source.ignored_fields)
    done = 0  # bytes read so far, for the progress bar
    checker = RowChecker(policy)
    helper: Helper | None = None
    batches: Iterable[tuple[Checked, Known]]
    if use_pipeline(source.size, pipeline_from_bytes):
        # A helper process reads and checks the file while this one writes (see intake_rows).
        # It starts now, and this process checks the first rows itself meanwhile.
        parts = -(-batch_size // HELPER_BATCH)
        per_message = -(-batch_size // parts)
        head = max(1, min(HEAD_ROWS // per_message, parts)) * per_message
        job = FileJob(
            path,
            source.encoding,
            max_bytes,
            per_message,
            policy,
            _item_source(db, operation),
            head,
            source.nul_free,
        )
        helper = Helper(job)

        def pipelined(helper: Helper) -> Iterable[tuple[Checked, Known]]:
            nonlocal done
            for rows in chunks(islice(source.rows(), head), per_message):
                yield checker.batch(rows), None
            for batch in helper.batches():
                done = batch.bytes_read
                ignored.update(batch.ignored_fields)
                yield batch.checked, batch.items

        batches = pipelined(helper)
    else:
        batches = ((checker.batch(rows), None) for rows in chunks(source.rows(), batch_size))

    # Test-only hook (tests/cli/test_kill.py): once this many transactions of batch_size rows
    # have committed, block until killed, so that a test kills an import half-way without racing
    # it. Read once per import; unset or 0 (always, outside that test) changes nothing.
    pause_after_rows = int(os.environ.get("TAKEDOWN_IMPORT_PAUSE_AFTER_BATCHES") or 0) * batch_size

    def on_batch(result: IntakeResult, rejections: list[Rejection]) -> None:
        if writer is not None:
            writer.write(rejections)
        if progress is not None:
            progress(done or source.bytes_read(), source.size, result)
        while pause_after_rows and result.rows_read >= pause_after_rows:
            time.sleep(3600)

    try:
        with collector_paused():
            result = store_batches(
                db, operation, unit, batches, actor, "import", False, policy, on_batch, batch_size
            )
    finally:
        if helper is not None:
            helper.close()
        source.close()
        if writer is not None:
            writer.close()
    result.ignored_fields |= ignored | source.ignored_fields
    return ImportOutcome(
        operation.name, unit.name, path, source.format, source.encoding, result, rejects_path
    )
