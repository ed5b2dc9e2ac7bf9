"""The simulated platform agent receiving takedown's signed webhooks instead of polling.

Everything is real and on 127.0.0.1: the simulator, the FastAPI app (uvicorn), the agent's
webhook receiver, and takedown's outbox, whose delivery job (run in the commit hook) POSTs
each referral and order to the receiver. The agent answers through the platform API. The
receiver is on loopback, so TAKEDOWN_OUTBOUND_ALLOW_NETWORKS opens 127.0.0.1/32 here.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from takedown.cli import main
from takedown.config import get_settings
from takedown.delivery.channel import body_of
from takedown.delivery.signing import sign
from takedown.interop.tabular import Row
from takedown.jobs.queue import Jobs
from takedown.services import assessment, operations, referrals, units
from takedown.services.intake import submit_reports
from takedown.sim import State, World
from takedown.sim.agent import PlatformAgent, Policy, RemoteWorld, WebhookReceiver, find_item
from takedown.store.db import Database
from takedown.store.models import Item
from takedown.store.referrals import Delivery, Referral, RemovalOrder, Response

from ..delivery.helpers import free_port
from .test_agent import _api, _simulator

SECRET = "platform-webhook-secret-for-tests"
POLICY = Policy(seed=3, median_delay=0.02, decline_share=0.2, restrict_share=0.1, ignore_share=0.2)
ITEMS = 16
ORDERS = 2
QUIET = 3.0  # seconds without a delivery after which an until_idle agent stops


@pytest.fixture(autouse=True)
def _loopback_receivers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Webhooks to the agent's receiver on 127.0.0.1 pass the outbound guard."""
    monkeypatch.setenv("TAKEDOWN_OUTBOUND_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _platform(db: Database, world: World) -> str:
    """Units and reported items; returns the platform agent's token. Nothing is referred."""
    with db.session() as s:
        operations.create_operation(s, "OP1", actor="test")
        units.create_unit(
            s, "DE-IRU", "referral_unit", actor="test", member_state="DE", competent_authority=True
        )
        tg = units.create_unit(s, "TG", "platform", actor="test", platforms=["telegram"])
        token = units.create_token(s, tg, "platform_agent", actor="test")[1]
    with db.session() as s:
        operation = operations.get_operation(s, "OP1")
        de = units.get_unit(s, "DE-IRU")
    rows = [Row(n, {"url": i.url}) for n, i in enumerate(world.unique(), start=1)]
    submit_reports(db, operation, de, rows, actor="test", source="test")
    return token


def _refer(db: Database, webhook_url: str, secret: str = SECRET) -> tuple[list[int], list[int]]:
    """Point TG's webhook at the receiver, assess every item, order the first ORDERS and refer
    the rest. With the jobs installed, each commit sends its deliveries at once."""
    with db.session() as s:
        tg = units.get_unit(s, "TG")
        units.configure_delivery(
            s, tg, actor="test", webhook_url=webhook_url, webhook_secret=secret
        )
        de = units.get_unit(s, "DE-IRU")
        analyst = units.principal_for(de, "analyst")
        senior = units.principal_for(de, "senior_assessor")
        ids = list(s.scalars(select(Item.id).order_by(Item.id)))
        for item_id in ids:
            assessment.assess_item(
                s, analyst, item_id, verdict="terrorist_content", legal_grounds="a"
            )
    orders = []
    for item_id in ids[:ORDERS]:
        with db.session() as s:
            order = referrals.issue_removal_order(
                s, senior, item_id, grounds="a", reasons="lorem", redress="court, 1 month"
            )
            orders.append(order.id)
    with db.session() as s:
        operation = operations.get_operation(s, "OP1")
        assert referrals.refer_items(s, analyst, operation, "telegram") is not None
    return ids[ORDERS:], orders


def _with_jobs(db: Database, work: Callable[[], Any]) -> Any:
    jobs = Jobs(get_settings(), db, immediate=True)  # the delivery job runs in the commit hook
    jobs.install()
    try:
        return work()
    finally:
        jobs.uninstall()
        jobs.close()


def _deliveries(db: Database) -> list[tuple[str, str, int, str | None]]:
    with db.session() as s:
        rows = s.scalars(select(Delivery).order_by(Delivery.id))
        return [(d.subject_type, d.status, d.attempts, d.last_error) for d in rows]


def test_the_agent_answers_what_the_webhooks_deliver(db: Database, settings_env: Path) -> None:
    rng = random.Random(9)
    world = World()
    for _ in range(ITEMS):
        world.new("telegram", rng, state=State.LIVE)
    token = _platform(db, world)

    with _simulator(world) as sim, _api(db) as api:

        async def scenario() -> tuple[PlatformAgent, list[int], list[int]]:
            async with httpx.AsyncClient(trust_env=False) as client:
                control = RemoteWorld(f"http://127.0.0.1:{sim.port}", client)
                receiver = WebhookReceiver(SECRET)
                agent = PlatformAgent(
                    api, token, control, POLICY, poll_interval=QUIET, webhook=receiver
                )
                url = await agent.listen()
                assert url == f"http://127.0.0.1:{receiver.port}/"
                run = asyncio.create_task(agent.run(duration=60, until_idle=True))
                referred, orders = await asyncio.to_thread(_with_jobs, db, lambda: _refer(db, url))
                await run
                return agent, referred, orders

        agent, referred, orders = asyncio.run(scenario())
        with db.session() as s:
            urls = {i.id: i.url for i in s.scalars(select(Item))}

    # every delivery went through once, signed, and the receiver took it
    assert _deliveries(db) == [("order", "delivered", 1, None)] * ORDERS + [
        ("referral", "delivered", 1, None)
    ]
    assert agent.stats.webhooks == ORDERS + 1 and agent.stats.refused == 0
    assert (agent.stats.referrals, agent.stats.orders) == (1, ORDERS)
    assert agent.stats.errors == 0 and agent.stats.unmatched == 0
    with db.session() as s:
        assert s.scalars(select(Referral)).one().acknowledged_at is not None
        assert all(o.acknowledged_at is not None for o in s.scalars(select(RemovalOrder)))
        answers = {r.item_id: r.action for r in s.scalars(select(Response))}

    # the same answering logic as polling: the seeded policy decides, delays and all
    expected = {i: POLICY.decide("referral", i).action for i in referred}
    assert {i: answers.get(i, "ignored") for i in referred} == expected
    assert {"removed", "declined", "ignored"} <= set(expected.values())
    with db.session() as s:
        for order_id in orders:
            order = referrals.get_order(s, order_id)
            decision = POLICY.decide("order", order_id).action
            assert answers.get(order.item_id, "ignored") == decision
            assert order.status == ("closed" if decision == "removed" else "open")
    # and the simulated content agrees with what the platform said
    want = {"removed": State.REMOVED, "restricted": State.GEO_BLOCKED}
    for item_id in referred:
        sim_item = find_item(world, [urls[item_id]])
        assert sim_item is not None and sim_item.state == want.get(expected[item_id], State.LIVE)


def test_a_bad_signature_is_refused_and_nothing_reaches_the_platform(
    db: Database, settings_env: Path
) -> None:
    world, rng = World(), random.Random(1)
    for _ in range(ORDERS + 1):
        world.new("telegram", rng, state=State.LIVE)
    token = _platform(db, world)

    with _simulator(world) as sim, _api(db) as api:

        async def scenario() -> tuple[PlatformAgent, dict[str, int], list[Any]]:
            async with httpx.AsyncClient(trust_env=False) as client:
                control = RemoteWorld(f"http://127.0.0.1:{sim.port}", client)
                agent = PlatformAgent(
                    api, token, control, POLICY, webhook=WebhookReceiver(SECRET), poll_interval=60
                )
                url = await agent.listen()
                run = asyncio.create_task(agent.run(duration=60))
                # takedown signs with a secret the platform does not hold: refused, retried later
                await asyncio.to_thread(
                    _with_jobs, db, lambda: _refer(db, url, secret="not-the-platforms-secret")
                )
                delivered = _deliveries(db)
                with db.session() as s:
                    referral = s.scalars(select(Referral)).one()
                    payload, delivery_id = s.execute(
                        select(Delivery.payload, Delivery.id).where(
                            Delivery.subject_type == "referral"
                        )
                    ).one()
                    assert referral.acknowledged_at is None
                body = body_of(payload)
                now = int(time.time())
                ident = str(delivery_id)

                def signed_as(secret: str, at: int, delivery: str = ident) -> dict[str, str]:
                    return {
                        "X-Takedown-Signature": sign(secret, body, at, delivery=ident),
                        "X-Takedown-Delivery": delivery,
                    }

                genuine = signed_as(SECRET, now)
                t, _, v1 = genuine["X-Takedown-Signature"].split(",")
                forged = {
                    "unsigned": {"X-Takedown-Delivery": ident},
                    "other secret": signed_as("guess", now),
                    "stale": signed_as(SECRET, now - 3600),
                    "garbage": {"X-Takedown-Signature": "t=1,v2=00", "X-Takedown-Delivery": ident},
                    "another delivery id": signed_as(SECRET, now, str(delivery_id + 100)),
                    "no delivery id": {"X-Takedown-Signature": genuine["X-Takedown-Signature"]},
                    "v1 only": {"X-Takedown-Signature": f"{t},{v1}", "X-Takedown-Delivery": ident},
                }
                codes = {}
                for name, headers in forged.items():
                    response = await client.post(url, content=body, headers=headers)
                    codes[name] = response.status_code
                tampered = body.replace(b'"referral"', b'"referral" ', 1)
                response = await client.post(url, content=tampered, headers=genuine)
                codes["tampered body"] = response.status_code
                for name, other in {
                    "not json": b"lorem ipsum",
                    "not a referral": json.dumps({"type": "hello"}).encode(),
                }.items():
                    headers = {
                        "X-Takedown-Signature": sign(SECRET, other, now, delivery=ident),
                        "X-Takedown-Delivery": ident,
                    }
                    codes[name] = (
                        await client.post(url, content=other, headers=headers)
                    ).status_code
                codes["GET"] = (await client.get(url)).status_code
                with db.session() as s:
                    assert s.scalars(select(Referral)).one().acknowledged_at is None
                # the genuine delivery, signed with the right secret, is taken
                response = await client.post(url, content=body, headers=genuine)
                codes["genuine"] = response.status_code
                agent.stop()
                await run
                return agent, codes, delivered

        agent, codes, delivered = asyncio.run(scenario())

    assert delivered == [
        ("order", "pending", 1, "HTTP 401 Unauthorized"),
        ("order", "pending", 1, "HTTP 401 Unauthorized"),
        ("referral", "pending", 1, "HTTP 401 Unauthorized"),
    ]
    assert codes == {
        "unsigned": 401,
        "other secret": 401,
        "stale": 401,
        "garbage": 401,
        "another delivery id": 401,
        "no delivery id": 401,
        "v1 only": 401,
        "tampered body": 401,
        "not json": 400,
        "not a referral": 400,
        "GET": 405,
        "genuine": 202,
    }
    assert (agent.stats.webhooks, agent.stats.referrals, agent.stats.orders) == (1, 1, 0)
    with db.session() as s:
        assert s.scalars(select(Referral)).one().acknowledged_at is not None


def test_the_command_receives_webhooks(
    db: Database,
    settings_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`takedown simulate-platform --webhook HOST:PORT` takes a referral pushed to it."""
    world, rng = World(), random.Random(4)
    for _ in range(ORDERS + 1):
        world.new("telegram", rng, state=State.LIVE)
    token = _platform(db, world)
    port = free_port()
    with _simulator(world) as sim, _api(db) as api:
        argv = ["takedown", "simulate-platform", "--token", token, "--sim-port", str(sim.port)]
        argv += ["--api", api, "--webhook", f"127.0.0.1:{port}", "--until-idle"]
        argv += ["--poll-interval", str(QUIET), "--median-delay", "0.01", "--duration", "60"]
        monkeypatch.setenv("TAKEDOWN_WEBHOOK_SECRET", SECRET)
        monkeypatch.setattr(sys, "argv", argv)
        exits: list[object] = []

        def command() -> None:
            try:
                main()
            except SystemExit as exc:
                exits.append(exc.code)

        thread = threading.Thread(target=command)
        thread.start()
        for _ in range(500):  # until the receiver listens
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1.0)
                break
            except httpx.TransportError:
                time.sleep(0.02)
        _with_jobs(db, lambda: _refer(db, f"http://127.0.0.1:{port}/hooks/takedown"))
        thread.join(60)
    assert not thread.is_alive() and exits in ([], [0])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["ok"] is True and (out["webhooks"], out["refused"]) == (ORDERS + 1, 0)
    assert (out["referrals"], out["orders"]) == (1, ORDERS)
    assert sum(out["answers"].values()) + out["ignored"] == 3
    assert [status for _, status, _, _ in _deliveries(db)] == ["delivered"] * (ORDERS + 1)
