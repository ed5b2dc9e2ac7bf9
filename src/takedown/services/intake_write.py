"""Writing checked report rows: one transaction per batch (or per several), set-based.

Items are found or created by key, reports inserted with their dedupe keys (a report stored
before is skipped by the unique index and counted as a duplicate), evidence recorded, and one
audit event written per transaction, whose payload commits to the report keys and to the
items the transaction created (``takedown.store.audit``). ``takedown.services.intake`` is
the use case that calls this.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from takedown.services.evidence import record_evidence
from takedown.services.intake_items import (
    ITEM_ROW,
    Known,
    Recent,
    create_items,
    drop_orphans,
    existing_reports,
    find_items,
    insert_reports,
    new_item_order,
    refresh_order,
)
from takedown.services.intake_rows import (
    R_DEDUPE,
    R_EVIDENCE,
    R_ITEM,
    R_KEY,
    R_REPORT,
    R_REPORTED_AT,
    R_ROW,
    R_URL,
    Checked,
    EvidencePolicy,
    Ready,
    Rejection,
)
from takedown.store import audit
from takedown.store.bulk import Bulk
from takedown.store.db import Database
from takedown.store.models import Operation, Report, Unit, utcnow


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
    touched: dict[int, Ready] = dc_field(default_factory=dict)  # items that got a report


def store_batches(
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
    recent = Recent()
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
            # the queue's stored order: a new report may add a unit or a later report time
            refresh_order(
                Bulk(session), operation.id, {i: r for _, w in group for i, r in w.touched.items()}
            )
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
    recent: Recent | None = None,
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
        items = find_items(bulk, op_id, fresh, known, recent)
        for r in fresh:
            if r[R_KEY] not in items and r[R_KEY] not in first_of:
                first_of[r[R_KEY]] = r
        if first_of:
            order = new_item_order(bulk, op_id, first_of, fresh)
            ids, created = create_items(bulk, op_id, list(first_of.values()), now, order)
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
    inserted = insert_reports(bulk, rows, seen)
    stored_before: list[Ready] = []  # reports an earlier run stored
    if len(inserted) < len(fresh):
        stored_before = [r for r in fresh if r[R_DEDUPE] not in inserted]
        repeats += stored_before
        fresh = [r for r in fresh if r[R_DEDUPE] in inserted]
        kept = {r[R_KEY] for r in fresh}
        drop_orphans(session, op_id, created - kept)
        created &= kept
    if recent is not None:
        recent.now.update((key, items[key]) for key in created)
    if digester is not None and created:  # the items as written (see create_items)
        leaf = digester.leaf
        written.leaves = [
            leaf((items[k], op_id, k, *first_of[k][R_ITEM], "new", now, now)) for k in created
        ]
    written.reports = len(fresh)
    written.new_items = len(created)
    written.duplicates = len(repeats)
    if written.accepted is not None:  # their item ids, for callers that show each row's fate
        keys = [r[R_DEDUPE] for r in stored_before]
        stored = existing_reports(bulk, op_id, unit_id, keys) if keys else {}
        written.accepted = _per_row(fresh, repeats, items, created, stored)
    # items created here have their order already (new_item_order); the others need theirs
    written.touched = {items[r[R_KEY]]: r for r in fresh if r[R_KEY] not in created}
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
