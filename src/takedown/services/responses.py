"""The platform side: what a platform agent sees and how it answers.

A platform agent sees only referrals and orders addressed to the platforms its unit answers
for; anything else does not exist for it (404, not 403). Answers are per item and idempotent:
the same answer twice is stored once; a changed answer is a new row, so the history stays.
Answers to one item take turns (``items.lock_items``), so twelve copies of one answer sent at
once are still one row.
An answer is always recorded, whatever the checker found first: a platform's "removed" is a
claim (``removed_claimed``), and only a check with positive evidence makes an item
``verified_removed`` (``domain.answers`` decides what each answer does to the state).

A platform's ``needs_clarification`` is a question to the referring or issuing unit; the
unit's reply (``reply_to_question``) shows in the platform's pull list, and for a removal
order its receipt ends the pause: the hour starts again (Art. 3(8)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from takedown.domain.answers import (
    FINAL,
    IMPOSSIBLE_REASONS,
    RESTRICTED_REASONS,
    Action,
    state_after_answer,
)
from takedown.domain.statuses import OrderStatus, ReferralStatus
from takedown.errors import Forbidden, NotFound, UserError
from takedown.services.access import authorize
from takedown.services.deconfliction import notify
from takedown.services.items import change_state, lock_items
from takedown.services.referrals import (
    get_order,
    lock_order,
    lock_referrals,
    mark_received,
    order_clock,
    order_pauses,
    order_payload,
    pause_order,
    settle_referral,
)
from takedown.services.units import Principal
from takedown.store import audit
from takedown.store.models import Item, utcnow
from takedown.store.referrals import (
    Clarification,
    OrderPause,
    Referral,
    ReferralItem,
    RemovalOrder,
    Response,
)

__all__ = ["FINAL", "IMPOSSIBLE_REASONS", "Action"]


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
    return referral_views(session, rows), (rows[-1].id if more else None)


def referral_view(session: Session, referral: Referral) -> dict[str, Any]:
    return referral_views(session, [referral])[0]


def referral_views(session: Session, referrals: list[Referral]) -> list[dict[str, Any]]:
    """Referrals with their items, each item's latest answer in the referral and the replies
    to its questions: three queries, however many referrals and items."""
    ids = [r.id for r in referrals]
    if not ids:
        return []
    items: dict[int, list[Item]] = {}
    for referral_id, item in session.execute(
        select(ReferralItem.referral_id, Item)
        .join(Item, Item.id == ReferralItem.item_id)
        .where(ReferralItem.referral_id.in_(ids))
        .order_by(Item.id)
    ):
        items.setdefault(referral_id, []).append(item)
    answers = _latest_answers(session, Response.referral_id, ids)
    replies = _replies(session, Clarification.referral_id, ids)
    return [
        {
            "id": referral.id,
            "platform": referral.platform,
            "status": referral.status,
            "created_at": referral.created_at,
            "acknowledged_at": referral.acknowledged_at,
            "closed_at": referral.closed_at,
            "items": [
                {
                    "item_id": i.id,
                    "url": i.url,
                    "canonical_url": i.canonical_url,
                    "key": i.key,
                    "kind": i.kind,
                    "answer": answers.get((referral.id, i.id)),
                    "clarifications": replies.get((referral.id, i.id), []),
                }
                for i in items.get(referral.id, [])
            ],
        }
        for referral in referrals
    ]


def _replies(
    session: Session, owner: Any, owner_ids: list[int]
) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """The units' replies to questions, per (referral or order, item), oldest first."""
    query = select(Clarification).where(owner.in_(owner_ids)).order_by(Clarification.id)
    out: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for c in session.scalars(query):
        key = (getattr(c, owner.key), c.item_id)
        out.setdefault(key, []).append(
            {"question_id": c.question_id, "reply": c.text, "replied_at": c.created_at}
        )
    return out


def _mark_replies_received(session: Session, order_ids: list[int]) -> None:
    """The platform now has these orders' replies: note it, and end each open pause there.

    (Replies on referrals need no receipt: no clock runs on a referral, so listing them
    stays a read.)"""
    if not order_ids:
        return
    at = utcnow()
    query = select(Clarification).where(
        Clarification.received_at.is_(None), Clarification.order_id.in_(order_ids)
    )
    for reply in session.scalars(query):
        reply.received_at = at
        pause = session.scalar(
            select(OrderPause).where(
                OrderPause.order_id == reply.order_id, OrderPause.ended_at.is_(None)
            )
        )
        if pause is not None:
            pause.ended_at = at
            pause.ended_by = "system:clarification-received"
        audit.record(
            session,
            actor="system",
            action="clarification.received",
            object_type="removal_order",
            object_id=reply.order_id,
            change={
                "clarification_id": reply.id,
                "at": at,
                "ended_pause": pause.id if pause is not None else None,
            },
        )


def _latest_answers(
    session: Session, owner: Any, owner_ids: list[int]
) -> dict[tuple[int, int], dict[str, Any]]:
    """The latest answer per (referral or order, item)."""
    query = select(Response).where(owner.in_(owner_ids)).order_by(Response.id)
    out: dict[tuple[int, int], dict[str, Any]] = {}
    for r in session.scalars(query):
        out[(getattr(r, owner.key), r.item_id)] = {
            "action": r.action,
            "reason": r.reason,
            "answered_at": r.answered_at,
        }
    return out


def _referral(session: Session, who: Principal, referral_id: int) -> Referral:
    """The caller's referral, with its items taken (``referrals.lock_referrals``)."""
    authorize(who, "platform.answer")
    referral = session.get(Referral, referral_id)
    if referral is None or not _mine(who, referral.platform):
        raise NotFound(f"no referral with id {referral_id}")
    lock_referrals(session, [referral.id])
    session.refresh(referral)
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


@dataclass(frozen=True)
class ReferralAnswered:
    """What answering a referral did: ``stored`` answers, ``unchanged`` ones (the same as the
    item's latest answer: not stored again), and the referral's status after them."""

    referral_id: int
    stored: int
    unchanged: int
    status: ReferralStatus


def answer_referral(
    session: Session, who: Principal, referral_id: int, answers: list[dict[str, Any]]
) -> ReferralAnswered:
    """Record per-item answers; returns what was stored and what was already known."""
    referral = _referral(session, who, referral_id)
    items = {i.id: i for i in _referral_items(session, referral.id)}
    stored, unchanged = _record(session, who, answers, items, referral_id=referral.id)
    settle_referral(session, referral, actor=who.actor)
    return ReferralAnswered(referral.id, stored, unchanged, ReferralStatus(referral.status))


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
        if action is Action.RESTRICTED and reason not in RESTRICTED_REASONS:
            raise UserError(
                f"answer {n}: restricted needs reason {' or '.join(RESTRICTED_REASONS)}"
            )
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
        target = state_after_answer(item.state, action)
        if target is not None:
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
    if rows:  # listing records receipts, a write: take the items, then read the orders again
        lock_items(session, [o.item_id for o in rows])
        rows = list(
            session.scalars(
                select(RemovalOrder)
                .where(RemovalOrder.id.in_([o.id for o in rows]))
                .order_by(RemovalOrder.id)
                .execution_options(populate_existing=True)
            )
        )
    out = []
    ids = [o.id for o in rows]
    _mark_replies_received(session, ids)
    replies = _replies(session, Clarification.order_id, ids) if ids else {}
    answers = _latest_answers(session, Response.order_id, ids) if ids else {}
    pauses = order_pauses(session, ids)
    for order in rows:
        mark_received(session, order, via="pull")
        out.append(
            {
                **order_payload(order),
                "status": order.status,
                "clock": order_clock(session, order, pauses=pauses.get(order.id, [])),
                "answer": answers.get((order.id, order.item_id)),
                "clarifications": replies.get((order.id, order.item_id), []),
            }
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
    """The caller's order, with its item taken (``referrals.lock_order``)."""
    authorize(who, "platform.answer")
    order = get_order(session, order_id)
    if not _mine(who, order.addressee):
        raise NotFound(f"no removal order with id {order_id}")
    return lock_order(session, order)


@dataclass(frozen=True)
class OrderAnswered:
    """What answering a removal order did, and where its clock stands now."""

    order_id: int
    stored: int
    unchanged: int
    status: OrderStatus
    clock: dict[str, Any]  # referrals.order_clock


def answer_order(
    session: Session, who: Principal, order_id: int, answer: dict[str, Any]
) -> OrderAnswered:
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
    return OrderAnswered(
        order.id, stored, unchanged, OrderStatus(order.status), order_clock(session, order)
    )


def reply_to_question(
    session: Session, who: Principal, question_id: int, text: str
) -> Clarification:
    """A unit answers a platform's ``needs_clarification`` (the question is that response).

    The referring unit (or the issuing authority, for an order) replies; the platform sees the
    reply in its pull list, and for a removal order its receipt ends the pause (Art. 3(8)).
    """
    authorize(who, "referrals.create")
    question = session.get(Response, question_id)
    if question is None or question.action != Action.NEEDS_CLARIFICATION.value:
        raise NotFound(f"no platform question with id {question_id}")
    if question.order_id is not None:
        order = get_order(session, question.order_id)
        owner = order.unit_id
    else:
        referral = session.get(Referral, question.referral_id)
        if referral is None:
            raise NotFound(f"no platform question with id {question_id}")
        owner = referral.unit_id
    if owner != who.unit_id:
        if who.unit_kind == "platform":
            raise NotFound(f"no platform question with id {question_id}")
        raise Forbidden("only the unit that sent the referral or order replies to its questions")
    text = (text or "").strip()
    if not text:
        raise UserError("the reply is empty: write what the platform asked for")
    reply = Clarification(
        question_id=question.id,
        item_id=question.item_id,
        referral_id=question.referral_id,
        order_id=question.order_id,
        unit_id=who.unit_id,
        answered_by=who.identity,
        text=text,
    )
    session.add(reply)
    session.flush()
    audit.record(
        session,
        actor=who.actor,
        action="clarification.reply",
        object_type="item",
        object_id=question.item_id,
        change={
            "clarification_id": reply.id,
            "question_id": question.id,
            "referral_id": question.referral_id,
            "order_id": question.order_id,
        },
    )
    return reply


@dataclass(frozen=True)
class Question:
    """A platform's ``needs_clarification`` about an item of a referral or an order."""

    question_id: int
    item_id: int
    referral_id: int | None
    order_id: int | None
    question: str | None  # what the platform asked
    asked_at: datetime
    replied: bool  # whether the caller's unit has replied


def questions_for(session: Session, who: Principal, *, unanswered: bool = True) -> list[Question]:
    """The platforms' questions about the caller's unit's referrals and orders."""
    authorize(who, "referrals.read")
    mine_referrals = select(Referral.id).where(Referral.unit_id == who.unit_id)
    mine_orders = select(RemovalOrder.id).where(RemovalOrder.unit_id == who.unit_id)
    query = (
        select(Response)
        .where(
            Response.action == Action.NEEDS_CLARIFICATION.value,
            (Response.referral_id.in_(mine_referrals)) | (Response.order_id.in_(mine_orders)),
        )
        .order_by(Response.id)
    )
    replied = set(
        session.scalars(
            select(Clarification.question_id).where(Clarification.unit_id == who.unit_id)
        )
    )
    out = []
    for q in session.scalars(query):
        if unanswered and q.id in replied:
            continue
        out.append(
            Question(
                q.id, q.item_id, q.referral_id, q.order_id, q.reason, q.answered_at, q.id in replied
            )
        )
    return out
