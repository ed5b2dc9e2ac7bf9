"""Assessment: the triage queue, human verdicts, four-eyes confirmation, and suggestions.

A *suggestion* is what a known-content bank match says about an item (the matched entry's
entity, tier, behaviour and source, the bank and the distance). It is derived on read from
the stored matches, shown to the analyst beside the item, and never stored as an assessment:
only ``assess_item`` records a decision, and only a person calls it.

A new assessment supersedes the item's earlier ones, so one is in force (``final`` or
``pending_confirmation``) at any time; assessments and confirmations of one item take turns
(``items.lock_items``), so this holds however many assessors submit at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from takedown.domain.assessment import (
    SUGGESTION_NOTE,
    SUGGESTION_SOURCE,
    Verdict,
    load_taxonomy,
    normalise_grounds,
    suggested_labels,
)
from takedown.errors import Conflict, Forbidden, NotFound, UserError, unique_violation
from takedown.services.access import authorize
from takedown.services.deconfliction import hold_blocks
from takedown.services.items import change_state, get_item, lock_item
from takedown.services.units import Principal
from takedown.store import audit
from takedown.store.assessment import Assessment, Watch
from takedown.store.banks import Bank, BankEntry, Match
from takedown.store.models import Item, Operation, Report, utcnow

ASSESSABLE = {"new", "triaged", "assessed_positive", "assessed_negative", "exempt", "reappeared"}
QUEUE_STATES = ("new", "triaged", "reappeared")


def assess_item(
    session: Session,
    who: Principal,
    item_id: int,
    *,
    verdict: str,
    legal_grounds: list[str] | str | None = None,
    labels: dict[str, Any] | None = None,
    reasons: str | None = None,
    taxonomy: dict[str, Any] | None = None,
) -> Assessment:
    authorize(who, "items.assess")
    item = lock_item(session, item_id)
    if item.state not in ASSESSABLE:
        raise UserError(f"item {item.id} is {item.state}; it can no longer be assessed")
    try:
        decided = Verdict(verdict)
    except ValueError:
        allowed = ", ".join(v.value for v in Verdict)
        raise UserError(f"unknown verdict {verdict!r}; use one of: {allowed}") from None
    try:
        grounds = normalise_grounds(legal_grounds)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if decided is Verdict.TERRORIST_CONTENT and not grounds:
        raise UserError("terrorist_content needs at least one legal ground (Art. 2(7) a–e)")
    clean_labels = _check_labels(labels or {}, taxonomy or load_taxonomy(None))
    op = session.get(Operation, item.operation_id)
    assert op is not None
    pending = decided is Verdict.TERRORIST_CONTENT and op.four_eyes
    for old in session.scalars(
        select(Assessment).where(Assessment.item_id == item.id, Assessment.status != "superseded")
    ):
        old.status = "superseded"
    assessment = Assessment(
        item_id=item.id,
        unit_id=who.unit_id,
        assessor=who.identity,
        verdict=decided.value,
        legal_grounds=grounds,
        labels=clean_labels,
        reasons=(reasons or "").strip() or None,
        status="pending_confirmation" if pending else "final",
    )
    session.add(assessment)
    session.flush()
    audit.record(
        session,
        actor=who.actor,
        action="item.assess",
        object_type="item",
        object_id=item.id,
        change={
            "assessment_id": assessment.id,
            "verdict": decided.value,
            "grounds": grounds,
            "labels": clean_labels,
            "status": assessment.status,
        },
    )
    target = {
        Verdict.TERRORIST_CONTENT: "assessed_positive",
        Verdict.NOT_TERRORIST_CONTENT: "assessed_negative",
        Verdict.EXEMPT: "exempt",
    }[decided]
    if item.state == "reappeared" and target != "assessed_positive":
        target = "triaged"  # a reappearance judged harmless goes back to the queue's end state
    change_state(session, item, target, actor=who.actor, why="assessment")
    if decided is Verdict.TERRORIST_CONTENT and not pending:
        make_ready(session, item, actor=who.actor)
    return assessment


def confirm_assessment(session: Session, who: Principal, assessment_id: int) -> Assessment:
    """Four-eyes: a different senior assessor confirms a positive assessment."""
    authorize(who, "assessments.confirm")
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFound(f"no assessment with id {assessment_id}")
    item = lock_item(session, assessment.item_id)
    session.refresh(assessment)  # as it is now that the item is ours
    if assessment.status != "pending_confirmation":
        raise UserError(
            f"assessment {assessment_id} is {assessment.status}, not awaiting confirmation"
        )
    if assessment.assessor == who.identity:
        raise Forbidden("four-eyes: the confirming senior assessor must be a different person")
    assessment.status = "final"
    assessment.confirmed_by = who.identity
    assessment.confirmed_at = utcnow()
    audit.record(
        session,
        actor=who.actor,
        action="assessment.confirm",
        object_type="assessment",
        object_id=assessment.id,
        change={"item_id": assessment.item_id},
    )
    if item.state == "assessed_positive":
        make_ready(session, item, actor=who.actor)
    return assessment


def make_ready(session: Session, item: Item, *, actor: str) -> None:
    """A positively assessed item becomes ready, unless a hold covers it."""
    if hold_blocks(session, item, actor=actor):
        return
    change_state(session, item, "ready", actor=actor, why="assessed")


def _check_labels(labels: dict[str, Any], taxonomy: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in labels.items():
        if key in ("group", "entity"):
            if value not in taxonomy["groups"]:
                raise UserError(
                    f"group {value!r} is not in the taxonomy: {', '.join(taxonomy['groups'])}"
                )
            clean["group"] = value
        elif key == "tier":
            if value not in taxonomy["tiers"]:
                raise UserError(
                    f"tier {value!r} is not in the taxonomy: {', '.join(taxonomy['tiers'])}"
                )
            clean["tier"] = value
        elif key == "tags":
            if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
                raise UserError("tags must be a list of strings")
            clean["tags"] = sorted(set(value))
        else:
            raise UserError(f"unknown label {key!r}: use group, tier or tags")
    return clean


@dataclass(frozen=True)
class QueueEntry:
    item: Item
    priority: float
    units: int
    matches: int
    watched: bool
    last_reported_at: datetime
    suggestion: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        from takedown.services.items import item_summary

        return {
            **item_summary(self.item),
            "priority": round(self.priority, 2),
            "reporting_units": self.units,
            "known_content_matches": self.matches,
            "watched_source": self.watched,
            "last_reported_at": self.last_reported_at,
            "suggestion": self.suggestion,
        }


def triage_queue(
    session: Session,
    who: Principal,
    operation: Operation,
    *,
    limit: int = 50,
    offset: int = 0,
    taxonomy: dict[str, Any] | None = None,
) -> list[QueueEntry]:
    """Items awaiting assessment, highest priority first, each with its bank-match suggestion.

    Priority = 10 per known-content match (capped at 3) + 8 if a watched source published it
    + 3 per reporting unit + up to 5 for recency (falling over 48 hours). Ties: oldest first.
    """
    authorize(who, "items.read")
    stats = (
        select(
            Report.item_id,
            func.count(func.distinct(Report.unit_id)).label("units"),
            func.max(Report.reported_at).label("last"),
        )
        .join(Item, Item.id == Report.item_id)
        .where(Item.operation_id == operation.id, Item.state.in_(QUEUE_STATES))
        .group_by(Report.item_id)
        .subquery()
    )
    rows = session.execute(
        select(Item, stats.c.units, stats.c.last).join(stats, stats.c.item_id == Item.id)
    ).all()
    watched = set(session.scalars(select(Watch.key).where(Watch.operation_id == operation.id)))
    match_counts = _match_counts(session, [item.id for item, _, _ in rows])
    now = utcnow()
    entries = []
    for item, units, last in rows:
        last_at = last if last.tzinfo else last.replace(tzinfo=now.tzinfo)
        hours = max((now - last_at).total_seconds() / 3600, 0.0)
        is_watched = item.key in watched or any(p in watched for p in item.parents)
        matches = match_counts.get(item.id, 0)
        priority = 10 * min(matches, 3) + (8 if is_watched else 0) + 3 * units
        priority += 5 * max(0.0, 1 - hours / 48)
        entries.append(QueueEntry(item, priority, int(units), matches, is_watched, last_at))
    entries.sort(key=lambda e: (-e.priority, e.item.id))
    page = entries[offset : offset + limit]
    matched = [e.item.id for e in page if e.matches]
    found = _suggestions(session, matched, taxonomy or load_taxonomy(None))
    return [replace(e, suggestion=found.get(e.item.id, {}).get("suggestion")) for e in page]


def _match_counts(session: Session, item_ids: list[int]) -> dict[int, int]:
    """Known-content matches per item: neither suppressed nor in a negative bank."""
    if not item_ids:
        return {}
    rows = session.execute(
        select(Match.item_id, func.count())
        .join(Bank, Bank.id == Match.bank_id)
        .where(Match.item_id.in_(item_ids), Match.suppressed.is_(False), Bank.negative.is_(False))
        .group_by(Match.item_id)
    )
    return {int(i): int(n) for i, n in rows if i is not None}


def assessment_suggestion(
    session: Session, who: Principal, item_id: int, *, taxonomy: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the known-content banks say about an item, for the analyst who assesses it.

    Returns ``{"suggestion": {...} | None, "known_content": {...}}``. The suggestion comes
    from the nearest counted match (neither suppressed nor in a negative bank); a file that
    also hit a negative bank (a known false positive) suggests nothing. Nothing is written.
    """
    authorize(who, "items.read")
    item = get_item(session, item_id)
    return _suggestions(session, [item.id], taxonomy or load_taxonomy(None))[item.id]


def _suggestions(
    session: Session, item_ids: list[int], taxonomy: dict[str, Any]
) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {
        i: {"suggestion": None, "known_content": _known(0, 0, [])} for i in item_ids
    }
    if not item_ids:
        return out
    rows = session.execute(
        select(
            Match.item_id,
            Match.distance,
            Match.signal_type,
            Match.suppressed,
            Match.extra,
            Bank.name,
            Bank.negative,
            BankEntry.id,
            BankEntry.labels,
        )
        .join(Bank, Bank.id == Match.bank_id)
        .join(BankEntry, BankEntry.id == Match.bank_entry_id)
        .where(Match.item_id.in_(item_ids))
    ).all()
    by_item: dict[int, list[Any]] = {}
    for row in rows:
        by_item.setdefault(int(row[0]), []).append(row)
    for item_id, hits in by_item.items():
        counted = [h for h in hits if not h.suppressed and not h.negative]
        suppressed = sum(1 for h in hits if h.suppressed)
        negative_banks = sorted({h.name for h in hits if h.negative})
        out[item_id]["known_content"] = _known(len(counted), suppressed, negative_banks)
        if counted:
            out[item_id]["suggestion"] = _suggestion(counted, taxonomy)
    return out


def _known(matches: int, suppressed: int, negative_banks: list[str]) -> dict[str, Any]:
    return {
        "matches": matches,
        "suppressed": suppressed,
        "false_positive_banks": negative_banks,
    }


def _suggestion(counted: list[Any], taxonomy: dict[str, Any]) -> dict[str, Any]:
    best = min(counted, key=lambda h: (h.distance, h.name, h.id))
    labels: dict[str, Any] = dict(best.labels or {})
    basis: dict[str, Any] = {
        "bank": best.name,
        "entry_id": best.id,
        "signal_type": best.signal_type,
        "distance": best.distance,
        **{k: labels[k] for k in ("entity", "tier", "behaviour", "source", "tags") if k in labels},
        **{k: v for k, v in (best.extra or {}).items() if k in ("variant", "frame", "t")},
    }
    entities = {str(h.labels["entity"]) for h in counted if (h.labels or {}).get("entity")}
    return {
        "source": SUGGESTION_SOURCE,
        "note": SUGGESTION_NOTE,
        "verdict": Verdict.TERRORIST_CONTENT.value,
        "labels": suggested_labels(labels, taxonomy),
        "match": basis,
        "matches": len(counted),
        "banks": sorted({h.name for h in counted}),
        "entities": sorted(entities),
    }


def add_watch(
    session: Session, who: Principal, operation: Operation, target: str, note: str | None = None
) -> Watch:
    """Put a known source (account, channel or site) on the operation's watchlist."""
    from takedown.services.deconfliction import resolve_target

    authorize(who, "watchlist.edit")
    kind, key = resolve_target(target)
    if kind == "signal":
        raise UserError("the watchlist holds sources (accounts, channels, sites), not signals")
    existing = session.scalar(
        select(Watch).where(Watch.operation_id == operation.id, Watch.key == key)
    )
    if existing is not None:
        return existing
    watch = Watch(operation_id=operation.id, key=key, note=note)
    session.add(watch)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent request put it there first
        if unique_violation(exc) is None:
            raise
        raise Conflict(f"{key} was just put on the watchlist of {operation.name}") from None
    audit.record(
        session,
        actor=who.actor,
        action="watchlist.add",
        object_type="operation",
        object_id=operation.id,
        change={"key": key},
    )
    return watch
