"""Webhook targets go through the checker's guard: at configuration and at every delivery.

Real receivers on loopback; a name that resolves somewhere goes through a stub resolver, so
no packet leaves the machine. Only 127.0.0.1/32 is ever allowed, and only where a test says.
"""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import update

from takedown.checker import StubResolver
from takedown.config import Settings
from takedown.delivery.channel import Message
from takedown.delivery.outbox import deliver
from takedown.delivery.webhook import WebhookChannel
from takedown.errors import UserError
from takedown.services import units
from takedown.store.db import Database
from takedown.store.models import Unit

from .helpers import LOOPBACK, delivery, make_world, refer, webhook_server

INTERNAL = b"internal-service-answer: do not show"
INSIDE = [
    "http://127.0.0.2:8080/hook",
    "http://localhost/hook",
    "http://api.localhost/hook",
    "http://[::1]:9000/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://10.0.0.5/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://[::ffff:127.0.0.1]/",
    "https://[64:ff9b::a00:1]/",
    "http://a..b/",
]


def _point_at(db: Database, url: str) -> None:
    """Store a webhook URL as one configured before the guard would have been: unvetted."""
    with db.session() as s:
        s.execute(
            update(Unit)
            .where(Unit.name == "TG")
            .values(webhook_url=url, webhook_secret="lorem-secret")
        )


def _message(url: str) -> Message:
    return Message(
        delivery_id=7,
        channel="webhook",
        subject_type="referral",
        subject_id=1,
        payload={"type": "referral", "referral_id": 1, "items": []},
        unit_name="TG",
        webhook_url=url,
        webhook_secret="lorem-secret",
    )


@pytest.mark.parametrize("url", INSIDE)
def test_a_webhook_url_on_an_internal_address_is_refused_at_configuration(
    db: Database, url: str
) -> None:
    make_world(db)
    with db.session() as s:
        tg = units.get_unit(s, "TG")
        with pytest.raises(UserError, match="is refused: ") as refused:
            units.configure_delivery(s, tg, actor="test", webhook_url=url, allow_networks=[])
    assert "TAKEDOWN_OUTBOUND_ALLOW_NETWORKS" in str(refused.value)
    with db.session() as s:
        assert units.get_unit(s, "TG").webhook_url is None


def test_allowing_127_0_0_1_opens_that_address_only(db: Database) -> None:
    make_world(db)
    with db.session() as s:
        tg = units.get_unit(s, "TG")
        for url in ("http://127.0.0.2:8080/hook", "http://[::1]/", "http://[::ffff:127.0.0.1]/"):
            with pytest.raises(UserError, match="is refused: "):
                units.configure_delivery(
                    s, tg, actor="test", webhook_url=url, allow_networks=LOOPBACK
                )
        for url in ("http://127.0.0.1:8080/hook", "http://localhost:8080/hook"):
            units.configure_delivery(s, tg, actor="test", webhook_url=url, allow_networks=LOOPBACK)
            assert tg.webhook_url == url


def test_configuration_reads_the_setting_and_resolves_no_name(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from takedown.config import get_settings

    make_world(db)
    monkeypatch.delenv("TAKEDOWN_OUTBOUND_ALLOW_NETWORKS", raising=False)
    get_settings.cache_clear()
    with db.session() as s:
        tg = units.get_unit(s, "TG")
        with pytest.raises(UserError, match=r"127\.0\.0\.1 is loopback"):
            units.configure_delivery(s, tg, actor="test", webhook_url="http://127.0.0.1:9/")
        # a name is vetted where it is resolved, at each delivery; here nothing is looked up
        units.configure_delivery(s, tg, actor="test", webhook_url="https://hooks.tg.example/x")
    monkeypatch.setenv("TAKEDOWN_OUTBOUND_ALLOW_NETWORKS", json.dumps(LOOPBACK))
    get_settings.cache_clear()
    try:
        with db.session() as s:
            tg = units.get_unit(s, "TG")
            units.configure_delivery(s, tg, actor="test", webhook_url="http://127.0.0.1:9/")
            assert tg.webhook_url == "http://127.0.0.1:9/"
    finally:
        get_settings.cache_clear()


def test_a_webhook_to_loopback_is_refused_at_delivery_without_the_allowance(
    db: Database, settings: Settings
) -> None:
    with webhook_server(body=INTERNAL) as receiver:
        world = make_world(db)
        _point_at(db, receiver.url)
        [delivery_id] = refer(db, world)
        closed = settings.model_copy(update={"outbound_allow_networks": []})
        attempt = deliver(db, delivery_id, closed)
    assert receiver.requests == []  # nothing was sent, not even a connection
    assert attempt.status == "pending"
    assert attempt.error is not None
    assert attempt.error.startswith("refused: address 127.0.0.1 is loopback")
    assert receiver.url not in attempt.error


def test_allowing_127_0_0_1_does_not_open_127_0_0_2_and_no_answer_reaches_the_log(
    db: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """A receiver on 127.0.0.2 that would answer with internal data gets no request at all,
    and the delivery's error (which its audit event repeats) and the log show nothing it
    could have said."""
    with webhook_server("127.0.0.2", body=INTERNAL, reason="Internal Details") as receiver:
        receiver.default = (500, {"X-Internal": "yes"})
        world = make_world(db)
        _point_at(db, receiver.url)
        [delivery_id] = refer(db, world)
        with caplog.at_level(logging.DEBUG):
            attempt = deliver(db, delivery_id, settings)  # allows 127.0.0.1/32 only
    assert receiver.requests == []
    assert attempt.error is not None and "address 127.0.0.2 is loopback" in attempt.error
    row = delivery(db, delivery_id)
    logged = json.dumps([row.last_error, row.status, caplog.text])
    assert "refused" in logged
    for secret in ("internal-service-answer", "Internal Details", "X-Internal"):
        assert secret not in logged


def test_an_allowed_receivers_answer_body_never_reaches_the_log(
    db: Database, settings: Settings
) -> None:
    with webhook_server(body=INTERNAL) as receiver:
        receiver.default = (500, {})
        world = make_world(db, webhook_url=receiver.url)
        [delivery_id] = refer(db, world)
        attempt = deliver(db, delivery_id, settings)
    assert attempt.error == "HTTP 500 Internal Server Error"
    assert len(receiver.requests) == 1


def test_a_name_is_resolved_vetted_and_connected_to_by_its_vetted_address() -> None:
    """hooks.tg.example resolves (stub) to 127.0.0.1: the POST goes to that address, with
    the name in the Host header; to 10.0.0.7 (a private address): refused, nothing sent."""
    with webhook_server() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        url = f"http://hooks.tg.example:{port}/hooks/takedown"
        inside = StubResolver({"hooks.tg.example": ["10.0.0.7"]})
        refused = WebhookChannel(5.0, allow_networks=LOOPBACK, resolver=inside).send(_message(url))
        assert receiver.requests == []
        assert refused.error is not None and "10.0.0.7 is private" in refused.error
        assert url not in refused.error
        mixed = StubResolver({"hooks.tg.example": ["127.0.0.1", "10.0.0.7"]})
        one_bad = WebhookChannel(5.0, allow_networks=LOOPBACK, resolver=mixed).send(_message(url))
        assert not one_bad.ok and receiver.requests == []  # one bad answer refuses the name
        here = StubResolver({"hooks.tg.example": ["127.0.0.1"]})
        sent = WebhookChannel(5.0, allow_networks=LOOPBACK, resolver=here).send(_message(url))
    assert sent.ok and sent.received
    [request] = receiver.requests
    assert request.headers["host"] == f"hooks.tg.example:{port}"
    assert request.headers["x-takedown-delivery"] == "7"


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    db: Database, settings: Settings
) -> None:
    with webhook_server() as elsewhere, webhook_server() as receiver:
        receiver.default = (307, {"Location": elsewhere.url})
        world = make_world(db, webhook_url=receiver.url)
        [delivery_id] = refer(db, world)
        attempt = deliver(db, delivery_id, settings)
    assert attempt.status == "pending"
    assert attempt.error == (
        "HTTP 307 Temporary Redirect: redirects are not followed; configure the final URL"
    )
    assert len(receiver.requests) == 1 and elsewhere.requests == []


def test_an_allowance_that_is_not_a_network_is_a_clear_error(
    db: Database, settings: Settings
) -> None:
    with webhook_server() as receiver:
        world = make_world(db, webhook_url=receiver.url)
        [delivery_id] = refer(db, world)
        wrong = settings.model_copy(update={"outbound_allow_networks": ["10.0.0.0/33"]})
        with pytest.raises(UserError, match=r"TAKEDOWN_OUTBOUND_ALLOW_NETWORKS: '10\.0\.0\.0/33'"):
            deliver(db, delivery_id, wrong)
        # nothing was claimed: the delivery is due as before
        assert deliver(db, delivery_id, settings).status == "delivered"
