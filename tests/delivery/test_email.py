"""Email over SMTP to a real aiosmtpd server on 127.0.0.1; removal orders start their clock."""

from __future__ import annotations

import email
import json
from email.message import Message

from sqlalchemy import select

from takedown.config import Settings
from takedown.delivery.outbox import deliver
from takedown.services import referrals
from takedown.store.db import Database
from takedown.store.referrals import Delivery, RemovalOrder

from .helpers import World, make_world, refer, smtp_server, webhook_server


def _parse(raw: bytes) -> Message:
    return email.message_from_bytes(raw)


def _text(mail: Message) -> str:
    for part in mail.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode("utf-8")
    raise AssertionError("no text part")


def test_a_referral_email_lists_its_urls(db: Database, settings: Settings) -> None:
    with smtp_server() as (mailbox, port):
        world = make_world(db, email="abuse@telegram.example")
        [delivery_id] = refer(db, world)
        settings = settings.model_copy(
            update={"smtp_port": port, "smtp_from": "irl@police.example"}
        )
        assert deliver(db, delivery_id, settings).status == "delivered"
    [envelope] = mailbox.messages
    assert envelope.mail_from == "irl@police.example"
    assert envelope.rcpt_tos == ["abuse@telegram.example"]
    mail = _parse(envelope.content)
    assert "Referral" in mail["Subject"] and "2 items" in mail["Subject"]
    body = _text(mail)
    assert "https://t.me/lorem_ipsum_chan/12" in body
    assert "https://t.me/dolor_sit_amet/345" in body
    attachment = next(p for p in mail.walk() if p.get_content_type() == "application/json")
    data = attachment.get_payload(decode=True)
    assert isinstance(data, bytes)
    assert json.loads(data)["type"] == "referral"


def test_smtp_login_is_used_when_configured(db: Database, settings: Settings) -> None:
    seen: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        from aiosmtpd.smtp import AuthResult

        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    with smtp_server(authenticator=authenticator, auth_require_tls=False) as (mailbox, port):
        world = make_world(db, email="abuse@telegram.example")
        [delivery_id] = refer(db, world)
        right = settings.model_copy(
            update={"smtp_port": port, "smtp_user": "irl", "smtp_password": "s3cret"}
        )
        assert deliver(db, delivery_id, right).status == "delivered"
    assert seen == [(b"irl", b"s3cret")]
    assert len(mailbox.messages) == 1


def test_an_unreachable_smtp_server_is_a_failed_attempt(db: Database, settings: Settings) -> None:
    world = make_world(db, email="abuse@telegram.example")
    [delivery_id] = refer(db, world)
    with smtp_server() as (_mailbox, port):
        pass  # the server is gone
    attempt = deliver(db, delivery_id, settings.model_copy(update={"smtp_port": port}))
    assert attempt.status == "pending"
    assert attempt.error is not None


def _order(db: Database, world: World) -> tuple[int, str, list[int]]:
    """Issue a removal order for the first item; returns it, its reference (takedown's own)
    and its outbox rows."""
    with db.session() as s:
        order = referrals.issue_removal_order(
            s,
            world.senior,
            world.item_ids[0],
            grounds=["a", "c"],
            reasons="Lorem ipsum dolor sit amet.",
            redress="Appeal to the Verwaltungsgericht within one month.",
        )
        reference = order.reference
    with db.session() as s:
        ids = s.scalars(
            select(Delivery.id).where(
                Delivery.subject_type == "order", Delivery.subject_id == order.id
            )
        ).all()
    return order.id, reference, list(ids)


def test_an_order_email_carries_the_annex_i_fields_and_starts_the_clock(
    db: Database, settings: Settings
) -> None:
    world = make_world(db, email="legal@telegram.example")
    with smtp_server() as (mailbox, port):
        order_id, reference, [delivery_id] = _order(db, world)
        with db.session() as s:
            assert s.get(RemovalOrder, order_id).received_at is None  # type: ignore[union-attr]
        settings = settings.model_copy(update={"smtp_port": port})
        assert deliver(db, delivery_id, settings).status == "delivered"
    [envelope] = mailbox.messages
    mail = _parse(envelope.content)
    assert reference.startswith("DE-") and reference in mail["Subject"]
    body = _text(mail)
    for expected in (
        f"Reference: {reference}",
        "Issuing authority: DE-IRU",
        "Exact URL of the content: https://t.me/lorem_ipsum_chan/12",
        "Art. 2(7)(a), Art. 2(7)(c)",
        "Reasons: Lorem ipsum dolor sit amet.",
        "Redress: Appeal to the Verwaltungsgericht within one month.",
    ):
        assert expected in body
    with db.session() as s:
        order = s.get(RemovalOrder, order_id)
        assert order is not None and order.received_at is not None


def test_an_order_pushed_by_webhook_starts_the_clock_on_a_2xx(
    db: Database, settings: Settings
) -> None:
    with webhook_server() as receiver:
        receiver.script = [(503, {"Retry-After": "5"})]
        world = make_world(db, webhook_url=receiver.url)
        order_id, reference, [delivery_id] = _order(db, world)
        first = deliver(db, delivery_id, settings)
        with db.session() as s:
            assert s.get(RemovalOrder, order_id).received_at is None  # type: ignore[union-attr]
        assert first.next_attempt_at is not None
        assert deliver(db, delivery_id, settings, first.next_attempt_at).status == "delivered"
    assert receiver.requests[-1].json()["reference"] == reference
    with db.session() as s:
        assert s.get(RemovalOrder, order_id).received_at is not None  # type: ignore[union-attr]
