"""Webhook push against a real HTTP server on 127.0.0.1: signed, retried, dead-lettered."""

from __future__ import annotations

import json
import random
from datetime import timedelta

from sqlalchemy import select

from takedown.config import Settings
from takedown.delivery.outbox import deliver
from takedown.delivery.signing import verify_signature
from takedown.store.db import Database
from takedown.store.models import AuditEvent, utcnow
from takedown.store.referrals import Delivery

from .helpers import delivery, make_world, refer, webhook_server


def _audit_actions(db: Database, delivery_id: int) -> list[str]:
    with db.session() as s:
        return list(
            s.scalars(
                select(AuditEvent.action)
                .where(
                    AuditEvent.object_type == "delivery", AuditEvent.object_id == str(delivery_id)
                )
                .order_by(AuditEvent.id)
            )
        )


def test_a_referral_is_pushed_signed_and_the_platform_can_verify_it(
    db: Database, settings: Settings
) -> None:
    with webhook_server() as receiver:
        world = make_world(db, webhook_url=receiver.url)
        [delivery_id] = refer(db, world)
        attempt = deliver(db, delivery_id, settings)
    assert attempt.status == "delivered"
    [request] = receiver.requests
    assert request.path == "/hooks/takedown"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-takedown-event"] == "referral"
    assert request.headers["x-takedown-delivery"] == str(delivery_id)
    assert world.secret is not None
    signature = request.headers["x-takedown-signature"]
    ident = request.headers["x-takedown-delivery"]
    assert verify_signature(world.secret, signature, request.body, delivery=ident)
    assert not verify_signature(world.secret, signature, request.body + b" ", delivery=ident)
    assert not verify_signature("another secret", signature, request.body, delivery=ident)
    # the delivery id is signed: the same request under another id does not verify
    assert not verify_signature(world.secret, signature, request.body, delivery=ident + "0")
    assert world.secret not in json.dumps(request.headers)  # only the HMAC travels
    sent = request.json()
    assert sent["type"] == "referral"
    assert sorted(i["item_id"] for i in sent["items"]) == sorted(world.item_ids)
    row = delivery(db, delivery_id)
    assert (row.status, row.attempts, row.last_error) == ("delivered", 1, None)
    assert row.delivered_at is not None
    assert _audit_actions(db, delivery_id) == ["delivery.delivered"]


def test_a_delivered_delivery_is_not_sent_twice(db: Database, settings: Settings) -> None:
    with webhook_server() as receiver:
        world = make_world(db, webhook_url=receiver.url)
        [delivery_id] = refer(db, world)
        assert deliver(db, delivery_id, settings).status == "delivered"
        assert deliver(db, delivery_id, settings).status == "skipped"
    assert len(receiver.requests) == 1


def test_failures_back_off_honour_retry_after_and_end_dead(
    db: Database, settings: Settings
) -> None:
    """500, then 429 with Retry-After, then 500 again: dead after webhook_max_attempts (3)."""
    rng = random.Random(7)
    with webhook_server() as receiver:
        receiver.script = [(500, {}), (429, {"Retry-After": "120"}), (500, {})]
        world = make_world(db, webhook_url=receiver.url)
        [delivery_id] = refer(db, world)
        now = utcnow()

        first = deliver(db, delivery_id, settings, now, rng=rng)
        assert (first.status, first.attempts, first.error) == (
            "pending",
            1,
            "HTTP 500 Internal Server Error",
        )
        assert first.next_attempt_at is not None
        # backoff 30 s · 2^0, with ±20 % jitter
        assert timedelta(seconds=24) <= first.next_attempt_at - now <= timedelta(seconds=36)
        # not due yet: nothing is sent
        assert deliver(db, delivery_id, settings, now + timedelta(seconds=10)).status == "skipped"

        now = first.next_attempt_at
        second = deliver(db, delivery_id, settings, now, rng=rng)
        assert (second.status, second.attempts) == ("pending", 2)
        assert second.next_attempt_at == now + timedelta(seconds=120)  # what the platform asked

        third = deliver(db, delivery_id, settings, second.next_attempt_at, rng=rng)
        assert (third.status, third.attempts) == ("dead", 3)
        assert deliver(db, delivery_id, settings, utcnow() + timedelta(days=1)).status == "skipped"
    assert len(receiver.requests) == 3
    row = delivery(db, delivery_id)
    assert (row.status, row.last_error) == ("dead", "HTTP 500 Internal Server Error")
    assert _audit_actions(db, delivery_id) == [
        "delivery.failed",
        "delivery.failed",
        "delivery.dead",
    ]


def test_backoff_doubles_per_attempt(db: Database, settings: Settings) -> None:
    settings = settings.model_copy(update={"webhook_max_attempts": 5, "webhook_backoff": 10.0})
    with webhook_server() as receiver:
        receiver.default = (502, {})
        world = make_world(db, webhook_url=receiver.url)
        [delivery_id] = refer(db, world)
        now = utcnow()
        waits = []
        for _ in range(4):
            attempt = deliver(db, delivery_id, settings, now)
            assert attempt.next_attempt_at is not None
            waits.append((attempt.next_attempt_at - now).total_seconds())
            now = attempt.next_attempt_at
    for n, wait in enumerate(waits):
        assert 10 * 2**n * 0.8 <= wait <= 10 * 2**n * 1.2


def test_an_unreachable_endpoint_is_a_failed_attempt(db: Database, settings: Settings) -> None:
    with webhook_server() as receiver:
        url = receiver.url
    # the server is gone: connection refused on that port
    world = make_world(db, webhook_url=url)
    [delivery_id] = refer(db, world)
    attempt = deliver(db, delivery_id, settings)
    assert attempt.status == "pending"
    assert attempt.error is not None and "ConnectError" in attempt.error
    assert url not in attempt.error


def test_a_delivery_claimed_by_another_worker_is_skipped(db: Database, settings: Settings) -> None:
    from takedown.delivery.outbox import claim

    with webhook_server() as receiver:
        world = make_world(db, webhook_url=receiver.url)
        [delivery_id] = refer(db, world)
        now = utcnow()
        assert claim(db, delivery_id, settings, now) is not None  # worker A holds the lease
        assert deliver(db, delivery_id, settings, now).status == "skipped"  # worker B
        # when A died, the lease runs out and the delivery is due again
        later = now + timedelta(seconds=settings.webhook_timeout + 61)
        assert deliver(db, delivery_id, settings, later).status == "delivered"
    assert len(receiver.requests) == 1


def test_the_console_backend_sends_nothing_and_counts_as_delivered(
    db: Database, settings: Settings
) -> None:
    settings = settings.model_copy(update={"delivery_backend": "console"})
    with webhook_server() as receiver:
        world = make_world(db, webhook_url=receiver.url)
        [delivery_id] = refer(db, world)
        assert deliver(db, delivery_id, settings).status == "delivered"
    assert receiver.requests == []
    with db.session() as s:
        assert s.scalar(select(Delivery.status).where(Delivery.id == delivery_id)) == "delivered"
