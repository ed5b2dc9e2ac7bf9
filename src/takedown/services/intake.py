"""Intake: reports in, deduplicated items out.

``submit_reports`` is the one way reports enter takedown, whether from a file import, the
REST API or a script. Rows are validated one by one (a bad row never drops its neighbours),
canonicalised by ``takedown.urls``, and written in committed batches: every report is kept,
reports with the same canonical key merge into one item, and a report already stored (same
unit and external_id, or the same row content) is skipped, so imports are idempotent and an
interrupted import can simply be run again.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from takedown.errors import UserError
from takedown.interop.tabular import Row
from takedown.services.evidence import record_evidence
from takedown.services.intake_rows import (
    HEAD_ROWS,
    HELPER_BATCH,
    ITEM_FIELDS,
    PIPELINE_FROM_BYTES,
    R_DEDUPE,
    R_EVIDENCE,
    R_ITEM,
    R_KEY,
    R_REPORT,
    R_REPORTED_AT,
    R_ROW,
    R_URL,
    REPORT_OWN,
    Checked,
    EvidencePolicy,
    FileJob,
    Helper,
    ItemSource,
    Ready,
    Rejection,
    RowChecker,
    chunks,
    collector_paused,
    parse_time,
    use_pipeline,
)
from takedown.store import audit
from takedown.store.bulk import Bulk
from takedown.store.db import Database
from takedown.store.models import Item, Operation, Report, Unit, utcnow

REPORT_COLUMNS = (  # as _insert_reports writes them
    "operation_id",
    "item_id",
    "unit_id",
    "dedupe_key",
    "url",
    *REPORT_OWN,
    "source",
    "reported_at",
    "received_at",
)
ITEM_COLUMNS = ("operation_id", "key", *ITEM_FIELDS, "state", "created_at", "updated_at")
ITEM_ROW = ("id", *ITEM_COLUMNS)


@dataclass(slots=True)
class Accepted:
    row: int
    item_id: int
    key: str
    new_item: bool
    duplicate: bool


@dataclass
class IntakeResult:
    rows_read: int = 0
    accepted: int = 0
    new_items: int = 0
    merged: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejected_by_reason: Counter[str] = dc_field(default_factory=Counter)
    ignored_fields: set[str] = dc_field(default_factory=set)
    items: list[Accepted] = dc_field(default_factory=list)
    rejections: list[Rejection] = dc_field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "new_items": self.new_items,
            "merged": self.merged,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
            "ignored_fields": sorted(self.ignored_fields),
        }


@dataclass(slots=True)
class _Written:
    """What one batch stored: counts, and per row only when the caller keeps items."""

    reports: int = 0
    new_items: int = 0
    duplicates: int = 0
    accepted: list[Accepted] | None = None
    fresh_keys: list[int] = dc_field(default_factory=list)  # of the reports stored, in row order
    rows: tuple[int, int] | None = None  # first and last row stored
    leaves: list[tuple[int, str]] = dc_field(default_factory=list)  # of the items it created


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
    return _store(db, operation, unit, batches, actor, source, keep_items, evidence, on_batch)


def _store(
    db: Database,
    operation: Operation,
    unit: Unit,
    batches: Iterable[tuple[Checked, Known]],
    actor: str,
    source: str,
    keep_items: bool,
    evidence: EvidencePolicy | None,
    on_batch: Callable[[IntakeResult, list[Rejection]], None] | None,
    per_transaction: int = 0,
) -> IntakeResult:
    """Write checked batches: one transaction each, or, with ``per_transaction``, as many
    batches in one transaction as make that many rows (a helper process sends small batches,
    so that writing starts early, while transactions stay large).

    A batch may come with the ids of its items that were stored already (``Known``), looked
    up by the helper process."""
    result = IntakeResult()
    recent = _Recent()
    digester = audit.TupleDigester("items", ITEM_ROW, json_text=("parents", "flags"))
    pending = iter(batches)
    for first in pending:
        group: list[tuple[Checked, _Written]] = []
        with db.session() as session:
            batch: tuple[Checked, Known] | None = first
            rows_in = 0
            while batch is not None:
                checked, known = batch
                written = _write_batch(
                    session,
                    operation,
                    unit,
                    checked[1],
                    source,
                    keep_items,
                    known,
                    recent,
                    digester,
                )
                if evidence is not None:
                    _attach_all(
                        session, operation, unit, checked[1], written.fresh_keys, evidence, actor
                    )
                group.append((checked, written))
                rows_in += checked[0]
                batch = next(pending, None) if rows_in < per_transaction else None
            _record(session, operation, unit, [w for _, w in group], source, actor, digester)
        recent.turn()
        for (size, _, rejections), written in group:
            result.rows_read += size
            result.accepted += written.reports
            result.new_items += written.new_items
            result.merged += written.reports - written.new_items
            result.duplicates += written.duplicates
            if written.accepted is not None:
                result.items.extend(written.accepted)
                result.rejections.extend(rejections)
            result.rejected += len(rejections)
            for rej in rejections:
                result.rejected_by_reason[f"{rej.field}: {rej.code}"] += 1
            if on_batch is not None:
                on_batch(result, rejections)
    return result


Known = dict[str, int] | None  # item key -> id, for the items a helper found stored


class _Recent:
    """Ids of the items this import created in its last three transactions.

    A helper process looks items up when it checks a message, at most ``AHEAD`` queued
    messages, one in the pipe and one in hand (about 22,000 rows) before the message is
    written, so items this import created since are not among those it found. That spans
    under three transactions of 10,000 rows or more (the default is 50,000); an item created
    earlier was committed before the helper looked. Smaller transactions only cost more
    look-ups: an item found nowhere is created, and if it exists after all (made earlier
    by this import, or by another), it is found then.
    """

    def __init__(self) -> None:
        self.now: dict[str, int] = {}
        self.before: dict[str, int] = {}
        self.oldest: dict[str, int] = {}

    def get(self, key: str) -> int | None:
        return self.now.get(key) or self.before.get(key) or self.oldest.get(key)

    def turn(self) -> None:
        self.oldest, self.before, self.now = self.before, self.now, {}


def _record(
    session: Session,
    operation: Operation,
    unit: Unit,
    group: list[_Written],
    source: str,
    actor: str,
    digester: audit.TupleDigester,
) -> None:
    """One audit event per transaction, whose digest covers the report keys it stored and
    the digests of the items it created (a Merkle root, as ``audit.batch_of`` reads it back;
    computed from the rows as written, which costs a fraction of reading them back)."""
    stored = [w for w in group if w.rows is not None]
    if not stored:
        return
    leaves = any(w.leaves for w in stored)
    keys = [str(k) for w in stored for k in w.fresh_keys]
    first, last = stored[0].rows, stored[-1].rows
    assert first is not None and last is not None
    audit.record(
        session,
        actor=actor,
        action="reports.submit",
        object_type="operation",
        object_id=operation.id,
        change={
            "unit": unit.name,
            "source": source,
            "rows": [first[0], last[1]],
            "reports": len(keys),
            "new_items": sum(w.new_items for w in stored),
            "reports_digest": hashlib.sha256("\n".join(keys).encode()).hexdigest(),
        },
        batch=digester.batch(leaf for w in stored for leaf in w.leaves) if leaves else None,
    )


def _write_batch(
    session: Session,
    operation: Operation,
    unit: Unit,
    ready: list[Ready],
    source: str,
    keep_items: bool,
    known: Known = None,
    recent: _Recent | None = None,
    digester: audit.TupleDigester | None = None,
) -> _Written:
    written = _Written(accepted=[] if keep_items else None)
    if not ready:
        return written
    op_id, unit_id = operation.id, unit.id
    now = utcnow()
    bulk = Bulk(session)
    # 1. Rows repeated within this batch.
    fresh: list[Ready] = []
    repeats: list[Ready] = []
    seen: set[int] = set()
    for r in ready:
        dk = r[R_DEDUPE]
        if dk in seen:
            repeats.append(r)
        else:
            seen.add(dk)
            fresh.append(r)
    # 2. Items: find the existing ones, create the rest.
    items: dict[str, int] = {}
    created: set[str] = set()
    first_of: dict[str, Ready] = {}
    if fresh:
        items = _find_items(bulk, op_id, fresh, known, recent)
        for r in fresh:
            if r[R_KEY] not in items and r[R_KEY] not in first_of:
                first_of[r[R_KEY]] = r
        if first_of:
            ids, created = _create_items(bulk, op_id, list(first_of.values()), now)
            items.update(ids)
    # 3. Reports, every one of them; a report stored by an earlier run is skipped by the
    #    unique (unit, operation, dedupe_key) index and comes back as a duplicate.
    received = bulk.when(now)
    when = bulk.when
    rows = [
        (
            op_id,
            items[r[R_KEY]],
            unit_id,
            r[R_DEDUPE],
            r[R_URL],
            *r[R_REPORT],
            source,
            when(r[R_REPORTED_AT]),
            received,
        )
        for r in fresh
    ]
    inserted = _insert_reports(bulk, rows, seen)
    stored_before: list[Ready] = []  # reports an earlier run stored
    if len(inserted) < len(fresh):
        stored_before = [r for r in fresh if r[R_DEDUPE] not in inserted]
        repeats += stored_before
        fresh = [r for r in fresh if r[R_DEDUPE] in inserted]
        kept = {r[R_KEY] for r in fresh}
        _drop_orphans(session, op_id, created - kept)
        created &= kept
    if recent is not None:
        recent.now.update((key, items[key]) for key in created)
    if digester is not None and created:  # the items as written (see _create_items)
        leaf = digester.leaf
        written.leaves = [
            leaf((items[k], op_id, k, *first_of[k][R_ITEM], "new", now, now)) for k in created
        ]
    written.reports = len(fresh)
    written.new_items = len(created)
    written.duplicates = len(repeats)
    if written.accepted is not None:  # their item ids, for callers that show each row's fate
        keys = [r[R_DEDUPE] for r in stored_before]
        stored = _existing_reports(bulk, op_id, unit_id, keys) if keys else {}
        written.accepted = _per_row(fresh, repeats, items, created, stored)
    if fresh:
        written.fresh_keys = [r[R_DEDUPE] for r in fresh]
        written.rows = (fresh[0][R_ROW], fresh[-1][R_ROW])
    return written


def _per_row(
    fresh: list[Ready],
    repeats: list[Ready],
    items: dict[str, int],
    created: set[str],
    stored: dict[int, int],
) -> list[Accepted]:
    out: list[Accepted] = []
    first_item: dict[int, int] = {}
    opened: set[str] = set()
    for r in fresh:
        key = r[R_KEY]
        new = key in created and key not in opened
        opened.add(key)
        first_item[r[R_DEDUPE]] = items[key]
        out.append(Accepted(r[R_ROW], items[key], key, new, False))
    for r in repeats:
        item_id = stored.get(r[R_DEDUPE]) or first_item.get(r[R_DEDUPE], 0)
        out.append(Accepted(r[R_ROW], item_id, r[R_KEY], False, True))
    out.sort(key=lambda a: a.row)
    return out


def _drop_orphans(session: Session, op_id: int, keys: set[str]) -> None:
    """Items this batch created for rows that turned out to be stored reports already."""
    if keys:
        session.execute(delete(Item).where(Item.operation_id == op_id, Item.key.in_(sorted(keys))))


def _attach_all(
    session: Session,
    operation: Operation,
    unit: Unit,
    ready: list[Ready],
    fresh_keys: list[int],
    policy: EvidencePolicy,
    actor: str,
) -> None:
    """Record the evidence of the reports this batch stored (not of repeats); the checker
    copied the files into the store already."""
    with_files = [r for r in ready if r[R_EVIDENCE] is not None]
    fresh = set(fresh_keys) if with_files else set()
    wanted = [r for r in with_files if r[R_DEDUPE] in fresh]
    if not wanted:
        return
    rows = session.execute(
        select(Report.dedupe_key, Report.id, Report.item_id).where(
            Report.operation_id == operation.id,
            Report.unit_id == unit.id,
            Report.dedupe_key.in_([r[R_DEDUPE] for r in wanted]),
        )
    )
    reports = {key: (report_id, item_id) for key, report_id, item_id in rows}
    for r in wanted:
        report_id, item_id = reports[r[R_DEDUPE]]
        sha256, size, filename = r[R_EVIDENCE]
        record_evidence(
            session,
            item_id=item_id,
            report_id=report_id,
            sha256=sha256,
            size=size,
            filename=filename,
            actor=actor,
        )


def _existing_reports(bulk: Bulk, op_id: int, unit_id: int, keys: list[int]) -> dict[int, int]:
    scope = {"operation_id": op_id, "unit_id": unit_id}
    return bulk.lookup("reports", "dedupe_key", "item_id", scope, keys)


def _existing_items(bulk: Bulk, op_id: int, keys: list[str]) -> dict[str, int]:
    return bulk.lookup("items", "key", "id", {"operation_id": op_id}, keys)


def _find_items(
    bulk: Bulk, op_id: int, fresh: list[Ready], known: Known, recent: _Recent | None
) -> dict[str, int]:
    """The ids of the stored items among these rows' keys.

    Without ``known``, one look-up finds them all. With it, a key neither the helper found
    nor this import recently created is taken for new; ``_create_items`` finds it if that was
    wrong.
    """
    keys = list({r[R_KEY]: None for r in fresh})
    if known is None:
        return _existing_items(bulk, op_id, keys)
    items: dict[str, int] = {}
    for key in keys:
        item_id = known.get(key) or (recent.get(key) if recent is not None else None)
        if item_id:
            items[key] = item_id
    return items


def _insert_reports(bulk: Bulk, rows: list[tuple[Any, ...]], keys: set[int]) -> set[int]:
    """Insert the reports (their dedupe keys are ``keys``); the keys of those that went in.

    PostgreSQL says which through ``RETURNING``. SQLite holds the database's write lock for
    the whole transaction, so it counts instead: when every row went in, that is all; else
    the rows with ids past the largest before this insert are the ones that went in.
    Fetching a million keys back costs more than the count.
    """
    if not bulk.sqlite:
        returned = bulk.insert_returning(
            "reports", REPORT_COLUMNS, rows, ("dedupe_key",), skip_conflicts=True
        )
        return {r[0] for r in returned}
    before = bulk.max_id("reports")
    if bulk.insert_counted("reports", REPORT_COLUMNS, rows, skip_conflicts=True) == len(rows):
        return keys
    return {key for (key,) in bulk.rows_after("reports", ("dedupe_key",), before)}


def _create_items(
    bulk: Bulk, op_id: int, firsts: list[Ready], now: datetime
) -> tuple[dict[str, int], set[str]]:
    """Create items; returns the ids of all of them and the keys this call really created.

    On SQLite this transaction holds the write lock, so the ids are the next free ones,
    assigned here. A key that exists after all (the look-up was made by a helper process,
    before an item was stored) is skipped; the rows past the old largest id say which went
    in, and the rest are looked up. On PostgreSQL a concurrent writer may create one first;
    it is skipped, then looked up.
    """
    stamp = bulk.when(now)
    keys = [r[R_KEY] for r in firsts]
    if bulk.sqlite:
        start = bulk.max_id("items") + 1
        rows = [
            (start + n, op_id, r[R_KEY], *r[R_ITEM], "new", stamp, stamp)
            for n, r in enumerate(firsts)
        ]
        inserted = bulk.insert_counted("items", ITEM_ROW, rows, skip_conflicts=True)
        if inserted == len(rows):
            return dict(zip(keys, range(start, start + len(rows)), strict=True)), set(keys)
        ids = dict(bulk.rows_after("items", ("key", "id"), start - 1))
    else:
        rows = [(op_id, r[R_KEY], *r[R_ITEM], "new", stamp, stamp) for r in firsts]
        ids = dict(
            bulk.insert_returning("items", ITEM_COLUMNS, rows, ("key", "id"), skip_conflicts=True)
        )
    missing = [k for k in keys if k not in ids]
    if missing:
        ids.update(_existing_items(bulk, op_id, missing))
    return ids, set(ids) - set(missing)


__all__ = [
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
            result = _store(
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
