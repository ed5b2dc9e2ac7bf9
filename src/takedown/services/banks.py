"""Banks: create them, fill them from hash lists, export, list and count them.

Every write records an audit event in the same transaction. Importing is idempotent: an
entry already in the bank (same type and value) is counted as a duplicate, not added twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from takedown.errors import NotFound, UserError
from takedown.interop.hashlists import HashRecord, Rejected
from takedown.media.signals import signal_type
from takedown.store import audit
from takedown.store.banks import Bank, BankEntry, value_digest
from takedown.store.models import utcnow

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
BATCH = 5000


def create_bank(
    session: Session,
    name: str,
    *,
    actor: str,
    negative: bool = False,
    dihedral: bool = False,
    threshold: int | None = None,
    description: str | None = None,
) -> Bank:
    if not NAME_RE.match(name):
        raise UserError(f"bank name {name!r}: use letters, digits, '.', '_' or '-' (max 200)")
    if session.scalar(select(Bank.id).where(Bank.name == name)) is not None:
        raise UserError(f"bank {name!r} already exists")
    if threshold is not None and not 0 <= threshold <= 31:
        raise UserError(f"threshold {threshold}: PDQ matching is exact for 0..31 only")
    bank = Bank(
        name=name,
        negative=negative,
        dihedral=dihedral,
        threshold=threshold,
        description=description,
        enabled=True,
        version=0,
    )
    session.add(bank)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="bank.create",
        object_type="bank",
        object_id=bank.id,
        change={"name": name, "negative": negative, "dihedral": dihedral, "threshold": threshold},
    )
    return bank


def get_bank(session: Session, name: str) -> Bank:
    bank = session.scalar(select(Bank).where(Bank.name == name))
    if bank is None:
        raise NotFound(f"no bank named {name!r}")
    return bank


def set_enabled(session: Session, name: str, enabled: bool, *, actor: str) -> Bank:
    bank = get_bank(session, name)
    if bank.enabled != enabled:
        bank.enabled = enabled
        bank.version += 1
        audit.record(
            session,
            actor=actor,
            action="bank.enable" if enabled else "bank.disable",
            object_type="bank",
            object_id=bank.id,
            change={"enabled": enabled},
        )
    return bank


def list_banks(session: Session) -> list[dict[str, Any]]:
    counts = dict(
        session.execute(select(BankEntry.bank_id, func.count()).group_by(BankEntry.bank_id)).all()
    )
    return [
        describe(b, counts.get(b.id, 0)) for b in session.scalars(select(Bank).order_by(Bank.name))
    ]


def describe(bank: Bank, entries: int) -> dict[str, Any]:
    return {
        "name": bank.name,
        "negative": bank.negative,
        "enabled": bank.enabled,
        "dihedral": bank.dihedral,
        "threshold": bank.threshold if bank.threshold is not None else 31,
        "entries": entries,
        "description": bank.description,
    }


def bank_stats(session: Session, name: str) -> dict[str, Any]:
    bank = get_bank(session, name)
    by_type = dict(
        session.execute(
            select(BankEntry.signal_type, func.count())
            .where(BankEntry.bank_id == bank.id)
            .group_by(BankEntry.signal_type)
        ).all()
    )
    entities: dict[str, int] = {}
    for labels in session.scalars(select(BankEntry.labels).where(BankEntry.bank_id == bank.id)):
        entity = str((labels or {}).get("entity") or "(none)")
        entities[entity] = entities.get(entity, 0) + 1
    top = dict(sorted(entities.items(), key=lambda kv: (-kv[1], kv[0]))[:20])
    return describe(bank, sum(by_type.values())) | {"by_type": by_type, "by_entity": top}


@dataclass
class ImportResult:
    added: int = 0
    duplicates: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "added": self.added,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "errors": self.rejected[:100],
        }


def import_entries(
    session: Session,
    name: str,
    records: Iterable[HashRecord | Rejected],
    *,
    actor: str,
    fmt: str,
    source: str,
) -> ImportResult:
    """Validate and add records; bad ones are reported with where they were, not raised."""
    bank = get_bank(session, name)
    result = ImportResult()
    batch: dict[tuple[str, str], dict[str, Any]] = {}
    at = utcnow().isoformat()
    for rec in records:
        if isinstance(rec, Rejected):
            result.rejected.append({"where": rec.where, "error": rec.error})
            continue
        try:
            value = signal_type(rec.signal_type).validate(rec.value)
        except ValueError as exc:
            result.rejected.append({"where": _where(rec), "error": str(exc)})
            continue
        key = (rec.signal_type, value_digest(value))
        if key in batch:
            result.duplicates += 1
            continue
        provenance = {"format": fmt, "file": source, "actor": actor, "at": at} | rec.provenance
        batch[key] = {
            "bank_id": bank.id,
            "signal_type": rec.signal_type,
            "value": value,
            "digest": key[1],
            "labels": rec.labels,
            "provenance": provenance,
            "created_at": utcnow(),
        }
        if len(batch) >= BATCH:
            _flush(session, bank, batch, result)
    _flush(session, bank, batch, result)
    bank.version += 1
    audit.record(
        session,
        actor=actor,
        action="bank.import",
        object_type="bank",
        object_id=bank.id,
        change={
            "format": fmt,
            "file": source,
            "added": result.added,
            "duplicates": result.duplicates,
            "rejected": len(result.rejected),
        },
    )
    return result


def _where(rec: HashRecord) -> str:
    p = rec.provenance
    return f"line {p['line']}" if "line" in p else f"record {p.get('record', '?')}"


def _flush(
    session: Session, bank: Bank, batch: dict[tuple[str, str], dict[str, Any]], result: ImportResult
) -> None:
    if not batch:
        return
    existing: set[tuple[str, str]] = set()
    digests = [d for _, d in batch]
    for lo in range(0, len(digests), 900):
        existing.update(
            (kind, digest)
            for kind, digest in session.execute(
                select(BankEntry.signal_type, BankEntry.digest).where(
                    BankEntry.bank_id == bank.id, BankEntry.digest.in_(digests[lo : lo + 900])
                )
            ).all()
        )
    fresh = [e for k, e in batch.items() if k not in existing]
    result.duplicates += len(batch) - len(fresh)
    result.added += len(fresh)
    if fresh:
        session.execute(insert(BankEntry), fresh)  # one executemany per batch
    batch.clear()


def export_entries(session: Session, name: str) -> Iterator[HashRecord]:
    bank = get_bank(session, name)
    rows = session.scalars(
        select(BankEntry).where(BankEntry.bank_id == bank.id).order_by(BankEntry.id)
    )
    for e in rows:
        yield HashRecord(e.signal_type, e.value, dict(e.labels or {}), dict(e.provenance or {}))
