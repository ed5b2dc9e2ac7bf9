"""The platform side of /api/v1: a platform agent lists and answers what is addressed to it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from takedown.services import referrals, responses
from takedown.services.units import Principal
from takedown.web.auth import get_db, principal
from takedown.web.names import (
    ActionName,
    Cursor,
    Id,
    Line,
    OrderStatus,
    PageSize,
    ReferralStatus,
    Text,
)

router = APIRouter(prefix="/platform", tags=["platform"])
Who = Annotated[Principal, Depends(principal)]
Since = Annotated[Cursor, Query(description="`next` from the previous page (an id cursor)")]


@router.get("/referrals")
def list_referrals(
    request: Request,
    who: Who,
    status: ReferralStatus = "open",
    since: Since = 0,
    limit: PageSize = 100,
) -> dict[str, Any]:
    """Referrals addressed to your platforms. `status`: open (default), acknowledged, closed
    or all."""
    with get_db(request).reading() as session:
        page, nxt = responses.list_referrals(session, who, status=status, since=since, limit=limit)
        return {"referrals": page, "next": nxt}


@router.post("/referrals/{referral_id}/ack")
def acknowledge_referral(referral_id: Id, request: Request, who: Who) -> dict[str, Any]:
    with get_db(request).session() as session:
        referral = responses.acknowledge_referral(session, who, referral_id)
        return {"referral_id": referral.id, "status": referral.status}


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
def answer_referral(referral_id: Id, body: Answers, request: Request, who: Who) -> dict[str, Any]:
    """Answer per item. Idempotent: the same answer again is stored once."""
    with get_db(request).session() as session:
        return responses.answer_referral(
            session, who, referral_id, [a.model_dump() for a in body.answers]
        )


@router.get("/orders")
def list_orders(
    request: Request,
    who: Who,
    status: OrderStatus = "open",
    since: Since = 0,
    limit: PageSize = 100,
) -> dict[str, Any]:
    """Removal orders addressed to your platforms. Listing one counts as its receipt."""
    with get_db(request).session() as session:  # it records the receipt: a write
        page, nxt = responses.list_orders(session, who, status=status, since=since, limit=limit)
        return {"orders": page, "next": nxt}


@router.post("/orders/{order_id}/ack")
def acknowledge_order(order_id: Id, request: Request, who: Who) -> dict[str, Any]:
    with get_db(request).session() as session:
        order = responses.acknowledge_order(session, who, order_id)
        return {"order_id": order.id, "clock": referrals.order_clock(session, order)}


class OrderAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: ActionName
    reason: Text | None = None
    detail: Text | None = None


@router.post("/orders/{order_id}/answer")
def answer_order(order_id: Id, body: OrderAnswer, request: Request, who: Who) -> dict[str, Any]:
    """Annex II (removed) or Annex III (impossible, with its reason) feedback, or a question."""
    with get_db(request).session() as session:
        return responses.answer_order(session, who, order_id, body.model_dump())


class PauseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Line = Field(
        max_length=32, description="force_majeure, manifest_error or insufficient_information"
    )
    note: Text | None = None


@router.post("/orders/{order_id}/pause")
def pause_order(order_id: Id, body: PauseIn, request: Request, who: Who) -> dict[str, Any]:
    with get_db(request).session() as session:
        referrals.pause_order(session, who, order_id, body.reason, body.note)
        order = referrals.get_order(session, order_id)
        return {"order_id": order.id, "clock": referrals.order_clock(session, order)}


@router.post("/orders/{order_id}/resume")
def resume_order(order_id: Id, request: Request, who: Who) -> dict[str, Any]:
    with get_db(request).session() as session:
        order = referrals.resume_order(session, who, order_id)
        return {"order_id": order.id, "clock": referrals.order_clock(session, order)}
