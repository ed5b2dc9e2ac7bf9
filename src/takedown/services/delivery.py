"""The outbox as operators see it: list deliveries, find the due ones, retry a dead one.

Sending lives in ``takedown.delivery.outbox``; the jobs call it with ids. A delivery is
``pending`` until a channel accepts it (``delivered``) or it has failed
``webhook_max_attempts`` times (``dead``: the dead-letter state, visible here until an
operator retries it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from takedown.errors import NotFound, UserError
from takedown.services.access import authorize
from takedown.services.units import Principal
from takedown.store import audit
from takedown.store.models import Unit, utcnow
from takedown.store.referrals import Delivery

STATUSES = ("pending", "delivered", "dead")


def list_deliveries(
    session: Session,
    who: Principal,
    status: str | None = None,
    *,
    limit: int = 500,
    before: int | None = None,
) -> list[Delivery]:
    """Deliveries, newest first; ``before`` (an id) pages back through older ones."""
    authorize(who, "deliveries.read")
    query = select(Delivery).order_by(Delivery.id.desc()).limit(max(1, min(limit, 5000)))
    if status is not None:
        if status not in STATUSES:
            raise UserError(
                f"unknown delivery status {status!r}; use one of: {', '.join(STATUSES)}"
            )
        query = query.where(Delivery.status == status)
    if before is not None:
        query = query.where(Delivery.id < before)
    return list(session.scalars(query))


def delivery_view(session: Session, delivery: Delivery) -> dict[str, Any]:
    """A delivery as the CLI and the API show it (the payload is left out; it can be large)."""
    unit = session.get(Unit, delivery.unit_id)
    return {
        "id": delivery.id,
        "unit": unit.name if unit is not None else None,
        "channel": delivery.channel,
        "subject_type": delivery.subject_type,
        "subject_id": delivery.subject_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at if delivery.status == "pending" else None,
        "last_error": delivery.last_error,
        "delivered_at": delivery.delivered_at,
        "created_at": delivery.created_at,
    }


def get_delivery(session: Session, delivery_id: int) -> Delivery:
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound(f"no delivery with id {delivery_id}")
    return delivery


def retry_delivery(
    session: Session,
    who: Principal,
    delivery_id: int,
    now: datetime | None = None,
    *,
    actor: str | None = None,
) -> Delivery:
    """Send a dead (or waiting) delivery again now, with a fresh count of attempts.

    The id is queued in ``session.info`` so the jobs layer enqueues it after commit.
    ``actor`` names who did it in the audit trail when it is not ``who`` (the CLI's user).
    """
    authorize(who, "deliveries.retry")
    delivery = get_delivery(session, delivery_id)
    if delivery.status == "delivered":
        raise UserError(f"delivery {delivery.id} was already delivered; nothing to retry")
    before = {"status": delivery.status, "attempts": delivery.attempts}
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = now or utcnow()
    audit.record(
        session,
        actor=actor or who.actor,
        action="delivery.retry",
        object_type="delivery",
        object_id=delivery.id,
        change={"before": before, "last_error": delivery.last_error},
    )
    session.flush()
    session.info.setdefault("deliveries", []).append(delivery.id)
    return delivery


def due_deliveries(session: Session, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Ids of pending deliveries whose next attempt is due, oldest first."""
    return list(
        session.scalars(
            select(Delivery.id)
            .where(Delivery.status == "pending", Delivery.next_attempt_at <= (now or utcnow()))
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(limit)
        )
    )


def pending_deliveries(session: Session) -> list[tuple[int, datetime]]:
    """Every pending delivery with its next attempt time: the work to re-derive at start-up."""
    rows = session.execute(
        select(Delivery.id, Delivery.next_attempt_at)
        .where(Delivery.status == "pending")
        .order_by(Delivery.id)
    ).all()
    return [(i, at or utcnow()) for i, at in rows]
