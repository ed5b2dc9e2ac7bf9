"""Match media against banks: for the CLI (read-only) and for evidence (stored, audited).

Exact signals (sha256, md5) are looked up in the database; PDQ and vPDQ go through
in-memory indexes built per bank and kept until the bank's ``version`` changes. A PDQ
signal below quality 50 is not matched (ThreatExchange's rule). A dihedral bank is also
queried with the seven rotated and flipped variants. Any hit in a negative bank marks the
file a known false positive: every positive match of it is stored as ``suppressed``.

``match_evidence`` runs in the job queue (task ``match_evidence``, after the commit that
attached the evidence); it stores signals and matches, refreshes the item's triage priority
(``services.priority``), and never refers anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from takedown.media.hashing import hash_file
from takedown.media.limits import MediaLimits
from takedown.media.signals import PdqSignal, SignalIndex, signal_type, signals_of
from takedown.services.banks import get_bank
from takedown.services.priority import refresh_priority
from takedown.store import audit
from takedown.store.banks import Bank, BankEntry, Match, value_digest
from takedown.store.models import Evidence, Signal

INDEXED = ("pdq", "vpdq")
_CACHE: dict[tuple[str, int, str], tuple[int, dict[str, SignalIndex]]] = {}


@dataclass
class Hit:
    bank: Bank
    entry_id: int
    signal_type: str
    distance: int
    query: int  # which of the file's signals matched (index into the signal list)
    extra: dict[str, Any] = field(default_factory=dict)
    suppressed: bool = False


def _indexes(session: Session, bank: Bank) -> dict[str, SignalIndex]:
    # created_at too: a recreated database may hand out the same bank id again
    key = (str(session.get_bind().engine.url), bank.id, str(bank.created_at))
    cached = _CACHE.get(key)
    if cached and cached[0] == bank.version:
        return cached[1]
    built: dict[str, SignalIndex] = {}
    for kind in INDEXED:
        rows = session.execute(
            select(BankEntry.id, BankEntry.value).where(
                BankEntry.bank_id == bank.id, BankEntry.signal_type == kind
            )
        ).all()
        if rows:
            index = signal_type(kind).index()
            index.add([v for _, v in rows], [i for i, _ in rows])
            built[kind] = index
    _CACHE[key] = (bank.version, built)
    return built


def match_result(session: Session, result: dict[str, Any], banks: list[Bank]) -> list[Hit]:
    """Hits of one ``hash_file`` result in these banks, negatives applied."""
    signals = list(signals_of(result))
    hits: list[Hit] = []
    for bank in banks:
        threshold = bank.threshold if bank.threshold is not None else PdqSignal.threshold
        indexes = _indexes(session, bank)
        for qi, (kind, value, quality) in enumerate(signals):
            if kind in ("sha256", "md5"):
                hits += _exact(session, bank, kind, value, qi)
            elif kind == "pdq" and "pdq" in indexes and (quality or 0) >= PdqSignal.min_quality:
                variants = result.get("dihedral") if bank.dihedral else None
                queries = variants or {"original": value}
                names = list(queries)
                found: dict[int, tuple[int, str]] = {}
                for name, matches in zip(
                    names, indexes["pdq"].query([queries[n] for n in names], threshold), strict=True
                ):
                    for entry_id, dist in matches:
                        if entry_id not in found or dist < found[entry_id][0]:
                            found[entry_id] = (dist, name)
                for entry_id, (dist, name) in found.items():
                    extra = {"variant": name} if name != "original" else {}
                    hits.append(Hit(bank, entry_id, "pdq", dist, qi, extra))
            elif kind == "vpdq":
                if "vpdq" in indexes:
                    for entry_id, dist in indexes["vpdq"].query([value], threshold)[0]:
                        hits.append(Hit(bank, entry_id, "vpdq", dist, qi))
                if "pdq" in indexes:
                    hits += _frames(indexes["pdq"], bank, result, threshold, qi)
    if any(h.bank.negative for h in hits):
        for h in hits:
            h.suppressed = not h.bank.negative
    return hits


def _exact(session: Session, bank: Bank, kind: str, value: str, qi: int) -> list[Hit]:
    ids = session.scalars(
        select(BankEntry.id).where(
            BankEntry.bank_id == bank.id,
            BankEntry.signal_type == kind,
            BankEntry.digest == value_digest(value),
        )
    ).all()
    return [Hit(bank, i, kind, 0, qi) for i in ids]


def _frames(
    index: SignalIndex, bank: Bank, result: dict[str, Any], threshold: int, qi: int
) -> list[Hit]:
    """Video frames against a PDQ bank: the nearest frame per entry."""
    frames = [f for f in result.get("frames", []) if f["quality"] >= PdqSignal.min_quality]
    best: dict[int, tuple[int, dict[str, Any]]] = {}
    for frame, matches in zip(
        frames, index.query([f["pdq"] for f in frames], threshold), strict=True
    ):
        for entry_id, dist in matches:
            if entry_id not in best or dist < best[entry_id][0]:
                best[entry_id] = (dist, {"frame": frame["frame"], "t": frame["t"]})
    return [Hit(bank, e, "pdq", d, qi, x) for e, (d, x) in best.items()]


def enabled_banks(session: Session, names: list[str] | None = None) -> list[Bank]:
    if names:
        return [get_bank(session, n) for n in names]
    return list(session.scalars(select(Bank).where(Bank.enabled.is_(True)).order_by(Bank.name)))


def describe_hits(session: Session, hits: list[Hit]) -> list[dict[str, Any]]:
    labels: dict[int, dict[str, Any]] = {}
    if hits:
        rows = session.execute(
            select(BankEntry.id, BankEntry.labels).where(
                BankEntry.id.in_({h.entry_id for h in hits})
            )
        ).all()
        labels = {entry_id: value for entry_id, value in rows}
    out = []
    for h in sorted(hits, key=lambda h: (h.suppressed, h.distance, h.bank.name)):
        row = {
            "bank": h.bank.name,
            "negative": h.bank.negative,
            "signal_type": h.signal_type,
            "distance": h.distance,
            "labels": labels.get(h.entry_id) or {},
            "entry_id": h.entry_id,
        }
        out.append(row | h.extra | ({"suppressed": True} if h.suppressed else {}))
    return out


def item_match_summary(session: Session, item_id: int) -> dict[str, Any]:
    """What triage needs to rank an item: its counted matches (not suppressed, not in a
    negative bank), the nearest distance, and the banks and entities hit."""
    rows = session.execute(
        select(Match.distance, Bank.name, BankEntry.labels)
        .join(Bank, Bank.id == Match.bank_id)
        .join(BankEntry, BankEntry.id == Match.bank_entry_id)
        .where(Match.item_id == item_id, Match.suppressed.is_(False), Bank.negative.is_(False))
    ).all()
    entities = sorted(
        {str(labels["entity"]) for _, _, labels in rows if (labels or {}).get("entity")}
    )
    return {
        "matches": len(rows),
        "best_distance": min((d for d, _, _ in rows), default=None),
        "banks": sorted({name for _, name, _ in rows}),
        "entities": entities,
    }


def match_evidence(
    session: Session,
    evidence_id: int,
    path: Path,
    *,
    actor: str,
    limits: MediaLimits | None = None,
) -> list[Match]:
    """Hash an evidence file, store its signals, match them against the enabled banks and
    store the matches. Raises nothing for bad media: the failure is audited."""
    evidence = session.get(Evidence, evidence_id)
    if evidence is None:
        raise ValueError(f"no evidence with id {evidence_id}")
    banks = enabled_banks(session)
    result = hash_file(path, limits, dihedral=any(b.dihedral for b in banks))
    stored = _store_signals(session, evidence, result)
    hits = match_result(session, result, banks) if result.get("ok") else []
    matches = [
        Match(
            item_id=evidence.item_id,
            evidence_id=evidence.id,
            signal_id=stored[h.query].id if h.query < len(stored) else None,
            bank_id=h.bank.id,
            bank_entry_id=h.entry_id,
            signal_type=h.signal_type,
            distance=h.distance,
            suppressed=h.suppressed,
            extra=h.extra,
        )
        for h in hits
    ]
    session.add_all(matches)
    session.flush()
    if matches:
        refresh_priority(session, [evidence.item_id])  # a counted match raises its band
    audit.record(
        session,
        actor=actor,
        action="evidence.match",
        object_type="evidence",
        object_id=evidence.id,
        change={
            "ok": bool(result.get("ok")),
            "error": result.get("error"),
            "signals": [(s.signal_type, s.id) for s in stored],
            "matches": [
                (m.id, m.bank_id, m.bank_entry_id, m.distance, m.suppressed) for m in matches
            ],
        },
    )
    return matches


def _store_signals(session: Session, evidence: Evidence, result: dict[str, Any]) -> list[Signal]:
    stored = []
    for kind, value, quality in signals_of(result):
        extra: dict[str, Any] = {"media": result.get("media")}
        if kind == "pdq" and "dihedral" in result:
            extra["dihedral"] = result["dihedral"]
        if kind == "vpdq":
            extra["frames"] = len(result.get("frames", []))
            extra["truncated"] = bool(result.get("truncated"))
        signal = Signal(
            item_id=evidence.item_id,
            evidence_id=evidence.id,
            signal_type=kind,
            value=value,
            quality=quality,
            extra=extra,
        )
        session.add(signal)
        stored.append(signal)
    session.flush()
    return stored
