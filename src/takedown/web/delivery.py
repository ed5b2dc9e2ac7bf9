"""The delivery outbox over HTTP, for operators: the dead-letter queue and retries.

``GET /api/v1/deliveries?status=dead`` lists deliveries (newest first, ``next`` pages back);
``POST /api/v1/deliveries/{id}/retry`` sends one again now. Coordinators and admins retry;
auditors read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from takedown.domain.statuses import Channel, DeliveryStatus, Subject
from takedown.services.delivery import delivery_view, list_deliveries, retry_delivery
from takedown.services.units import Principal
from takedown.web.auth import get_db, principal
from takedown.web.models import Out, Timestamp
from takedown.web.names import DeliveryStatusName, Id, ItemPageSize

router = APIRouter(tags=["deliveries"])


class DeliveryOut(Out):
    id: int
    unit: str | None = Field(description="The platform unit it is addressed to.")
    channel: Channel
    subject_type: Subject
    subject_id: int
    status: DeliveryStatus = Field(description="`dead` is the dead-letter state.")
    attempts: int
    next_attempt_at: Timestamp | None
    last_error: str | None
    delivered_at: Timestamp | None
    created_at: Timestamp | None


class DeliveryPage(Out):
    deliveries: list[DeliveryOut]
    next: int | None = Field(description="Pass as `before` for the next (older) page.")


@router.get("/deliveries", response_model=DeliveryPage)
def get_deliveries(
    request: Request,
    who: Annotated[Principal, Depends(principal)],
    status: Annotated[
        DeliveryStatusName | None, Query(description="pending, delivered or dead")
    ] = None,
    limit: Annotated[ItemPageSize, Query()] = 100,
    before: Annotated[Id | None, Query(description="Only deliveries with a smaller id.")] = None,
) -> DeliveryPage:
    """Deliveries to platforms; `?status=dead` is the dead-letter queue."""
    with get_db(request).reading() as session:
        rows = list_deliveries(session, who, status, limit=limit, before=before)
        views = [DeliveryOut(**delivery_view(session, d)) for d in rows]
    more = len(rows) == limit and rows
    return DeliveryPage(deliveries=views, next=rows[-1].id if more else None)


@router.post("/deliveries/{delivery_id}/retry", response_model=DeliveryOut)
def post_retry(
    delivery_id: Id, request: Request, who: Annotated[Principal, Depends(principal)]
) -> DeliveryOut:
    """Send a dead (or waiting) delivery again now, with a fresh count of attempts."""
    with get_db(request).session() as session:
        delivery = retry_delivery(session, who, delivery_id)
        view = DeliveryOut(**delivery_view(session, delivery))
    return view
