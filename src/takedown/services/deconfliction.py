"""Deconfliction: holds keep content online while another unit investigates it.

A hold targets a content key, an account or channel key (covering everything under it), or a
signal (a hash of evidence). An item matching an active hold is never referred or ordered;
its state becomes ``held`` and the holder is notified, once per hold and item.

Need-to-know: another unit learns of a hold only where it blocks an item that unit reported
or is trying to refer, and then only as "held" with the holder's contact; never the reason,
the target or the expiry. ``list_holds`` gives a unit its own holds (oversight auditors see
all). Holds expire, and only the holder (the person who placed it) or an admin of the
holding unit releases one.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from takedown import urls
from takedown.errors import Forbidden, NotFound, UserError
from takedown.services.access import authorize
from takedown.services.items import change_state, lock_items
from takedown.services.units import Principal
from takedown.store import audit
from takedown.store.deconfliction import Hold, Notification
from takedown.store.models import Item, Report, Signal, Unit, utcnow

_SIGNAL = re.compile(r"^(sha256|md5|pdq):([0-9a-fA-F]+)$")
_KEY = re.compile(r"^[a-z0-9_]+:(account|post|invite|collection|file|page|site):\S+$")
HOLDABLE = ("ready",)  # earlier items are stopped when they become ready


def resolve_target(target: str) -> tuple[str, str]:
    """A URL, a key or ``type:hash`` → (target_type, normalised target)."""
    text = target.strip()
    if not text:
        raise UserError("hold target is empty: give a URL, a key or a signal like sha256:…")
    if m := _SIGNAL.match(text):
        kind, value = m.group(1), m.group(2).lower()
        want = {"sha256": 64, "md5": 32, "pdq": 64}[kind]
        if len(value) != want:
            raise UserError(f"{kind} hold needs {want} hex digits, got {len(value)}")
        return "signal", f"{kind}:{value}"
    if _KEY.match(text):
        kind = text.split(":", 2)[1]
        return ("account" if kind in ("account", "site") else "key"), text
    try:
        ref = urls.parse(text)
    except urls.UrlError as exc:
        raise UserError(f"hold target {text[:200]!r}: {exc}") from None
    return ("account" if ref.kind in ("account", "site") else "key"), ref.key


def _aware(when: datetime, name: str = "hold expiry") -> datetime:
    """``when`` in UTC (a time without a zone is read as UTC); a time whose UTC falls outside
    the calendar (``9999-12-31T23:59:59-14:00``) is refused, naming ``name``."""
    try:
        return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    except OverflowError:
        raise UserError(
            f"{name} {when.isoformat()} is outside the calendar once converted to UTC"
        ) from None


def place_hold(
    session: Session, who: Principal, target: str, *, reason: str, until: datetime
) -> Hold:
    authorize(who, "holds.place")
    if not reason or not reason.strip():
        raise UserError("a hold needs a reason (only your unit will ever see it)")
    until = _aware(until)
    if until <= utcnow():
        raise UserError(f"hold expiry {until.isoformat()} is in the past")
    target_type, value = resolve_target(target)
    hold = Hold(
        unit_id=who.unit_id,
        placed_by=who.identity,
        target_type=target_type,
        target=value,
        reason=reason.strip(),
        until=until,
    )
    # the items it covers, taken before anything is written (services.items.lock_items)
    covered = lock_items(session, [i.id for i in _items_matching(session, hold)])
    session.add(hold)
    session.flush()
    audit.record(
        session,
        actor=who.actor,
        action="hold.place",
        object_type="hold",
        object_id=hold.id,
        change={"target_type": target_type, "target": value, "until": until},
    )
    for item in covered.values():
        if item.state in HOLDABLE and item.state != "held":
            change_state(session, item, "held", actor=who.actor, why="hold", hold_id=hold.id)
    return hold


def _items_matching(session: Session, hold: Hold) -> list[Item]:
    if hold.target_type == "signal":
        kind, value = hold.target.split(":", 1)
        ids = select(Signal.item_id).where(Signal.signal_type == kind, Signal.value == value)
        return list(session.scalars(select(Item).where(Item.id.in_(ids))))
    found = list(session.scalars(select(Item).where(Item.key == hold.target)))
    if hold.target_type == "account":
        # parents is a JSON list of keys; match its serialised form (exact key, quoted)
        quoted = f'"{hold.target}"'
        found += list(
            session.scalars(
                select(Item).where(cast(Item.parents, String).contains(quoted, autoescape=True))
            )
        )
    return found


def active_holds(session: Session, item: Item, now: datetime | None = None) -> list[Hold]:
    """Unreleased, unexpired holds on the item's key, its parents or its signals."""
    now = now or utcnow()
    targets = [item.key, *item.parents]
    signals = session.execute(
        select(Signal.signal_type, Signal.value).where(Signal.item_id == item.id)
    ).all()
    targets += [f"{t}:{v}" for t, v in signals if t in ("sha256", "md5", "pdq")]
    return list(
        session.scalars(
            select(Hold).where(
                Hold.target.in_(targets), Hold.released_at.is_(None), Hold.until > now
            )
        )
    )


def hold_blocks(session: Session, item: Item, *, actor: str) -> list[Hold]:
    """If holds cover the item, mark it held and notify each holder; returns the holds."""
    holds = active_holds(session, item)
    if not holds:
        return []
    if item.state != "held":
        change_state(session, item, "held", actor=actor, why="hold", hold_id=holds[0].id)
    for hold in holds:
        notify(
            session,
            hold.unit_id,
            "hold_blocked",
            {"hold_id": hold.id, "item_id": item.id, "key": item.key, "by": actor},
            once=f"hold_blocked:{hold.id}:{item.id}",
        )
    return holds


def release_hold(session: Session, who: Principal, hold_id: int, *, why: str = "released") -> Hold:
    authorize(who, "holds.release")
    hold = session.get(Hold, hold_id)
    if hold is None:
        raise NotFound(f"no hold with id {hold_id}")
    is_holder = hold.unit_id == who.unit_id and hold.placed_by == who.identity
    is_unit_admin = hold.unit_id == who.unit_id and who.role == "admin"
    if not (is_holder or is_unit_admin):
        raise Forbidden("only the holder, or an admin of the holding unit, releases a hold")
    if hold.released_at is None:
        _release(session, hold, who.actor, why)
    return hold


def _release(session: Session, hold: Hold, actor: str, why: str) -> None:
    covered = lock_items(session, [i.id for i in _items_matching(session, hold)])
    hold.released_at = utcnow()
    hold.released_by = actor
    audit.record(
        session,
        actor=actor,
        action="hold.release",
        object_type="hold",
        object_id=hold.id,
        change={"why": why},
    )
    for item in covered.values():
        if item.state == "held" and not active_holds(session, item):
            back = "ready" if _positively_assessed(session, item) else "triaged"
            change_state(session, item, back, actor=actor, why=f"hold {why}", hold_id=hold.id)


def _positively_assessed(session: Session, item: Item) -> bool:
    from takedown.store.assessment import Assessment

    return (
        session.scalar(
            select(Assessment.id).where(
                Assessment.item_id == item.id,
                Assessment.status == "final",
                Assessment.verdict == "terrorist_content",
            )
        )
        is not None
    )


def expire_holds(session: Session, now: datetime | None = None) -> int:
    """Release every hold past its expiry (a periodic job); returns how many."""
    now = now or utcnow()
    expired = list(
        session.scalars(select(Hold).where(Hold.released_at.is_(None), Hold.until <= now))
    )
    for hold in expired:
        _release(session, hold, "system:expiry", "expired")
    return len(expired)


NO_CONTACT = "no contact was given"


def holder_contact(unit: Unit | None) -> str | None:
    """How another unit reaches a holder: its contact, or its name and a note that none was given."""
    if unit is None:
        return None
    return unit.contact or f"{unit.name} ({NO_CONTACT})"


def _sees_all(who: Principal) -> bool:
    return who.role == "auditor" and who.unit_kind == "oversight"


def hold_view(session: Session, hold: Hold, who: Principal) -> dict[str, Any]:
    """Holders (and auditors) see everything; other units see only "held" and a contact."""
    unit = session.get(Unit, hold.unit_id)
    active = hold.released_at is None and hold.until > utcnow()
    base: dict[str, Any] = {
        "hold_id": hold.id,
        "status": "held" if active else "released",
        "holder": unit.name if unit else None,
        "contact": holder_contact(unit),
    }
    if hold.unit_id == who.unit_id or _sees_all(who):
        base |= {
            "target": hold.target,
            "target_type": hold.target_type,
            "reason": hold.reason,
            "until": hold.until,
            "placed_by": hold.placed_by,
            "released_at": hold.released_at,
        }
    return base


def holds_shown_on_item(session: Session, item: Item, who: Principal) -> list[Hold]:
    """The active holds on ``item`` that ``who`` may learn of (need-to-know).

    A unit's own holds, and all of them for oversight auditors; another unit's hold only when
    the caller's unit reported the item (a referral it tries is told by ``refer_ready``).
    """
    holds = active_holds(session, item)
    if not holds or _sees_all(who):
        return holds
    reported = (
        session.scalar(
            select(Report.id).where(Report.item_id == item.id, Report.unit_id == who.unit_id)
        )
        is not None
    )
    return [h for h in holds if h.unit_id == who.unit_id or reported]


def list_holds(session: Session, who: Principal, *, active_only: bool = True) -> list[Hold]:
    """The caller's unit's own holds (every unit's for oversight auditors)."""
    authorize(who, "holds.read")
    query = select(Hold).order_by(Hold.id)
    if not _sees_all(who):
        query = query.where(Hold.unit_id == who.unit_id)
    if active_only:
        query = query.where(Hold.released_at.is_(None), Hold.until > utcnow())
    return list(session.scalars(query))


def notify(
    session: Session,
    unit_id: int,
    kind: str,
    payload: dict[str, Any],
    *,
    once: str | None = None,
) -> Notification:
    """Tell a unit something; with ``once``, a notice with that key is created only once."""
    if once is not None:
        earlier = session.scalar(
            select(Notification).where(Notification.unit_id == unit_id, Notification.once == once)
        )
        if earlier is not None:
            return earlier
    note = Notification(unit_id=unit_id, kind=kind, payload=payload, once=once)
    session.add(note)
    session.flush()
    audit.record(
        session,
        actor="system",
        action="notification.create",
        object_type="notification",
        object_id=note.id,
        change={"unit_id": unit_id, "kind": kind},
    )
    return note


def notifications_for(
    session: Session, who: Principal, *, unread: bool = False
) -> list[Notification]:
    query = select(Notification).where(Notification.unit_id == who.unit_id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.id)))
