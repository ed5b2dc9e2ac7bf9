"""Check the covered rows against the audit chain: ``takedown audit verify --rows``.

Two passes, each a bounded number of rows in memory at a time:

1. **Events.** For every event with a payload, the Merkle root of its leaves in ``audit_rows``
   is the root its payload (hashed into the chain) carries: a leaf added, dropped or edited is
   found here.
2. **Rows.** For every covered table, in id order, each row's history of leaves must link up:
   its first leaf starts from nothing (created by that event) or from the content a bulk batch
   inserted; each next leaf starts from the digest the one before ended at; the last one ends
   at the row's current digest. A batch's rows, each at the content it inserted, must give the
   root the batch's event carries.

A problem names the table, the row id and the event, and, when the last leaf's column hints
allow, the columns that differ. A row in a batch whose content changed with no leaf since can
only be found through its batch's root: the problem names the batch event, not the row.
"""

from __future__ import annotations

import bisect
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from takedown.store.audit_rows import (
    COVERED,
    DELETED,
    AuditPayload,
    AuditRow,
    MerkleRoot,
    RowBatch,
    RowReader,
    batch_of,
    column_hints,
    merkle_root,
    row_digest,
    row_leaf,
    table_of,
)

CHUNK = 5000
SHOWN = 100  # problems listed; the rest are counted


@dataclass(frozen=True)
class RowProblem:
    table: str
    row_id: int | None
    event_id: int | None
    problem: str
    columns: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "id": self.row_id,
            "event_id": self.event_id,
            "problem": self.problem,
            "columns": list(self.columns),
        }

    def __str__(self) -> str:
        where = f"{self.table} {self.row_id}" if self.row_id is not None else self.table
        cols = f" (columns: {', '.join(self.columns)})" if self.columns else ""
        return f"{where}: {self.problem}{cols}"


@dataclass
class RowsReport:
    rows: int = 0
    events: int = 0
    batches: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    more: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: RowProblem) -> None:
        if len(self.problems) < SHOWN:
            self.problems.append(problem)
        else:
            self.more += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "events": self.events,
            "batches": self.batches,
            "problems": [p.as_dict() for p in self.problems],
            "more_problems": self.more,
        }


@dataclass
class _Batch:
    event_id: int
    spec: RowBatch
    tree: MerkleRoot = field(default_factory=MerkleRoot)


def _payloads(session: Session) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    last = 0
    while True:
        rows = session.execute(
            select(AuditPayload.event_id, AuditPayload.payload)
            .where(AuditPayload.event_id > last)
            .order_by(AuditPayload.event_id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        yield [(event_id, json.loads(text)) for event_id, text in rows]
        last = rows[-1][0]


def _check_events(session: Session, report: RowsReport) -> dict[str, list[_Batch]]:
    """Pass 1: each event's leaves against its root; the batches, by table."""
    batches: dict[str, list[_Batch]] = {}
    last = 0
    for chunk in _payloads(session):
        hi = chunk[-1][0]
        leaves: dict[int, list[tuple[str, int, str | None, str]]] = {}
        for ev, table, row_id, prev, digest in session.execute(
            select(
                AuditRow.event_id,
                AuditRow.table_name,
                AuditRow.row_id,
                AuditRow.prev,
                AuditRow.digest,
            ).where(AuditRow.event_id > last, AuditRow.event_id <= hi)
        ):
            leaves.setdefault(ev, []).append((table, row_id, prev, digest))
        for event_id, body in chunk:
            found = sorted(leaves.pop(event_id, []))
            rows = body.get("rows") or {"root": None, "count": 0}
            if found or rows["count"]:
                report.events += 1
                root = merkle_root(row_leaf(t, i, d, p) for t, i, p, d in found)
                if len(found) != rows["count"] or root != rows["root"]:
                    report.add(
                        RowProblem(
                            "audit_rows",
                            None,
                            event_id,
                            f"event {event_id}: its {len(found)} row digests do not give the "
                            f"root of the {rows['count']} its payload carries",
                        )
                    )
            spec = body.get("batch")
            if spec:
                batch = RowBatch(spec["table"], spec["ids"], spec["root"], spec["count"])
                batches.setdefault(batch.table, []).append(_Batch(event_id, batch))
        for event_id in sorted(leaves):
            report.add(
                RowProblem(
                    "audit_rows", None, event_id, f"row digests of event {event_id}, which has none"
                )
            )
        last = hi
    orphans = session.scalar(
        select(func.count()).select_from(AuditRow).where(AuditRow.event_id > last)
    )
    if orphans:
        report.add(RowProblem("audit_rows", None, None, f"{orphans} row digests of no event"))
    return batches


@dataclass(frozen=True)
class _Entry:
    event_id: int
    prev: str | None
    digest: str
    columns: dict[str, str]


def _changed(hints: dict[str, str], now: dict[str, Any] | None) -> tuple[str, ...]:
    if now is None or not hints:
        return ()
    current = column_hints(now)
    return tuple(sorted(k for k in hints.keys() | current.keys() if hints.get(k) != current.get(k)))


class _Table:
    """Pass 2 for one table: each row's history of leaves, and the batches' roots."""

    def __init__(self, session: Session, table: str, batches: list[_Batch], report: RowsReport):
        self.session, self.table, self.batches, self.report = session, table, batches, report
        spans = sorted((lo, hi, n) for n, b in enumerate(batches) for lo, hi in b.spec.ids)
        self.starts = [lo for lo, _, _ in spans]
        self.spans = spans

    def covering(self, row_id: int) -> _Batch | None:
        at = bisect.bisect_right(self.starts, row_id) - 1
        if at >= 0 and self.spans[at][1] >= row_id:
            return self.batches[self.spans[at][2]]
        return None

    def run(self) -> None:
        reader = RowReader(self.session, self.table)
        last = 0
        while True:
            rows = {int(r["id"]): r for r in reader.where("id > :last", CHUNK, last=last)}
            hi = max(rows) if len(rows) == CHUNK else None
            query = select(
                AuditRow.row_id, AuditRow.event_id, AuditRow.prev, AuditRow.digest, AuditRow.columns
            ).where(AuditRow.table_name == self.table, AuditRow.row_id > last)
            if hi is not None:
                query = query.where(AuditRow.row_id <= hi)
            history: dict[int, list[_Entry]] = {}
            for row_id, event_id, prev, digest, hints in self.session.execute(
                query.order_by(AuditRow.row_id, AuditRow.event_id)
            ):
                history.setdefault(int(row_id), []).append(
                    _Entry(int(event_id), prev, digest, hints or {})
                )
            for row_id in sorted(rows.keys() | history.keys()):
                self._row(row_id, rows.get(row_id), history.get(row_id, []))
            self.report.rows += len(rows)
            if hi is None:
                break
            last = hi
        for batch in self.batches:
            self._settle(batch)

    def _problem(self, row_id: int | None, event_id: int | None, text: str, cols: Any = ()) -> None:
        self.report.add(RowProblem(self.table, row_id, event_id, text, tuple(cols)))

    def _row(self, row_id: int, row: dict[str, Any] | None, entries: list[_Entry]) -> None:
        table = self.table
        now = row_digest(table, row) if row is not None else None
        batch = self.covering(row_id)
        if not entries:
            assert now is not None
            if batch is None:
                self._problem(row_id, None, "no event recorded this row")
            else:
                batch.tree.add(row_leaf(table, row_id, now))
            return
        first = entries[0]
        if first.prev is None:
            if batch is not None:
                self._problem(row_id, first.event_id, f"batch event {batch.event_id} lists it too")
        elif batch is not None:
            batch.tree.add(row_leaf(table, row_id, first.prev))
        else:
            self._problem(
                row_id, first.event_id, f"its content before event {first.event_id} is in no event"
            )
        for a, b in itertools.pairwise(entries):
            if b.prev != a.digest:
                self._problem(
                    row_id,
                    b.event_id,
                    f"changed between events {a.event_id} and {b.event_id} with no event",
                )
        end = entries[-1]
        if now is None:
            if end.digest != DELETED:
                self._problem(row_id, end.event_id, f"deleted after event {end.event_id}")
        elif end.digest != now:
            self._problem(
                row_id,
                end.event_id,
                f"changed after event {end.event_id} with no event",
                _changed(end.columns, row),
            )

    def _settle(self, batch: _Batch) -> None:
        spec = batch.spec
        self.report.batches += 1
        if batch.tree.count == spec.count and batch.tree.root() == spec.root:
            return
        t = table_of(self.table)
        missing: list[int] = []
        for lo, hi in spec.ids:
            there = set(self.session.scalars(select(t.c.id).where(t.c.id.between(lo, hi))))
            missing += [i for i in range(lo, hi + 1) if i not in there][: SHOWN - len(missing)]
        what = (
            f"{len(missing)} of them missing, e.g. {missing[:5]}"
            if missing
            else "one or more edited; a root cannot say which"
        )
        self._problem(
            None,
            batch.event_id,
            f"the {spec.count} rows batch event {batch.event_id} inserted no longer give its "
            f"Merkle root ({what})",
        )


def verify_rows(session: Session) -> RowsReport:
    """Find covered rows whose current content matches no event (see the module's doc)."""
    report = RowsReport()
    batches = _check_events(session, report)
    for table in COVERED:
        _Table(session, table, batches.pop(table, []), report).run()
    for table, rest in batches.items():
        for batch in rest:
            report.add(RowProblem(table, None, batch.event_id, "a batch of a table not covered"))
    return report


def _unrecorded(session: Session, table: str, batches: list[_Batch]) -> list[int]:
    """Ids of ``table``'s rows that no event recorded: no leaf, and in no batch."""
    checker = _Table(session, table, batches, RowsReport())
    t = table_of(table)
    recorded = set(
        session.scalars(select(AuditRow.row_id).where(AuditRow.table_name == table).distinct())
    )
    return [
        int(i)
        for i in session.scalars(select(t.c.id).order_by(t.c.id))
        if int(i) not in recorded and checker.covering(int(i)) is None
    ]


def adopt_rows(session: Session, *, actor: str) -> dict[str, int]:
    """Record one ``audit.baseline`` event per covered table whose batch is every row that no
    event recorded yet (rows stored before row digests were kept); how many each adopted.

    A row that has a history is never adopted: an edit behind the chain's back stays found."""
    from takedown.store import audit

    adopted: dict[str, int] = {}
    batches = _check_events(session, RowsReport())
    for table in COVERED:
        ids = _unrecorded(session, table, batches.get(table, []))
        if not ids:
            continue
        batch = batch_of(session, table, ids)
        audit.record(
            session,
            actor=actor,
            action="audit.baseline",
            object_type="table",
            object_id=table,
            change={"table": table, "rows": batch.count},
            batch=batch,
        )
        adopted[table] = batch.count
    return adopted
