"""The platform side of /api/v1: a platform agent lists and answers what is addressed to it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from takedown.domain.statuses import OrderFilter, ReferralFilter, ReferralStatus
from takedown.services import referrals, responses
from takedown.services.units import Principal
from takedown.web import models
from takedown.web.auth import get_db, principal
from takedown.web.names import (
    ActionName,
    Cursor,
    Id,
    OrderStatus,
    PageSize,
    PauseReasonName,
    Text,
)
from takedown.web.names import ReferralStatus as ReferralStatusName
from takedown.web.workflow import order_clock_out

router = APIRouter(prefix="/platform", tags=["platform"])
Who = Annotated[Principal, Depends(principal)]
Since = Annotated[Cursor, Query(description="`next` from the previous page (an id cursor)")]


@router.get("/referrals")
def list_referrals(
    request: Request,
    who: Who,
    status: ReferralStatusName = ReferralFilter.OPEN,
    since: Since = 0,
    limit: PageSize = 100,
) -> models.ReferralPage:
    """Referrals addressed to your platforms. `status`: open (default: every one not closed),
    acknowledged, closed or all."""
    with get_db(request).reading() as session:
        page, nxt = responses.list_referrals(session, who, status=status, since=since, limit=limit)
        return models.ReferralPage(
            referrals=[models.Referral.model_validate(r) for r in page], next=nxt
        )


@router.post("/referrals/{referral_id}/ack")
def acknowledge_referral(referral_id: Id, request: Request, who: Who) -> models.ReferralAck:
    with get_db(request).session() as session:
        referral = responses.acknowledge_referral(session, who, referral_id)
        return models.ReferralAck(referral_id=referral.id, status=ReferralStatus(referral.status))


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_id: Id
    action: ActionName = Field(
        description="removed, restricted (reason geo|age), declined (with a reason), "
        "impossible (force_majeure|manifest_error|insufficient_information) or needs_clarification"
    )
    reason: Text | None = Field(
        default=None,
        description="The Annex III or restriction reason, why declined, or the question",
    )
    detail: Text | None = None


class Answers(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: list[Answer]


@router.post("/referrals/{referral_id}/answers")
def answer_referral(
    referral_id: Id, body: Answers, request: Request, who: Who
) -> models.ReferralAnswered:
    """Answer per item. Idempotent: the same answer again is stored once."""
    with get_db(request).session() as session:
        done = responses.answer_referral(
            session, who, referral_id, [a.model_dump() for a in body.answers]
        )
        return models.ReferralAnswered.model_validate(done, from_attributes=True)


@router.get("/orders")
def list_orders(
    request: Request,
    who: Who,
    status: OrderStatus = OrderFilter.OPEN,
    since: Since = 0,
    limit: PageSize = 100,
) -> models.OrderPage:
    """Removal orders addressed to your platforms. Listing one counts as its receipt.
    `status`: open (default), closed or all."""
    with get_db(request).session() as session:  # it records the receipt: a write
        page, nxt = responses.list_orders(session, who, status=status, since=since, limit=limit)
        return models.OrderPage(
            orders=[models.PlatformOrder.model_validate(o) for o in page], next=nxt
        )


@router.post("/orders/{order_id}/ack")
def acknowledge_order(order_id: Id, request: Request, who: Who) -> models.OrderClock:
    with get_db(request).session() as session:
        order = responses.acknowledge_order(session, who, order_id)
        return order_clock_out(session, order)


class OrderAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: ActionName
    reason: Text | None = None
    detail: Text | None = None


@router.post("/orders/{order_id}/answer")
def answer_order(
    order_id: Id, body: OrderAnswer, request: Request, who: Who
) -> models.OrderAnswered:
    """Annex II (removed) or Annex III (impossible, with its reason) feedback, or a question."""
    with get_db(request).session() as session:
        done = responses.answer_order(session, who, order_id, body.model_dump())
        return models.OrderAnswered.model_validate(done, from_attributes=True)


class PauseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: PauseReasonName = Field(
        description="force_majeure (Art. 3(7)), manifest_error or insufficient_information "
        "(Art. 3(8))"
    )
    note: Text | None = None


@router.post("/orders/{order_id}/pause")
def pause_order(order_id: Id, body: PauseIn, request: Request, who: Who) -> models.OrderClock:
    with get_db(request).session() as session:
        referrals.pause_order(session, who, order_id, body.reason, body.note)
        return order_clock_out(session, referrals.get_order(session, order_id))


@router.post("/orders/{order_id}/resume")
def resume_order(order_id: Id, request: Request, who: Who) -> models.OrderClock:
    with get_db(request).session() as session:
        return order_clock_out(session, referrals.resume_order(session, who, order_id))
