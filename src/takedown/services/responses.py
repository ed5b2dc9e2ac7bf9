"""The platform side: what a platform agent sees and how it answers.

A platform agent sees only referrals and orders addressed to the platforms its unit answers
for; anything else does not exist for it (404, not 403). Answers are per item and idempotent:
the same answer twice is stored once. A platform's "removed" is a claim (``removed_claimed``);
only a check with positive evidence makes an item ``verified_removed``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from takedown.errors import NotFound, UserError
from takedown.services.access import authorize
from takedown.services.deconfliction import notify
from takedown.services.items import change_state
from takedown.services.referrals import (
    get_order,
    mark_received,
    order_clock,
    order_payload,
    pause_order,
)
from takedown.services.units import Principal
from takedown.store import audit
from takedown.store.models import Item, utcnow
from takedown.store.referrals import OrderPause, Referral, ReferralItem, RemovalOrder, Response


class Action(StrEnum):
    REMOVED = "removed"
    RESTRICTED = "restricted"
    DECLINED = "declined"
    IMPOSSIBLE = "impossible"
    NEEDS_CLARIFICATION = "needs_clarification"


FINAL = {Action.REMOVED, Action.RESTRICTED, Action.DECLINED, Action.IMPOSSIBLE}
IMPOSSIBLE_REASONS = ("force_majeure", "manifest_error", "insufficient_information")
_ITEM_STATE = {
    Action.REMOVED: "removed_claimed",
    Action.DECLINED: "declined",
    Action.IMPOSSIBLE: "impossible",
}


def _mine(who: Principal, platform: str) -> bool:
    return platform in who.platforms


def list_referrals(
    session: Session, who: Principal, *, status: str = "open", since: int = 0, limit: int = 100
) -> tuple[list[dict[str, Any]], int | None]:
    authorize(who, "platform.read")
    if not who.platforms:
        return [], None
    query = select(Referral).where(Referral.platform.in_(who.platforms), Referral.id > since)
    if status == "open":
        query = query.where(Referral.status != "closed")
    elif status != "all":
        query = query.where(Referral.status == status)
    rows = list(session.scalars(query.order_by(Referral.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return [referral_view(session, r) for r in rows], (rows[-1].id if more else None)


def referral_view(session: Session, referral: Referral) -> dict[str, Any]:
    items = session.execute(
        select(Item)
        .join(ReferralItem, ReferralItem.item_id == Item.id)
        .where(ReferralItem.referral_id == referral.id)
        .order_by(Item.id)
    ).scalars()
    answers = _latest_answers(session, referral_id=referral.id)
    return {
        "id": referral.id,
        "platform": referral.platform,
        "status": referral.status,
        "created_at": referral.created_at,
        "acknowledged_at": referral.acknowledged_at,
        "items": [
            {
                "item_id": i.id,
                "url": i.url,
                "canonical_url": i.canonical_url,
                "key": i.key,
                "kind": i.kind,
                "answer": answers.get(i.id),
            }
            for i in items
        ],
    }


def _latest_answers(session: Session, **where: int) -> dict[int, dict[str, Any]]:
    query = select(Response).order_by(Response.id)
    for column, value in where.items():
        query = query.where(getattr(Response, column) == value)
    out: dict[int, dict[str, Any]] = {}
    for r in session.scalars(query):
        out[r.item_id] = {"action": r.action, "reason": r.reason, "answered_at": r.answered_at}
    return out


def _referral(session: Session, who: Principal, referral_id: int) -> Referral:
    authorize(who, "platform.answer")
    referral = session.get(Referral, referral_id)
    if referral is None or not _mine(who, referral.platform):
        raise NotFound(f"no referral with id {referral_id}")
    return referral


def acknowledge_referral(session: Session, who: Principal, referral_id: int) -> Referral:
    referral = _referral(session, who, referral_id)
    if referral.acknowledged_at is not None:
        return referral
    referral.acknowledged_at = utcnow()
    if referral.status == "open":
        referral.status = "acknowledged"
    audit.record(
        session,
        actor=who.actor,
        action="referral.acknowledge",
        object_type="referral",
        object_id=referral.id,
        change={},
    )
    for item in _referral_items(session, referral.id):
        if item.state == "referred":
            change_state(session, item, "acknowledged", actor=who.actor, why="acknowledged")
    return referral


def _referral_items(session: Session, referral_id: int) -> list[Item]:
    return list(
        session.scalars(
            select(Item)
            .join(ReferralItem, ReferralItem.item_id == Item.id)
            .where(ReferralItem.referral_id == referral_id)
        )
    )


def answer_referral(
    session: Session, who: Principal, referral_id: int, answers: list[dict[str, Any]]
) -> dict[str, Any]:
    """Record per-item answers; returns what was stored and what was already known."""
    referral = _referral(session, who, referral_id)
    items = {i.id: i for i in _referral_items(session, referral.id)}
    stored, unchanged = _record(session, who, answers, items, referral_id=referral.id)
    final = _latest_answers(session, referral_id=referral.id)
    done = items and all(final.get(i, {}).get("action") in FINAL for i in items)
    if done and referral.status != "closed":
        referral.status = "closed"
        audit.record(
            session,
            actor=who.actor,
            action="referral.close",
            object_type="referral",
            object_id=referral.id,
            change={},
        )
    return {
        "referral_id": referral.id,
        "stored": stored,
        "unchanged": unchanged,
        "status": referral.status,
    }


def _record(
    session: Session,
    who: Principal,
    answers: list[dict[str, Any]],
    items: dict[int, Item],
    *,
    referral_id: int | None = None,
    order: RemovalOrder | None = None,
) -> tuple[int, int]:
    if not answers:
        raise UserError("no answers given")
    parsed: list[tuple[Item, Action, str | None]] = []
    for n, answer in enumerate(answers, start=1):
        try:
            item_id = int(answer["item_id"])
        except (KeyError, TypeError, ValueError):
            raise UserError(f"answer {n}: item_id is missing or not a number") from None
        if item_id not in items:
            raise UserError(f"answer {n}: item {item_id} is not in this request")
        try:
            action = Action(str(answer.get("action")))
        except ValueError:
            allowed = ", ".join(a.value for a in Action)
            raise UserError(
                f"answer {n}: action {answer.get('action')!r} is not one of {allowed}"
            ) from None
        reason = answer.get("reason")
        reason = str(reason).strip() if reason else None
        if action is Action.DECLINED and not reason:
            raise UserError(f"answer {n}: declined needs a reason")
        if action is Action.IMPOSSIBLE and reason not in IMPOSSIBLE_REASONS:
            raise UserError(
                f"answer {n}: impossible needs an Annex III reason: {', '.join(IMPOSSIBLE_REASONS)}"
            )
        if action is Action.RESTRICTED and reason not in ("geo", "age"):
            raise UserError(f"answer {n}: restricted needs reason geo or age")
        parsed.append((items[item_id], action, reason))
    stored = unchanged = 0
    for item, action, reason in parsed:  # all valid: now write
        latest = session.scalar(
            select(Response)
            .where(Response.item_id == item.id)
            .order_by(Response.id.desc())
            .limit(1)
        )
        if latest is not None and latest.action == action.value and latest.reason == reason:
            unchanged += 1
            continue
        response = Response(
            item_id=item.id,
            referral_id=referral_id,
            order_id=order.id if order else None,
            unit_id=who.unit_id,
            answered_by=who.identity,
            action=action.value,
            reason=reason,
        )
        session.add(response)
        session.flush()
        audit.record(
            session,
            actor=who.actor,
            action="response.record",
            object_type="item",
            object_id=item.id,
            change={
                "action": action.value,
                "reason": reason,
                "referral_id": referral_id,
                "order_id": order.id if order else None,
            },
        )
        stored += 1
        target = _ITEM_STATE.get(action)
        if target is None and action is Action.RESTRICTED and item.state in ("referred", "ordered"):
            target = "acknowledged"
        if target is not None and item.state != target:
            change_state(session, item, target, actor=who.actor, why=f"platform: {action.value}")
        if action is Action.NEEDS_CLARIFICATION:
            owner = order.unit_id if order else _referrer(session, referral_id)
            if owner is not None:
                notify(
                    session,
                    owner,
                    "clarification_requested",
                    {
                        "item_id": item.id,
                        "referral_id": referral_id,
                        "order_id": order.id if order else None,
                        "question": reason,
                    },
                )
    return stored, unchanged


def _referrer(session: Session, referral_id: int | None) -> int | None:
    if referral_id is None:
        return None
    referral = session.get(Referral, referral_id)
    return referral.unit_id if referral else None


def list_orders(
    session: Session, who: Principal, *, status: str = "open", since: int = 0, limit: int = 100
) -> tuple[list[dict[str, Any]], int | None]:
    """Orders addressed to the caller's platforms; listing one counts as its receipt."""
    authorize(who, "platform.read")
    if not who.platforms:
        return [], None
    query = select(RemovalOrder).where(
        RemovalOrder.addressee.in_(who.platforms), RemovalOrder.id > since
    )
    if status != "all":
        query = query.where(RemovalOrder.status == status)
    rows = list(session.scalars(query.order_by(RemovalOrder.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    out = []
    for order in rows:
        mark_received(session, order, via="pull")
        out.append(
            {**order_payload(order), "status": order.status, "clock": order_clock(session, order)}
        )
    return out, (rows[-1].id if more else None)


def acknowledge_order(session: Session, who: Principal, order_id: int) -> RemovalOrder:
    order = _order(session, who, order_id)
    mark_received(session, order, via="acknowledge")
    if order.acknowledged_at is None:
        order.acknowledged_at = utcnow()
        audit.record(
            session,
            actor=who.actor,
            action="order.acknowledge",
            object_type="removal_order",
            object_id=order.id,
            change={},
        )
        item = session.get(Item, order.item_id)
        if item is not None and item.state == "ordered":
            change_state(session, item, "acknowledged", actor=who.actor, why="acknowledged")
    return order


def _order(session: Session, who: Principal, order_id: int) -> RemovalOrder:
    authorize(who, "platform.answer")
    order = get_order(session, order_id)
    if not _mine(who, order.addressee):
        raise NotFound(f"no removal order with id {order_id}")
    return order


def answer_order(
    session: Session, who: Principal, order_id: int, answer: dict[str, Any]
) -> dict[str, Any]:
    """Annex II (removed) or Annex III (impossible) feedback, or a request for clarification."""
    order = _order(session, who, order_id)
    mark_received(session, order, via="answer")
    item = session.get(Item, order.item_id)
    assert item is not None
    answer = {**answer, "item_id": item.id}
    paused = session.scalar(
        select(OrderPause.id).where(OrderPause.order_id == order.id, OrderPause.ended_at.is_(None))
    )
    if not paused and order.status == "open":
        if answer.get("action") == Action.NEEDS_CLARIFICATION.value:
            pause_order(session, who, order.id, "insufficient_information", answer.get("reason"))
        elif (
            answer.get("action") == Action.IMPOSSIBLE.value
            and answer.get("reason") in IMPOSSIBLE_REASONS
        ):
            pause_order(session, who, order.id, str(answer["reason"]), answer.get("detail"))
    stored, unchanged = _record(session, who, [answer], {item.id: item}, order=order)
    if (
        answer.get("action")
        in (Action.REMOVED.value, Action.DECLINED.value, Action.RESTRICTED.value)
        and order.status == "open"
    ):
        order.status = "closed"
        order.closed_at = utcnow()
        open_pause = session.scalar(
            select(OrderPause).where(OrderPause.order_id == order.id, OrderPause.ended_at.is_(None))
        )
        if open_pause is not None:  # a final answer resolves the pause: the clock stops here
            open_pause.ended_at = order.closed_at
            open_pause.ended_by = who.identity
        audit.record(
            session,
            actor=who.actor,
            action="order.close",
            object_type="removal_order",
            object_id=order.id,
            change={"action": answer.get("action"), "ended_pause": bool(open_pause)},
        )
    return {
        "order_id": order.id,
        "stored": stored,
        "unchanged": unchanged,
        "status": order.status,
        "clock": order_clock(session, order),
    }
