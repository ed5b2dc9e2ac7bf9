"""Drain the outbox: send one due delivery and record the attempt.

An attempt runs in three steps so that no database transaction stays open while a platform
answers: (1) *claim* the row with one conditional UPDATE that pushes ``next_attempt_at`` a
lease ahead (two workers never send the same delivery at once; a worker that dies mid-send
only delays it until the lease ends); (2) *send* through the channel; (3) *record* the outcome
with its audit event. Success: ``delivered`` (and an order's 1-hour clock starts). Failure:
``attempts`` + 1 and a retry after ``webhook_backoff · 2^(attempts-1)`` seconds with jitter,
or the receiver's ``Retry-After``; after ``webhook_max_attempts`` failures, ``dead`` until an
operator retries it.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import update
from sqlalchemy.engine import CursorResult

from takedown.config import Settings
from takedown.delivery.channel import Channel, Message, Outcome
from takedown.delivery.console import ConsoleChannel
from takedown.delivery.email import EmailChannel
from takedown.delivery.webhook import WebhookChannel
from takedown.errors import UserError
from takedown.services.referrals import get_order, mark_received
from takedown.store import audit
from takedown.store.db import Database
from takedown.store.models import Unit, utcnow
from takedown.store.referrals import Delivery

log = logging.getLogger(__name__)
LEASE_SLACK = 60.0  # seconds beyond the send timeout before a claimed delivery is due again
ACTOR = "system:delivery"


def channels_for(settings: Settings) -> dict[str, Channel]:
    """The implementation of each channel that ``delivery_backend`` chooses."""
    if settings.delivery_backend == "console":
        return {"webhook": ConsoleChannel("webhook"), "email": ConsoleChannel("email")}
    if settings.delivery_backend == "real":
        try:
            webhook = WebhookChannel(
                settings.webhook_timeout, allow_networks=settings.outbound_allow_networks
            )
        except ValueError as exc:  # a network in TAKEDOWN_OUTBOUND_ALLOW_NETWORKS that is not
            raise UserError(str(exc)) from None
        return {"webhook": webhook, "email": EmailChannel(settings)}
    raise UserError(
        f"TAKEDOWN_DELIVERY_BACKEND={settings.delivery_backend!r} is not a delivery backend: "
        "use real or console"
    )


def aware(when: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def retry_delay(settings: Settings, attempts: int, outcome: Outcome, rng: random.Random) -> float:
    """Seconds until the next attempt after ``attempts`` failures."""
    if outcome.retry_after is not None:
        return outcome.retry_after
    base: float = settings.webhook_backoff * 2.0 ** max(attempts - 1, 0)
    return base * rng.uniform(0.8, 1.2)  # jitter: retries from one outage do not stampede


@dataclass(frozen=True)
class Attempt:
    """What one call of ``deliver`` did; ``status`` is ``skipped`` when nothing was due."""

    delivery_id: int
    status: str
    attempts: int = 0
    error: str | None = None
    next_attempt_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "delivery_id": self.delivery_id,
            "status": self.status,
            "attempts": self.attempts,
            "error": self.error,
            "next_attempt_at": self.next_attempt_at,
        }


def claim(db: Database, delivery_id: int, settings: Settings, now: datetime) -> Message | None:
    """Take the delivery if it is pending and due; None when it is not (or another took it)."""
    lease = now + timedelta(seconds=settings.webhook_timeout + LEASE_SLACK)
    with db.session() as session:
        result = cast(
            "CursorResult[Any]",
            session.execute(
                update(Delivery)
                .where(
                    Delivery.id == delivery_id,
                    Delivery.status == "pending",
                    Delivery.next_attempt_at <= now,
                )
                .values(next_attempt_at=lease)
                .execution_options(synchronize_session=False)
            ),
        )
        # The lease is bookkeeping, not a change of state: the attempt's outcome is audited.
        if result.rowcount != 1:
            return None
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        unit = session.get(Unit, delivery.unit_id)
        assert unit is not None
        return Message(
            delivery_id=delivery.id,
            channel=delivery.channel,
            subject_type=delivery.subject_type,
            subject_id=delivery.subject_id,
            payload=dict(delivery.payload or {}),
            unit_name=unit.name,
            webhook_url=unit.webhook_url,
            webhook_secret=unit.webhook_secret,
            email=unit.email,
        )


def send(channels: dict[str, Channel], message: Message) -> Outcome:
    channel = channels.get(message.channel)
    if channel is None:
        return Outcome(False, error=f"unknown delivery channel {message.channel!r}")
    try:
        return channel.send(message)
    except Exception as exc:  # a bug in a channel must not leave the delivery unrecorded
        log.exception("delivery %s: channel %s failed", message.delivery_id, message.channel)
        return Outcome(False, error=f"{type(exc).__name__} in the {message.channel} channel")


def record(
    db: Database,
    message: Message,
    outcome: Outcome,
    settings: Settings,
    now: datetime,
    rng: random.Random,
) -> Attempt:
    with db.session() as session:
        delivery = session.get(Delivery, message.delivery_id)
        assert delivery is not None
        delivery.attempts += 1
        change: dict[str, Any] = {
            "channel": delivery.channel,
            "unit_id": delivery.unit_id,
            "subject_type": delivery.subject_type,
            "subject_id": delivery.subject_id,
            "attempt": delivery.attempts,
            "status_code": outcome.status_code,
        }
        if outcome.ok:
            delivery.status = "delivered"
            delivery.delivered_at = now
            delivery.last_error = None
            action = "delivery.delivered"
        else:
            delivery.last_error = outcome.error or "failed"
            change["error"] = delivery.last_error
            if delivery.attempts >= settings.webhook_max_attempts:
                delivery.status = "dead"
                action = "delivery.dead"
            else:
                wait = retry_delay(settings, delivery.attempts, outcome, rng)
                delivery.next_attempt_at = now + timedelta(seconds=wait)
                change["next_attempt_at"] = delivery.next_attempt_at
                action = "delivery.failed"
        audit.record(
            session,
            actor=ACTOR,
            action=action,
            object_type="delivery",
            object_id=delivery.id,
            change=change,
        )
        if outcome.ok and outcome.received and delivery.subject_type == "order":
            mark_received(session, get_order(session, delivery.subject_id), via=delivery.channel)
        if delivery.status == "dead":
            log.warning(
                "delivery %s to unit %s is dead after %s attempts: %s",
                delivery.id,
                message.unit_name,
                delivery.attempts,
                delivery.last_error,
            )
        return Attempt(
            delivery.id,
            delivery.status,
            delivery.attempts,
            delivery.last_error,
            aware(delivery.next_attempt_at) if delivery.status == "pending" else None,
        )


def deliver(
    db: Database,
    delivery_id: int,
    settings: Settings,
    now: datetime | None = None,
    *,
    channels: dict[str, Channel] | None = None,
    rng: random.Random | None = None,
) -> Attempt:
    """Send one due delivery and record the attempt; ``skipped`` when it was not due."""
    start = now or utcnow()
    channels = channels or channels_for(settings)  # a setting it refuses claims nothing
    message = claim(db, delivery_id, settings, start)
    if message is None:
        return Attempt(delivery_id, "skipped")
    outcome = send(channels, message)
    return record(db, message, outcome, settings, now or utcnow(), rng or random.Random())
