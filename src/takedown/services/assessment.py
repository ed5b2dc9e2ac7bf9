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

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

from sqlalchemy import String, select, tuple_, type_coerce, union_all
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
from takedown.services.priority import priority_factors, refresh_source
from takedown.services.units import Principal
from takedown.store import audit
from takedown.store.assessment import Assessment, Watch
from takedown.store.banks import Bank, BankEntry, Match
from takedown.store.models import Item, Operation, utcnow

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


QUEUE_PAGE_MAX = 500  # the most entries one page of the triage queue holds


@dataclass(frozen=True)
class QueueEntry:
    item: Item
    priority: int  # the stored band (takedown.domain.priority)
    units: int
    matches: int
    watched: bool
    last_reported_at: datetime
    suggestion: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        from takedown.services.items import item_summary

        return {
            **item_summary(self.item),
            "priority": self.priority,
            "reporting_units": self.units,
            "known_content_matches": self.matches,
            "watched_source": self.watched,
            "last_reported_at": self.last_reported_at,
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True)
class QueuePage(Sequence[QueueEntry]):
    """One page of the triage queue: its entries, in order, and the cursor of the page after
    it (None when this is the last)."""

    entries: list[QueueEntry]
    next: str | None = None

    @overload
    def __getitem__(self, index: int) -> QueueEntry: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[QueueEntry]: ...
    def __getitem__(self, index: int | slice) -> QueueEntry | Sequence[QueueEntry]:
        return self.entries[index]

    def __len__(self) -> int:
        return len(self.entries)


def triage_queue(
    session: Session,
    who: Principal,
    operation: Operation,
    *,
    limit: int = 50,
    cursor: str | None = None,
    offset: int = 0,
    taxonomy: dict[str, Any] | None = None,
) -> QueuePage:
    """A page of the items awaiting assessment, most urgent first, each with the factors of
    its priority and its bank-match suggestion.

    The order is stored, so it pages and is indexed (``ix_items_queue_order``): the priority
    band, highest first (``takedown.domain.priority``: 10 per known-content match, up to 3;
    8 if a watched source published it; 3 per reporting unit, up to 10; no decay with time),
    then the most recently reported, then the newest item. ``cursor`` is the ``next`` of the
    page before. Two queries, whatever the size of the queue: the page with its factors, and
    the suggestions of its matched items. ``offset`` (the way of paging before cursors) skips
    that many entries after the cursor's position, reading them to skip them.
    """
    authorize(who, "items.read")
    size = max(1, min(limit, QUEUE_PAGE_MAX))
    skip = max(0, min(offset, 2**62))  # past any queue, and LIMIT skip + size stays in int64
    last = _sortable(session)
    after = _read_cursor(session, cursor) if cursor is not None else None
    branches = []
    for state in QUEUE_STATES:  # one index range each, read backwards, then merged
        query = select(
            Item.id.label("id"), Item.priority_band.label("band"), last.label("sort_last")
        ).where(Item.operation_id == operation.id, Item.state == state)
        if after is not None:
            query = query.where(tuple_(Item.priority_band, last, Item.id) < after)
        query = query.order_by(Item.priority_band.desc(), last.desc(), Item.id.desc())
        branches.append(select(query.limit(skip + size + 1).subquery()))
    queued = union_all(*branches).subquery("queued")
    order = (queued.c.band.desc(), queued.c.sort_last.desc(), queued.c.id.desc())
    top = select(queued).order_by(*order).offset(skip).limit(size + 1).subquery("top")
    rows = session.execute(
        select(Item, top.c.band, top.c.sort_last, *priority_factors(session))
        .join(top, top.c.id == Item.id)
        .order_by(top.c.band.desc(), top.c.sort_last.desc(), top.c.id.desc())
    ).all()
    page = rows[:size]
    matched = [row.Item.id for row in page if row.matches]
    found = _suggestions(session, matched, taxonomy or load_taxonomy(None)) if matched else {}
    entries = [
        QueueEntry(
            item=row.Item,
            priority=int(row.band),
            units=int(row.units),
            matches=int(row.matches),
            watched=bool(row.watched),
            last_reported_at=row.last or row.Item.created_at,
            suggestion=found.get(row.Item.id, {}).get("suggestion"),
        )
        for row in page
    ]
    tail = page[-1] if len(rows) > size else None
    nxt = _write_cursor(tail.band, tail.sort_last, tail.Item.id) if tail is not None else None
    return QueuePage(entries, nxt)


def _sortable(session: Session) -> Any:
    """``last_reported_at`` as the queue compares it: on SQLite the stored text itself, so a
    cursor carries exactly the value the index holds (whatever its spelling)."""
    if session.get_bind().dialect.name == "sqlite":
        return type_coerce(Item.last_reported_at, String)
    return Item.last_reported_at


def _write_cursor(band: int, last: str | datetime, item_id: int) -> str:
    value = last if isinstance(last, str) else last.isoformat()
    raw = json.dumps([int(band), value, int(item_id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _read_cursor(session: Session, cursor: str) -> tuple[int, str | datetime, int]:
    refused = UserError(
        f"cursor {cursor[:40]!r} is not a cursor of the triage queue: pass the `next` of the "
        "page before, or no cursor for the first page"
    )
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        band, value, item_id = json.loads(raw)
        if type(band) is not int or type(item_id) is not int or not isinstance(value, str):
            raise refused
        last: str | datetime = value
        if session.get_bind().dialect.name != "sqlite":
            last = datetime.fromisoformat(value)
            if last.tzinfo is None:
                raise refused
    except (ValueError, TypeError):  # bad base64, JSON, shape or date-time
        raise refused from None
    return band, last, item_id


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
    refresh_source(session, operation.id, key)  # its items rise in the queue
    return watch
