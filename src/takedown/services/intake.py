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
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from takedown import urls
from takedown.interop.tabular import REPORT_FIELDS, Row
from takedown.services.evidence import attach_evidence
from takedown.store import audit
from takedown.store.bulk import Bulk
from takedown.store.db import Database
from takedown.store.models import Item, Operation, Report, Unit, utcnow

LIMITS = {
    "title": 2000,
    "text": 100_000,
    "language": 35,
    "content_type": 64,
    "group": 200,
    "notes": 100_000,
    "external_id": 200,
    "evidence_path": 4096,
}
REPORT_COLUMNS = (
    "operation_id",
    "item_id",
    "unit_id",
    "dedupe_key",
    "url",
    "title",
    "text",
    "language",
    "content_type",
    "group_name",
    "notes",
    "external_id",
    "evidence_path",
    "source",
    "reported_at",
    "received_at",
)
ITEM_COLUMNS = (
    "operation_id",
    "key",
    "url",
    "canonical_url",
    "platform",
    "kind",
    "account",
    "parents",
    "flags",
    "state",
    "created_at",
    "updated_at",
)
_SHORTEST_LIMIT = min(LIMITS.values())
_SELECT_CHUNK = 900  # stays under every SQLite build's bound-parameter limit


@dataclass(slots=True)
class Rejection:
    row: int
    field: str
    code: str
    reason: str
    values: dict[str, str | None] = dc_field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason}


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
class _Candidate:
    row: int
    fields: dict[str, str | None]
    ref: urls.ContentRef
    dedupe_key: int
    reported_at: datetime
    evidence: Path | None = None


@dataclass(frozen=True)
class EvidencePolicy:
    """Where ``evidence_path`` values point (a file import's folder) and where files go."""

    source_root: Path
    store_root: Path
    max_bytes: int


def validate_row(
    row: Row, now: datetime, evidence: EvidencePolicy | None = None
) -> _Candidate | Rejection:
    """Check one row; the rejection names the row, the field and the reason."""
    if row.problem is not None:
        fld, code, msg = row.problem
        return Rejection(row.number, fld, code, msg, row.fields)
    f = row.fields
    raw_url = f.get("url")
    if not raw_url:
        return Rejection(row.number, "url", "missing", "url is missing", f)
    for name, value in f.items():
        if value is None or len(value) <= _SHORTEST_LIMIT:
            continue  # the common case: shorter than any limit
        limit = LIMITS.get(name)
        if limit is not None and len(value) > limit:
            return Rejection(
                row.number, name, "too_long", f"{name} is {len(value)} characters, limit {limit}", f
            )
    try:
        ref = urls.parse(raw_url)
    except urls.UrlError as exc:
        return Rejection(row.number, "url", "invalid", f"url: {exc}", f)
    reported_at = now
    raw_when = f.get("reported_at")
    if raw_when:
        try:
            reported_at = parse_time(raw_when)
        except ValueError:
            return Rejection(
                row.number,
                "reported_at",
                "invalid",
                f"reported_at {raw_when[:40]!r} is not an ISO 8601 date-time",
                f,
            )
        if reported_at > now + timedelta(days=1):
            return Rejection(
                row.number,
                "reported_at",
                "future",
                f"reported_at {raw_when[:40]} is in the future",
                f,
            )
    found: Path | None = None
    raw_evidence = f.get("evidence_path")
    if raw_evidence:
        if evidence is None:
            return Rejection(
                row.number,
                "evidence_path",
                "not_here",
                "evidence_path is read from file imports only; upload evidence separately",
                f,
            )
        found = (evidence.source_root / raw_evidence).resolve()
        if not found.is_file():
            return Rejection(
                row.number, "evidence_path", "missing", f"evidence_path: no such file {found}", f
            )
        if found.stat().st_size > evidence.max_bytes:
            return Rejection(
                row.number,
                "evidence_path",
                "too_big",
                f"evidence_path: {found} is over the limit of {evidence.max_bytes} bytes",
                f,
            )
    return _Candidate(row.number, f, ref, dedupe_key(f), reported_at, found)


def parse_time(text: str) -> datetime:
    value = text.strip()
    if value.endswith(("z", "Z")):
        value = value[:-1] + "+00:00"
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def dedupe_key(fields: dict[str, str | None]) -> int:
    """Same (unit, external_id), or the same row content, is the same report.

    A signed 64-bit BLAKE2b digest, so the unique index stays small and fast; two different
    reports of one unit collide with odds of about n²/2⁶⁵ (≈ 3·10⁻⁸ at a million reports).
    """
    ext = fields.get("external_id")
    if ext:
        blob = "x\x1f" + ext
    else:
        blob = "h\x1f" + "\x1f".join([v or "" for v in map(fields.get, REPORT_FIELDS)])
    digest = hashlib.blake2b(blob.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


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
    """Validate, canonicalise and store reports, one committed transaction per batch.

    (Validating in a helper process while this one writes was measured slower: pickling
    each batch both ways cost more than the overlap saved on two cores.)
    """
    result = IntakeResult()
    for size, candidates, rejections in (
        validate_batch(b, evidence) for b in chunks(rows, batch_size)
    ):
        now = utcnow()
        result.rows_read += size
        with db.session() as session:
            written = _write_batch(session, operation, unit, candidates, source, now, actor)
            if evidence is not None:
                _attach_all(session, operation, unit, candidates, written, evidence, actor)
        for acc in written:
            if acc.duplicate:
                result.duplicates += 1
                continue
            result.accepted += 1
            if acc.new_item:
                result.new_items += 1
            else:
                result.merged += 1
        if keep_items:
            result.items.extend(written)
            result.rejections.extend(rejections)
        result.rejected += len(rejections)
        for rej in rejections:
            result.rejected_by_reason[f"{rej.field}: {rej.code}"] += 1
        if on_batch is not None:
            on_batch(result, rejections)
    return result


Checked = tuple[int, list[_Candidate], list[Rejection]]


def validate_batch(batch: list[Row], evidence: EvidencePolicy | None) -> Checked:
    now = utcnow()
    candidates: list[_Candidate] = []
    rejections: list[Rejection] = []
    for row in batch:
        checked = validate_row(row, now, evidence)
        if isinstance(checked, Rejection):
            rejections.append(checked)
        else:
            candidates.append(checked)
    return len(batch), candidates, rejections


def _write_batch(
    session: Session,
    operation: Operation,
    unit: Unit,
    candidates: list[_Candidate],
    source: str,
    now: datetime,
    actor: str,
) -> list[Accepted]:
    if not candidates:
        return []
    op_id, unit_id = operation.id, unit.id
    bulk = Bulk(session)
    # 1. Rows repeated within this batch, and (without RETURNING) reports already stored.
    stored: dict[int, int] = {}
    if not bulk.can_return():
        stored = _existing_reports(session, op_id, unit_id, [c.dedupe_key for c in candidates])
    fresh: list[_Candidate] = []
    repeats: list[_Candidate] = []
    seen: set[int] = set()
    for cand in candidates:
        if cand.dedupe_key in seen or cand.dedupe_key in stored:
            repeats.append(cand)
        else:
            seen.add(cand.dedupe_key)
            fresh.append(cand)
    # 2. Items: find the existing ones, create the rest.
    items: dict[str, int] = {}
    created: set[str] = set()
    if fresh:
        keys = list(dict.fromkeys(c.ref.key for c in fresh))
        items = _existing_items(session, op_id, keys)
        first_of: dict[str, _Candidate] = {}
        for cand in fresh:
            if cand.ref.key not in items:
                first_of.setdefault(cand.ref.key, cand)
        if first_of:
            ids, created = _create_items(session, op_id, list(first_of.values()), now)
            items.update(ids)
    # 3. Reports, every one of them; a report stored by an earlier run is skipped by the
    #    unique (unit, operation, dedupe_key) index and comes back as a duplicate.
    received = bulk.when(now)
    rows = [
        (
            op_id,
            items[c.ref.key],
            unit_id,
            c.dedupe_key,
            c.fields["url"],
            c.fields.get("title"),
            c.fields.get("text"),
            c.fields.get("language"),
            c.fields.get("content_type"),
            c.fields.get("group"),
            c.fields.get("notes"),
            c.fields.get("external_id"),
            c.fields.get("evidence_path"),
            source,
            bulk.when(c.reported_at),
            received,
        )
        for c in fresh
    ]
    if bulk.can_return():
        returned = bulk.insert_returning(
            "reports", REPORT_COLUMNS, rows, ("dedupe_key",), skip_conflicts=True
        )
        inserted = {r[0] for r in returned}
    else:
        bulk.insert("reports", REPORT_COLUMNS, rows)
        inserted = {c.dedupe_key for c in fresh}
    stored_now = [c for c in fresh if c.dedupe_key not in inserted]
    repeats += stored_now
    fresh = [c for c in fresh if c.dedupe_key in inserted]
    if stored_now:
        stored.update(
            _existing_reports(session, op_id, unit_id, [c.dedupe_key for c in stored_now])
        )
        _drop_orphans(session, op_id, created - {c.ref.key for c in fresh})
        created &= {c.ref.key for c in fresh}
    out: list[Accepted] = []
    first_item: dict[int, int] = {}
    opened: set[str] = set()
    for cand in fresh:
        key = cand.ref.key
        new = key in created and key not in opened
        opened.add(key)
        first_item[cand.dedupe_key] = items[key]
        out.append(Accepted(cand.row, items[key], key, new, False))
    for cand in repeats:
        item_id = stored.get(cand.dedupe_key) or first_item.get(cand.dedupe_key, 0)
        out.append(Accepted(cand.row, item_id, cand.ref.key, False, True))
    if not fresh:
        out.sort(key=lambda a: a.row)
        return out
    out.sort(key=lambda a: a.row)
    digest = hashlib.sha256("\n".join(str(c.dedupe_key) for c in fresh).encode()).hexdigest()
    audit.record(
        session,
        actor=actor,
        action="reports.submit",
        object_type="operation",
        object_id=op_id,
        change={
            "unit": unit.name,
            "source": source,
            "rows": [fresh[0].row, fresh[-1].row],
            "reports": len(fresh),
            "new_items": len(created),
            "reports_digest": digest,
        },
    )
    return out


def _drop_orphans(session: Session, op_id: int, keys: set[str]) -> None:
    """Items this batch created for rows that turned out to be stored reports already."""
    if keys:
        session.execute(delete(Item).where(Item.operation_id == op_id, Item.key.in_(sorted(keys))))


def _attach_all(
    session: Session,
    operation: Operation,
    unit: Unit,
    candidates: list[_Candidate],
    written: list[Accepted],
    policy: EvidencePolicy,
    actor: str,
) -> None:
    fresh_rows = {a.row for a in written if not a.duplicate}
    wanted = [c for c in candidates if c.evidence is not None and c.row in fresh_rows]
    if not wanted:
        return
    rows = session.execute(
        select(Report.dedupe_key, Report.id).where(
            Report.operation_id == operation.id,
            Report.unit_id == unit.id,
            Report.dedupe_key.in_([c.dedupe_key for c in wanted]),
        )
    )
    ids = {key: report_id for key, report_id in rows}
    items = {a.row: a.item_id for a in written}
    for cand in wanted:
        assert cand.evidence is not None
        attach_evidence(
            session,
            item_id=items[cand.row],
            report_id=ids.get(cand.dedupe_key),
            source=cand.evidence,
            root=policy.store_root,
            max_bytes=policy.max_bytes,
            actor=actor,
        )


def _existing_reports(
    session: Session, op_id: int, unit_id: int, keys: list[int]
) -> dict[int, int]:
    found: dict[int, int] = {}
    for i in range(0, len(keys), _SELECT_CHUNK):
        part = keys[i : i + _SELECT_CHUNK]
        rows = session.execute(
            select(Report.dedupe_key, Report.item_id).where(
                Report.operation_id == op_id,
                Report.unit_id == unit_id,
                Report.dedupe_key.in_(part),
            )
        )
        found.update({k: v for k, v in rows})
    return found


def _existing_items(session: Session, op_id: int, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i in range(0, len(keys), _SELECT_CHUNK):
        part = keys[i : i + _SELECT_CHUNK]
        rows = session.execute(
            select(Item.key, Item.id).where(Item.operation_id == op_id, Item.key.in_(part))
        )
        found.update({k: v for k, v in rows})
    return found


def _create_items(
    session: Session, op_id: int, firsts: list[_Candidate], now: datetime
) -> tuple[dict[str, int], set[str]]:
    """Create items; returns the ids of all of them and the keys this call really created."""
    bulk = Bulk(session)
    stamp = bulk.when(now)
    rows = [
        (
            op_id,
            c.ref.key,
            c.fields["url"],
            c.ref.canonical_url,
            c.ref.platform,
            c.ref.kind,
            c.ref.account,
            bulk.json(c.ref.parents),
            bulk.json(c.ref.flags),
            "new",
            stamp,
            stamp,
        )
        for c in firsts
    ]
    # A concurrent writer may create the same item first: skip it, then look it up.
    if bulk.can_return():
        ids = dict(
            bulk.insert_returning("items", ITEM_COLUMNS, rows, ("key", "id"), skip_conflicts=True)
        )
        created = set(ids)
        missing = [c.ref.key for c in firsts if c.ref.key not in ids]
        if missing:
            ids.update(_existing_items(session, op_id, missing))
        return ids, created
    before = set(_existing_items(session, op_id, [c.ref.key for c in firsts]))
    bulk.insert("items", ITEM_COLUMNS, rows, skip_conflicts=True)
    ids = _existing_items(session, op_id, [c.ref.key for c in firsts])
    return ids, set(ids) - before


__all__ = ["EvidencePolicy", "IntakeResult", "Rejection", "parse_time", "submit_reports"]


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
    encoding: str | None = None,
    rejects_path: Path | None = None,
    progress: Callable[[int, int, IntakeResult], None] | None = None,
) -> ImportOutcome:
    """Import a CSV or JSONL file of reports; safe to run again after any interruption."""
    from takedown.interop.rejects import RejectsWriter
    from takedown.interop.tabular import open_source
    from takedown.services.operations import get_operation
    from takedown.services.units import get_unit

    with db.session() as session:
        operation = get_operation(session, operation_ref)
        unit = get_unit(session, unit_ref)
        if unit.kind not in ("referral_unit", "coordinator"):
            from takedown.errors import UserError

            raise UserError(
                f"unit {unit.name!r} is a {unit.kind} unit; only referral units and coordinators report"
            )
    source = open_source(path, encoding=encoding, max_bytes=max_bytes)
    writer = RejectsWriter(rejects_path) if rejects_path else None
    policy = EvidencePolicy(path.resolve().parent, evidence_root, evidence_max_bytes)

    def on_batch(result: IntakeResult, rejections: list[Rejection]) -> None:
        if writer is not None:
            writer.write(rejections)
        if progress is not None:
            progress(source.bytes_read(), source.size, result)

    try:
        result = submit_reports(
            db,
            operation,
            unit,
            source.rows(),
            actor=actor,
            source="import",
            batch_size=batch_size,
            evidence=policy,
            on_batch=on_batch,
        )
    finally:
        source.close()
        if writer is not None:
            writer.close()
    result.ignored_fields |= source.ignored_fields
    return ImportOutcome(
        operation.name, unit.name, path, source.format, source.encoding, result, rejects_path
    )
