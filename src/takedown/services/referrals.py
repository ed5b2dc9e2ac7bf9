"""Referrals and removal orders: sending ready items to the platforms that host them.

An item is referred or ordered at most once (a unique row per item). Items covered by a hold
are never sent: they become ``held`` and the holder is told (once per hold and item).

One register across operations: content (the same key) is not sent again while an earlier
referral or order for it, in any operation, is open, or while it is ``verified_removed``. The
later item stays ``ready`` and links to the earlier send (``earlier_sends``); an order may still
follow a declined or unanswered referral, and content seen back online may be sent again.

A platform that no platform unit answers for is refused, naming the platforms that are served,
unless the caller allows it (``allow_unserved``): that referral waits for email or a manual
export. Each referral or order is put in the outbox (``deliveries``) for every channel its
platform units configured; the pull API needs no delivery row, it is always there.

Sends are serialised per item (``items.lock_items``): of a referral and an order racing for one
ready item, the first takes it; an order may still follow (escalate) the referral, as it may one
at a time, but a referral never follows an order, and a second order is a 409 (``Conflict``).

A removal order's reference is takedown's (``DE-20261128-1a2b3c4d``); the issuing authority is
the issuing unit, never what a request says. A caller may add its own ``case_reference``, kept
beside it and unique per authority (a duplicate is a 409).

A referral closes once every item is settled: a final answer (removed, restricted, declined,
impossible), a check that proved it removed, or no answer within the answer window
(``TAKEDOWN_ANSWER_WINDOW_DAYS``), after which its unanswered items count as ``unanswered``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from takedown.domain.answers import FINAL
from takedown.domain.assessment import normalise_grounds
from takedown.domain.deadlines import Pause, PauseReason, removal_clock, scrutiny_windows
from takedown.errors import Conflict, Forbidden, NotFound, UserError, unique_violation
from takedown.services.access import authorize
from takedown.services.deconfliction import hold_blocks, notify
from takedown.services.items import change_state, lock_item, lock_items
from takedown.services.units import Principal
from takedown.store import audit
from takedown.store.models import Item, Operation, Unit, utcnow
from takedown.store.referrals import (
    Delivery,
    OrderPause,
    Referral,
    ReferralItem,
    RemovalOrder,
    Response,
)

ORDERABLE = {
    "assessed_positive",
    "ready",
    "referred",
    "acknowledged",
    "still_online",
    "declined",
    "reinstated",
}


def platform_units(session: Session, platform: str) -> list[Unit]:
    units = session.scalars(select(Unit).where(Unit.kind == "platform")).all()
    return [u for u in units if platform in (u.platforms or [])]


def served_platforms(session: Session) -> list[str]:
    """The platforms some platform unit answers for."""
    units = session.scalars(select(Unit).where(Unit.kind == "platform")).all()
    return sorted({p for u in units for p in (u.platforms or [])})


def _refuse_unserved(session: Session, platform: str, flag: str | None = None) -> None:
    served = served_platforms(session)
    names = ", ".join(served) if served else "none yet"
    message = f"no platform unit answers for {platform!r} (platforms served: {names}); "
    if flag is None:
        message += "create its platform unit first"
    else:
        message += (
            f"create its platform unit first, or say {flag} to send it anyway: "
            "it then waits for email or a manual export"
        )
    raise UserError(message)


@dataclass(frozen=True)
class EarlierSend:
    """A referral or order of the same content in another operation."""

    operation: str
    item_id: int
    item_state: str
    referral_id: int | None = None
    order_id: int | None = None
    status: str = "open"  # the referral's or order's status

    @property
    def blocks(self) -> bool:
        """Whether it stops sending the content again: open, or proved removed."""
        return self.status != "closed" or self.item_state == "verified_removed"

    def as_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "item_id": self.item_id,
            "item_state": self.item_state,
            "referral_id": self.referral_id,
            "order_id": self.order_id,
            "status": self.status,
            "blocks": self.blocks,
        }


def earlier_sends(session: Session, items: Iterable[Item]) -> dict[int, list[EarlierSend]]:
    """For each item, the referrals and orders of its key in other operations (the register).

    A fixed number of queries per 500 keys, whatever the number of operations.
    """
    wanted = {i.id: (i.key, i.operation_id) for i in items}
    keys = sorted({key for key, _ in wanted.values()})
    others: dict[int, tuple[str, int, str, str]] = {}  # item id -> key, op id, op name, state
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = session.execute(
            select(Item.id, Item.key, Item.operation_id, Operation.name, Item.state)
            .join(Operation, Operation.id == Item.operation_id)
            .where(Item.key.in_(chunk))
        )
        for item_id, key, op_id, op_name, state in rows:
            others[item_id] = (key, op_id, op_name, state)
    sends: dict[str, list[tuple[int, EarlierSend]]] = {}
    other_ids = sorted(others)
    for start in range(0, len(other_ids), 500):
        id_chunk = other_ids[start : start + 500]
        referred = session.execute(
            select(ReferralItem.item_id, Referral.id, Referral.status)
            .join(Referral, Referral.id == ReferralItem.referral_id)
            .where(ReferralItem.item_id.in_(id_chunk))
        )
        ordered = session.execute(
            select(RemovalOrder.item_id, RemovalOrder.id, RemovalOrder.status).where(
                RemovalOrder.item_id.in_(id_chunk)
            )
        )
        for item_id, ident, status in referred:
            key, op_id, op_name, state = others[item_id]
            send = EarlierSend(op_name, item_id, state, referral_id=ident, status=status)
            sends.setdefault(key, []).append((op_id, send))
        for item_id, ident, status in ordered:
            key, op_id, op_name, state = others[item_id]
            send = EarlierSend(op_name, item_id, state, order_id=ident, status=status)
            sends.setdefault(key, []).append((op_id, send))
    return {
        item_id: [s for op_id, s in sends.get(key, []) if op_id != operation_id]
        for item_id, (key, operation_id) in wanted.items()
    }


@dataclass
class ReferOutcome:
    """What a refer request did: the referral (None when nothing was sent) and why not."""

    platform: str
    referral: Referral | None = None
    items: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    sent_elsewhere: dict[int, list[EarlierSend]] = field(default_factory=dict)
    unserved: bool = False

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "referral_id": self.referral.id if self.referral else None,
            "platform": self.platform,
            "items": len(self.items),
            "held": self.held,
            "already_sent_elsewhere": {
                str(k): [s.as_dict() for s in v] for k, v in self.sent_elsewhere.items()
            },
        }
        if self.unserved:
            out["note"] = (
                f"no platform unit answers for {self.platform}: this referral waits for "
                "email or a manual export"
            )
        return out


def _enqueue(
    session: Session, subject_type: str, subject_id: int, platform: str, payload: dict[str, Any]
) -> list[Delivery]:
    out = []
    for unit in platform_units(session, platform):
        for channel, configured in (("webhook", unit.webhook_url), ("email", unit.email)):
            if not configured:
                continue
            delivery = Delivery(
                unit_id=unit.id,
                channel=channel,
                subject_type=subject_type,
                subject_id=subject_id,
                payload=payload,
                status="pending",
                next_attempt_at=utcnow(),
            )
            session.add(delivery)
            session.flush()
            out.append(delivery)
            session.info.setdefault("deliveries", []).append(delivery.id)
    return out


def refer_items(
    session: Session,
    who: Principal,
    operation: Operation,
    platform: str,
    *,
    allow_unserved: bool = False,
) -> Referral | None:
    """Refer every ready item of ``platform`` in the operation, in one referral.

    Returns None when nothing was sent (``refer_ready`` says why).
    """
    return refer_ready(session, who, operation, platform, allow_unserved=allow_unserved).referral


def refer_ready(
    session: Session,
    who: Principal,
    operation: Operation,
    platform: str,
    *,
    allow_unserved: bool = False,
) -> ReferOutcome:
    """Refer every ready item of ``platform`` in the operation, and say what was not sent."""
    authorize(who, "referrals.create")
    outcome = ReferOutcome(platform)
    if not platform_units(session, platform):
        if not allow_unserved:
            _refuse_unserved(session, platform, "--allow-unserved (API: allow_unserved)")
        outcome.unserved = True
    candidates = session.scalars(
        select(Item.id).where(
            Item.operation_id == operation.id,
            Item.platform == platform,
            Item.state.in_(("ready", "held")),
        )
    ).all()
    # Take the items, then read their states again: a concurrent send may have taken some.
    locked = lock_items(session, candidates)
    ready = [locked[i] for i in sorted(locked) if locked[i].state == "ready"]
    held = [locked[i] for i in sorted(locked) if locked[i].state == "held"]
    for item in held:  # tell each holder that a referral would have included its item
        hold_blocks(session, item, actor=who.actor)
        outcome.held.append(item.id)
    register = earlier_sends(session, ready)
    sendable: list[Item] = []
    for item in ready:
        if hold_blocks(session, item, actor=who.actor):
            outcome.held.append(item.id)
            continue
        already = session.scalar(select(ReferralItem.id).where(ReferralItem.item_id == item.id))
        ordered = session.scalar(select(RemovalOrder.id).where(RemovalOrder.item_id == item.id))
        if already or ordered:
            continue
        blocking = [s for s in register.get(item.id, []) if s.blocks]
        if blocking:
            outcome.sent_elsewhere[item.id] = blocking
            continue
        sendable.append(item)
    if not sendable:
        return outcome
    referral = Referral(
        operation_id=operation.id,
        unit_id=who.unit_id,
        created_by=who.identity,
        platform=platform,
        status="open",
    )
    session.add(referral)
    session.flush()
    for item in sendable:
        session.add(ReferralItem(referral_id=referral.id, item_id=item.id))
    session.flush()
    audit.record(
        session,
        actor=who.actor,
        action="referral.create",
        object_type="referral",
        object_id=referral.id,
        change={
            "platform": platform,
            "operation": operation.name,
            "items": [i.id for i in sendable],
            "unserved": outcome.unserved,
        },
    )
    for item in sendable:
        change_state(
            session, item, "referred", actor=who.actor, why="referral", referral_id=referral.id
        )
    _enqueue(
        session,
        "referral",
        referral.id,
        platform,
        {
            "type": "referral",
            "referral_id": referral.id,
            "platform": platform,
            "items": [_item_payload(i) for i in sendable],
        },
    )
    outcome.referral = referral
    outcome.items = [i.id for i in sendable]
    return outcome


def lock_referrals(session: Session, referral_ids: Iterable[int]) -> None:
    """Take every item of these referrals (``items.lock_items``): whoever writes a referral
    (acknowledges, answers or closes it) holds all its items first."""
    ids = sorted(set(referral_ids))
    item_ids: list[int] = []
    for start in range(0, len(ids), 500):
        item_ids += session.scalars(
            select(ReferralItem.item_id).where(
                ReferralItem.referral_id.in_(ids[start : start + 500])
            )
        ).all()
    lock_items(session, item_ids)


def settle_referral(
    session: Session,
    referral: Referral,
    *,
    actor: str,
    now: datetime | None = None,
    window: timedelta | None = None,
) -> bool:
    """Close the referral if every item is settled; returns whether it closed now.

    An item is settled by a final answer (its latest answer in this referral), by a check that
    proved it removed, or, given ``window``, by the referral being older than the window.
    """
    if referral.status == "closed":
        return False
    now = now or utcnow()
    states = dict(
        session.execute(
            select(Item.id, Item.state)
            .join(ReferralItem, ReferralItem.item_id == Item.id)
            .where(ReferralItem.referral_id == referral.id)
        ).all()
    )
    latest: dict[int, str] = {}
    for item_id, action in session.execute(
        select(Response.item_id, Response.action)
        .where(Response.referral_id == referral.id)
        .order_by(Response.id)
    ):
        latest[item_id] = action
    open_items = [
        i
        for i, state in states.items()
        if state != "verified_removed" and latest.get(i) not in FINAL
    ]
    expired = window is not None and referral.created_at + window <= now
    if open_items and not expired:
        return False
    referral.status = "closed"
    referral.closed_at = now
    audit.record(
        session,
        actor=actor,
        action="referral.close",
        object_type="referral",
        object_id=referral.id,
        change={"unanswered": sorted(open_items), "window_passed": bool(open_items)},
    )
    return True


def settle_referrals_of(session: Session, item: Item, *, actor: str) -> None:
    """Close the open referrals of ``item`` that are now settled (after a check or answer)."""
    for referral in session.scalars(
        select(Referral)
        .join(ReferralItem, ReferralItem.referral_id == Referral.id)
        .where(ReferralItem.item_id == item.id, Referral.status != "closed")
    ):
        settle_referral(session, referral, actor=actor)


def close_unanswered_referrals(
    session: Session, window: timedelta, now: datetime | None = None
) -> list[Referral]:
    """Close every open referral older than the answer window (a periodic job)."""
    now = now or utcnow()
    closed = []
    expired = session.scalars(
        select(Referral.id).where(Referral.status != "closed", Referral.created_at <= now - window)
    ).all()
    lock_referrals(session, expired)
    for referral in session.scalars(
        select(Referral)
        .where(Referral.id.in_(expired))
        .order_by(Referral.id)
        .execution_options(populate_existing=True)
    ):
        if settle_referral(session, referral, actor="system:answer-window", now=now, window=window):
            closed.append(referral)
    return closed


def describe_send(send: EarlierSend) -> str:
    """ "already referred in operation X (referral 3, open)", as a person reads it."""
    what = f"referral {send.referral_id}" if send.referral_id else f"removal order {send.order_id}"
    verb = "referred" if send.referral_id else "ordered"
    state = "verified removed" if send.item_state == "verified_removed" else send.status
    return f"already {verb} in operation {send.operation!r} ({what}, {state})"


def _item_payload(item: Item) -> dict[str, Any]:
    return {
        "item_id": item.id,
        "url": item.url,
        "canonical_url": item.canonical_url,
        "key": item.key,
        "kind": item.kind,
    }


def issue_removal_order(
    session: Session,
    who: Principal,
    item_id: int,
    *,
    grounds: list[str] | str,
    reasons: str,
    redress: str,
    case_reference: str | None = None,
    addressee_contact: str | None = None,
    non_disclosure: bool = False,
    host_member_state: str | None = None,
) -> RemovalOrder:
    """A removal order (Reg. 2021/784 Art. 3) with its Annex I fields; 1 hour from receipt.

    The issuing authority is the caller's unit and the reference is takedown's own;
    ``case_reference`` is the authority's own reference, unique per authority."""
    authorize(who, "orders.issue")
    if not who.competent_authority or not who.member_state:
        raise Forbidden("only a senior assessor of a competent authority issues removal orders")
    case_reference = _case_reference(case_reference)
    item = lock_item(session, item_id)
    if session.scalar(select(RemovalOrder.id).where(RemovalOrder.item_id == item.id)):
        raise Conflict(f"item {item.id} already has a removal order")
    if case_reference is not None:
        earlier = session.scalar(
            select(RemovalOrder.reference).where(
                RemovalOrder.unit_id == who.unit_id,
                RemovalOrder.case_reference == case_reference,
            )
        )
        if earlier is not None:
            raise _case_reference_used(who, case_reference, earlier)
    if item.state == "held" or hold_blocks(session, item, actor=who.actor):
        raise UserError(f"item {item.id} is held by another investigation; its holder was told")
    if item.state not in ORDERABLE:
        raise UserError(
            f"item {item.id} is {item.state}; only a positively assessed item is ordered"
        )
    try:
        clean_grounds = normalise_grounds(grounds)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if not clean_grounds:
        raise UserError("a removal order needs its Art. 2(7) grounds")
    for name, value in (("reasons", reasons), ("redress", redress)):
        if not value or not value.strip():
            raise UserError(f"a removal order needs {name} (Annex I)")
    if item.platform == "web":
        raise UserError("the addressee must be a named hosting platform, not 'web'")
    if not platform_units(session, item.platform):
        _refuse_unserved(session, item.platform)
    blocking = [s for s in earlier_sends(session, [item])[item.id] if s.blocks]
    if blocking:
        raise UserError(f"item {item.id}: {describe_send(blocking[0])}; it is not sent again")
    host = host_member_state.upper() if host_member_state else None
    order = RemovalOrder(
        item_id=item.id,
        operation_id=item.operation_id,
        unit_id=who.unit_id,
        issued_by=who.identity,
        issuing_authority=who.unit_name,
        member_state=who.member_state,
        addressee=item.platform,
        addressee_contact=addressee_contact,
        reference=f"{who.member_state}-{utcnow():%Y%m%d}-{secrets.token_hex(4)}",
        case_reference=case_reference,
        url=item.url,
        grounds=clean_grounds,
        reasons=reasons.strip(),
        redress=redress.strip(),
        non_disclosure=non_disclosure,
        host_member_state=host,
        status="open",
        copy_sent_at=utcnow() if host and host != who.member_state else None,
    )
    session.add(order)
    try:
        session.flush()
    except IntegrityError as exc:  # an order of another item took the case reference meanwhile
        if case_reference is not None and "case_reference" in (unique_violation(exc) or ""):
            raise _case_reference_used(who, case_reference) from None
        raise
    audit.record(
        session,
        actor=who.actor,
        action="order.issue",
        object_type="removal_order",
        object_id=order.id,
        change={
            "item_id": item.id,
            "reference": order.reference,
            "case_reference": case_reference,
            "grounds": clean_grounds,
            "addressee": order.addressee,
            "host_member_state": host,
        },
    )
    change_state(session, item, "ordered", actor=who.actor, why="removal order", order_id=order.id)
    if order.copy_sent_at is not None:
        for authority in session.scalars(
            select(Unit).where(Unit.competent_authority.is_(True), Unit.member_state == host)
        ):
            notify(
                session,
                authority.id,
                "order_copy",
                {"order_id": order.id, "reference": order.reference, "url": order.url},
            )
    _enqueue(session, "order", order.id, order.addressee, order_payload(order))
    return order


CASE_REFERENCE_MAX = 100


def _case_reference(value: str | None) -> str | None:
    """The caller's case reference, trimmed; None when blank."""
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > CASE_REFERENCE_MAX or not text.isprintable():
        raise UserError(
            f"case reference {text[:40]!r}: use at most {CASE_REFERENCE_MAX} printable "
            "characters on one line"
        )
    return text


def _case_reference_used(who: Principal, case_reference: str, order: str | None = None) -> Conflict:
    where = f" (order {order})" if order else ""
    return Conflict(
        f"case reference {case_reference!r} is already on a removal order of {who.unit_name}"
        f"{where}; each order of an authority needs its own"
    )


def order_payload(order: RemovalOrder) -> dict[str, Any]:
    return {
        "type": "removal_order",
        "order_id": order.id,
        "reference": order.reference,
        "case_reference": order.case_reference,
        "issuing_authority": order.issuing_authority,
        "member_state": order.member_state,
        "addressee": order.addressee,
        "url": order.url,
        "item_id": order.item_id,
        "grounds": order.grounds,
        "reasons": order.reasons,
        "redress": order.redress,
        "non_disclosure": order.non_disclosure,
        "issued_at": order.issued_at.isoformat(),
    }


def get_order(session: Session, order_id: int) -> RemovalOrder:
    order = session.get(RemovalOrder, order_id)
    if order is None:
        raise NotFound(f"no removal order with id {order_id}")
    return order


def lock_order(session: Session, order: RemovalOrder) -> RemovalOrder:
    """Take the order's item (``items.lock_items``), then read the order again: whoever
    writes an order (receipt, pause, answer) holds its item first."""
    lock_item(session, order.item_id)
    session.refresh(order)
    return order


def mark_received(
    session: Session, order: RemovalOrder, *, via: str, at: datetime | None = None
) -> None:
    """The 1-hour clock starts at the first receipt, by whichever channel."""
    if order.received_at is not None:
        return
    order.received_at = at or utcnow()
    audit.record(
        session,
        actor="system",
        action="order.received",
        object_type="removal_order",
        object_id=order.id,
        change={"via": via, "at": order.received_at},
    )


def order_pauses(session: Session, order_ids: list[int]) -> dict[int, list[OrderPause]]:
    """The pauses of these orders, oldest first, in one query."""
    out: dict[int, list[OrderPause]] = {}
    if order_ids:
        query = select(OrderPause).where(OrderPause.order_id.in_(order_ids))
        for pause in session.scalars(query.order_by(OrderPause.id)):
            out.setdefault(pause.order_id, []).append(pause)
    return out


def order_clock(
    session: Session,
    order: RemovalOrder,
    now: datetime | None = None,
    *,
    pauses: list[OrderPause] | None = None,
) -> dict[str, Any]:
    """The order's removal clock; ``pauses``, when the caller read them (``order_pauses``)."""
    if pauses is None:
        pauses = order_pauses(session, [order.id]).get(order.id, [])
    clock = removal_clock(
        order.received_at,
        [Pause(p.started_at, p.ended_at) for p in pauses],
        now or utcnow(),
        done_at=order.closed_at,
    )
    scrutiny = scrutiny_windows(order.received_at, order.copy_sent_at)
    return {
        **clock.as_dict(),
        "scrutiny": scrutiny.as_dict(),
        "pauses": [
            {"reason": p.reason, "started_at": p.started_at, "ended_at": p.ended_at, "note": p.note}
            for p in pauses
        ],
    }


def pause_order(
    session: Session, who: Principal, order_id: int, reason: str, note: str | None
) -> OrderPause:
    """The provider stops the clock (Art. 3(7)/(8)); it restarts when the pause is resolved."""
    order = lock_order(session, _platform_order(session, who, order_id))
    try:
        why = PauseReason(reason)
    except ValueError:
        allowed = ", ".join(r.value for r in PauseReason)
        raise UserError(f"unknown pause reason {reason!r}; use one of: {allowed}") from None
    if order.status != "open":
        raise UserError(f"order {order.id} is {order.status}")
    if session.scalar(
        select(OrderPause.id).where(OrderPause.order_id == order.id, OrderPause.ended_at.is_(None))
    ):
        raise UserError(f"order {order.id} is already paused")
    mark_received(session, order, via="pause")
    pause = OrderPause(
        order_id=order.id, reason=why.value, note=note, started_at=utcnow(), started_by=who.identity
    )
    session.add(pause)
    session.flush()
    audit.record(
        session,
        actor=who.actor,
        action="order.pause",
        object_type="removal_order",
        object_id=order.id,
        change={"reason": why.value, "note": note},
    )
    notify(
        session,
        order.unit_id,
        "order_paused",
        {"order_id": order.id, "reason": why.value, "note": note},
    )
    return pause


def resume_order(
    session: Session, who: Principal, order_id: int, note: str | None = None
) -> RemovalOrder:
    """Resolve the open pause: the issuer clarified, or the force majeure ended."""
    issuers = ("senior_assessor", "admin")
    refused = "only the issuing authority's senior assessor resumes an order"
    if who.unit_kind == "platform":  # who may, first; then which order
        authorize(who, "platform.answer")
    elif who.role not in issuers:
        raise Forbidden(refused)
    order = get_order(session, order_id)
    if who.unit_kind == "platform":
        if order.addressee not in who.platforms:
            raise NotFound(f"no removal order with id {order_id}")  # not yours: not there
    elif who.unit_id != order.unit_id:
        raise Forbidden(refused)
    lock_order(session, order)
    pause = session.scalar(
        select(OrderPause).where(OrderPause.order_id == order.id, OrderPause.ended_at.is_(None))
    )
    if pause is None:
        raise UserError(f"order {order.id} is not paused")
    pause.ended_at = utcnow()
    pause.ended_by = who.identity
    audit.record(
        session,
        actor=who.actor,
        action="order.resume",
        object_type="removal_order",
        object_id=order.id,
        change={"pause_id": pause.id, "note": note},
    )
    return order


def _platform_order(session: Session, who: Principal, order_id: int) -> RemovalOrder:
    authorize(who, "platform.answer")
    order = get_order(session, order_id)
    if order.addressee not in who.platforms:
        raise NotFound(f"no removal order with id {order_id}")  # not yours: not there
    return order


def check_overdue_orders(session: Session, now: datetime | None = None) -> list[RemovalOrder]:
    """Raise an alert, once, for each open order past its deadline (a periodic job)."""
    now = now or utcnow()
    late = []
    waiting = (
        RemovalOrder.status == "open",
        RemovalOrder.received_at.is_not(None),
        RemovalOrder.overdue_alerted_at.is_(None),
    )
    item_ids = session.scalars(select(RemovalOrder.item_id).where(*waiting)).all()
    lock_items(session, item_ids)  # then read the orders again, as they are now
    orders = session.scalars(
        select(RemovalOrder)
        .where(*waiting, RemovalOrder.item_id.in_(item_ids))
        .order_by(RemovalOrder.id)
        .execution_options(populate_existing=True)
    ).all()
    pauses = order_pauses(session, [o.id for o in orders])
    for order in orders:
        if order_clock(session, order, now, pauses=pauses.get(order.id, []))["overdue"]:
            order.overdue_alerted_at = now
            audit.record(
                session,
                actor="system",
                action="order.overdue",
                object_type="removal_order",
                object_id=order.id,
                change={"reference": order.reference},
            )
            notify(
                session,
                order.unit_id,
                "order_overdue",
                {"order_id": order.id, "reference": order.reference},
            )
            late.append(order)
    return late
