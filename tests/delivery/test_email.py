"""Email over SMTP to a real aiosmtpd server on 127.0.0.1; removal orders start their clock."""

from __future__ import annotations

import email
import json
from email.message import Message

import pytest
from sqlalchemy import select, update

from takedown.config import Settings
from takedown.delivery.channel import Message as EmailMessage
from takedown.delivery.email import EmailChannel
from takedown.delivery.outbox import deliver
from takedown.errors import UserError
from takedown.services import referrals, units
from takedown.store.db import Database
from takedown.store.models import Unit
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


# -- CR, LF and other control characters never reach a header --------------------------------

INJECTED = "DE-1\r\nBcc: victim@elsewhere.example\r\nX-Injected: 1"


def _order_message(email: str = "legal@telegram.example", **payload: object) -> EmailMessage:
    return EmailMessage(
        delivery_id=9,
        channel="email",
        subject_type="order",
        subject_id=3,
        payload={
            "type": "removal_order",
            "reference": INJECTED,
            "issuing_authority": "DE-IRU\nAddressee (hosting service provider): someone else",
            "url": "https://t.me/lorem\r\n/12",
            "grounds": ["a"],
            **payload,
        },
        unit_name="TG",
        email=email,
    )


def test_control_characters_in_an_orders_fields_are_escaped_not_sent_as_headers(
    settings: Settings,
) -> None:
    """A reference with CR LF used to raise out of compose, and the delivery was retried
    until dead; now each value stays on its line, shown with its escapes."""
    with smtp_server() as (mailbox, port):
        channel = EmailChannel(settings.model_copy(update={"smtp_port": port}))
        outcome = channel.send(_order_message())
    assert outcome.ok and outcome.received, outcome.error
    [envelope] = mailbox.messages
    assert envelope.rcpt_tos == ["legal@telegram.example"]
    mail = _parse(envelope.content)
    assert mail["Bcc"] is None and mail["X-Injected"] is None
    assert (
        mail["Subject"]
        .replace("\r\n", "")
        .startswith(  # unfolded
            "[takedown] Removal order DE-1\\r\\nBcc: victim@elsewhere.example\\r\\nX-Injected: 1"
        )
    )
    body = _text(mail).replace("\r\n", "\n")  # the message's own line ends
    assert "Reference: DE-1\\r\\nBcc: victim@elsewhere.example\\r\\nX-Injected: 1\n" in body
    assert "Issuing authority: DE-IRU\\nAddressee (hosting service provider): someone" in body
    assert "Exact URL of the content: https://t.me/lorem\\r\\n/12\n" in body
    assert "\nAddressee (hosting service provider): someone" not in body


def test_an_address_with_a_control_character_fails_that_delivery_clearly(
    db: Database, settings: Settings
) -> None:
    """Stored before configure_delivery refused it: the attempt fails with the reason, and
    nothing is sent (no second recipient smuggled in)."""
    world = make_world(db, email="abuse@telegram.example")
    with db.session() as s:
        s.execute(
            update(Unit)
            .where(Unit.id == world.platform_unit_id)
            .values(email="abuse@telegram.example\r\nBcc: victim@elsewhere.example")
        )
    [delivery_id] = refer(db, world)
    with smtp_server() as (mailbox, port):
        attempt = deliver(db, delivery_id, settings.model_copy(update={"smtp_port": port}))
        bad_sender = EmailChannel(
            settings.model_copy(update={"smtp_port": port, "smtp_from": "irl@x\nBcc: y@z"})
        ).send(_order_message())
    assert mailbox.messages == []
    assert attempt.status == "pending" and attempt.error is not None
    assert attempt.error.startswith("cannot compose the email: unit TG's email ")
    assert "is not one email address" in attempt.error
    assert not bad_sender.ok and bad_sender.error is not None
    assert "TAKEDOWN_SMTP_FROM 'irl@x\\\\nBcc: y@z'" in bad_sender.error


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "abuse@telegram.example\n"),
        ("email", "abuse@telegram.example\r\nBcc: victim@elsewhere.example"),
        ("email", "abuse@tele\x00gram.example"),
        ("contact", "Trust & Safety\r\nX-Injected: 1"),
        ("webhook_url", "https://hooks.tg.example/\r\nx"),
        ("webhook_secret", "secret\nwith a line break"),
    ],
)
def test_configuring_delivery_refuses_control_characters(
    db: Database, field: str, value: str
) -> None:
    make_world(db)
    with db.session() as s:
        tg = units.get_unit(s, "TG")
        with pytest.raises(UserError, match="contains a control character") as refused:
            units.configure_delivery(s, tg, actor="test", **{field: value})
    if field == "webhook_secret":
        assert "secret" not in str(refused.value).removeprefix("webhook secret")
    with db.session() as s:
        tg = units.get_unit(s, "TG")
        assert (tg.email, tg.contact, tg.webhook_url) == (None, None, None)
