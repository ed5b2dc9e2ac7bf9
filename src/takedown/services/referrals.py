"""Referrals and removal orders: sending ready items to the platforms that host them.

An item is referred or ordered at most once (a unique row per item). Items covered by a hold
are never sent: they become ``held`` and the holder is told. Each referral or order is put in
the outbox (``deliveries``) for every channel its platform units configured; the pull API
needs no delivery row, it is always there.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from takedown.domain.assessment import normalise_grounds
from takedown.domain.deadlines import Pause, PauseReason, removal_clock, scrutiny_windows
from takedown.errors import Forbidden, NotFound, UserError
from takedown.services.access import authorize
from takedown.services.deconfliction import hold_blocks, notify
from takedown.services.items import change_state, get_item
from takedown.services.units import Principal
from takedown.store import audit
from takedown.store.models import Item, Operation, Unit, utcnow
from takedown.store.referrals import Delivery, OrderPause, Referral, ReferralItem, RemovalOrder

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
    session: Session, who: Principal, operation: Operation, platform: str
) -> Referral | None:
    """Refer every ready item of ``platform`` in the operation, in one referral.

    Returns None when nothing was ready (held items are reported to their holders).
    """
    authorize(who, "referrals.create")
    ready = list(
        session.scalars(
            select(Item)
            .where(
                Item.operation_id == operation.id, Item.platform == platform, Item.state == "ready"
            )
            .order_by(Item.id)
        )
    )
    held = session.scalars(
        select(Item).where(
            Item.operation_id == operation.id, Item.platform == platform, Item.state == "held"
        )
    )
    for item in held:  # tell each holder that a referral would have included its item
        hold_blocks(session, item, actor=who.actor)
    sendable: list[Item] = []
    for item in ready:
        if hold_blocks(session, item, actor=who.actor):
            continue
        already = session.scalar(select(ReferralItem.id).where(ReferralItem.item_id == item.id))
        ordered = session.scalar(select(RemovalOrder.id).where(RemovalOrder.item_id == item.id))
        if already or ordered:
            continue
        sendable.append(item)
    if not sendable:
        return None
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
    return referral


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
    reference: str | None = None,
    issuing_authority: str | None = None,
    addressee_contact: str | None = None,
    non_disclosure: bool = False,
    host_member_state: str | None = None,
) -> RemovalOrder:
    """A removal order (Reg. 2021/784 Art. 3) with its Annex I fields; 1 hour from receipt."""
    authorize(who, "orders.issue")
    if not who.competent_authority or not who.member_state:
        raise Forbidden("only a senior assessor of a competent authority issues removal orders")
    item = get_item(session, item_id)
    if session.scalar(select(RemovalOrder.id).where(RemovalOrder.item_id == item.id)):
        raise UserError(f"item {item.id} already has a removal order")
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
        raise UserError(f"no platform unit answers for {item.platform!r}: create one first")
    host = host_member_state.upper() if host_member_state else None
    order = RemovalOrder(
        item_id=item.id,
        operation_id=item.operation_id,
        unit_id=who.unit_id,
        issued_by=who.identity,
        issuing_authority=issuing_authority or who.unit_name,
        member_state=who.member_state,
        addressee=item.platform,
        addressee_contact=addressee_contact,
        reference=reference or f"{who.member_state}-{utcnow():%Y%m%d}-{secrets.token_hex(4)}",
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
    session.flush()
    audit.record(
        session,
        actor=who.actor,
        action="order.issue",
        object_type="removal_order",
        object_id=order.id,
        change={
            "item_id": item.id,
            "reference": order.reference,
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


def order_payload(order: RemovalOrder) -> dict[str, Any]:
    return {
        "type": "removal_order",
        "order_id": order.id,
        "reference": order.reference,
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


def order_clock(
    session: Session, order: RemovalOrder, now: datetime | None = None
) -> dict[str, Any]:
    pauses = session.scalars(select(OrderPause).where(OrderPause.order_id == order.id)).all()
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
    order = _platform_order(session, who, order_id)
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
    order = get_order(session, order_id)
    if who.unit_kind == "platform":
        if order.addressee not in who.platforms:
            raise NotFound(f"no removal order with id {order_id}")  # not yours: not there
        authorize(who, "platform.answer")
    elif who.unit_id != order.unit_id or who.role not in ("senior_assessor", "admin"):
        raise Forbidden("only the issuing authority's senior assessor resumes an order")
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
    for order in session.scalars(
        select(RemovalOrder).where(
            RemovalOrder.status == "open",
            RemovalOrder.received_at.is_not(None),
            RemovalOrder.overdue_alerted_at.is_(None),
        )
    ):
        if order_clock(session, order, now)["overdue"]:
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
