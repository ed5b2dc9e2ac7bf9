"""Shared test helpers: a webhook receiver and an SMTP server on loopback, and a referral.

Real servers, no mocks: the webhook receiver is http.server on 127.0.0.1 and checks nothing
itself (tests verify what it recorded); the SMTP server is aiosmtpd.

Webhooks go through the outbound guard, which refuses loopback unless allowed: the settings
and units made here allow 127.0.0.1/32 (``LOOPBACK``), and while a receiver runs so does
``TAKEDOWN_OUTBOUND_ALLOW_NETWORKS`` in this process's environment, for the ``takedown worker``
a test may start. Nothing else on loopback (127.0.0.2, ::1) is allowed.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import select

from takedown.config import Settings, get_settings
from takedown.interop.tabular import Row
from takedown.services import assessment, operations, referrals, units
from takedown.services.intake import submit_reports
from takedown.services.units import Principal
from takedown.store.db import Database
from takedown.store.referrals import Delivery


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """What the webhook server answers (``script``, then ``default``) and what it received."""

    url: str = ""
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    default: tuple[int, dict[str, str]] = (200, {})
    requests: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)


LOOPBACK = ["127.0.0.1/32"]


@contextmanager
def loopback_allowed() -> Iterator[None]:
    """TAKEDOWN_OUTBOUND_ALLOW_NETWORKS opens 127.0.0.1/32 for this process and the ones it
    starts, until the block ends (the value it had is put back)."""
    name = "TAKEDOWN_OUTBOUND_ALLOW_NETWORKS"
    before = os.environ.get(name)
    os.environ[name] = json.dumps(LOOPBACK)
    get_settings.cache_clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before
        get_settings.cache_clear()


@contextmanager
def webhook_server(
    host: str = "127.0.0.1", body: bytes = b"", reason: str | None = None
) -> Iterator[Receiver]:
    """A receiver on ``host`` answering what its ``script`` says, with ``body`` (and the
    ``reason`` phrase, when given) in every answer."""
    receiver = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                receiver.requests.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                status, headers = receiver.script.pop(0) if receiver.script else receiver.default
            self.send_response(status, reason)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            receiver.arrived.set()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://{host}:{server.server_address[1]}/hooks/takedown"
    try:
        with loopback_allowed():
            yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(**kwargs: Any) -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def make_settings(db_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "var",
        "database_url": db_url,
        "webhook_timeout": 5.0,
        "webhook_max_attempts": 3,
        "webhook_backoff": 30.0,
        "smtp_host": "127.0.0.1",
        "smtp_port": 1,
        "workers": 1,
        "outbound_allow_networks": LOOPBACK,
        **overrides,
    }
    return Settings(**values)


@dataclass
class World:
    analyst: Principal
    senior: Principal
    admin: Principal
    platform_unit_id: int
    operation_id: int
    item_ids: list[int]
    secret: str | None


URLS = ("https://t.me/lorem_ipsum_chan/12", "https://t.me/dolor_sit_amet/345")


def make_world(
    db: Database, *, webhook_url: str | None = None, email: str | None = None, assess: bool = True
) -> World:
    """A competent authority, a coordinator, a Telegram platform unit and two assessed items."""
    with db.session() as s:
        iru = units.create_unit(
            s, "DE-IRU", "referral_unit", actor="test", member_state="DE", competent_authority=True
        )
        coord = units.create_unit(s, "EU-COORD", "coordinator", actor="test")
        tg = units.create_unit(s, "TG", "platform", actor="test", platforms=["telegram"])
        if webhook_url or email:
            units.configure_delivery(
                s, tg, actor="test", webhook_url=webhook_url, email=email, allow_networks=LOOPBACK
            )
        op = operations.create_operation(s, "RAD-2026", actor="test")
        world = World(
            analyst=units.principal_for(iru, "analyst", token_id=1),
            senior=units.principal_for(iru, "senior_assessor", token_id=2),
            admin=units.principal_for(coord, "admin", token_id=3),
            platform_unit_id=tg.id,
            operation_id=op.id,
            item_ids=[],
            secret=tg.webhook_secret,
        )
    with db.session() as s:
        unit = units.get_unit(s, "DE-IRU")
        operation = operations.get_operation(s, "RAD-2026")
    rows = [Row(n, {"url": url}) for n, url in enumerate(URLS, start=1)]
    result = submit_reports(
        db, operation, unit, rows=rows, actor="test", source="test", keep_items=True
    )
    world.item_ids = [a.item_id for a in result.items]
    if assess:
        with db.session() as s:
            for item_id in world.item_ids:
                assessment.assess_item(
                    s, world.analyst, item_id, verdict="terrorist_content", legal_grounds=["a"]
                )
    return world


def refer(db: Database, world: World) -> list[int]:
    """Refer the ready items; returns the ids of the deliveries the referral put in the outbox."""
    with db.session() as s:
        operation = operations.get_operation(s, world.operation_id)
        referral = referrals.refer_items(s, world.analyst, operation, "telegram")
        assert referral is not None
        return list(
            s.scalars(
                select(Delivery.id).where(Delivery.subject_id == referral.id).order_by(Delivery.id)
            )
        )


def delivery(db: Database, delivery_id: int) -> Delivery:
    with db.session() as s:
        row = s.get(Delivery, delivery_id)
        assert row is not None
        return row
