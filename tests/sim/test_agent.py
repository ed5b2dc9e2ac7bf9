"""The simulated platform agent: it answers referrals and orders over the real pull API.

A real ``SimServer`` and the real FastAPI app (uvicorn) run on 127.0.0.1 in threads; the
agent polls, acknowledges, removes in the simulator before it says ``removed``, and the
checker then proves the removal.
"""

from __future__ import annotations

import asyncio
import random
import socket
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from takedown.checker import Checker, CheckerSettings
from takedown.cli import main
from takedown.config import get_settings
from takedown.interop.tabular import Row
from takedown.services import assessment, operations, referrals, units
from takedown.services.intake import submit_reports
from takedown.services.verification import verify_items
from takedown.sim import SimServer, State, World
from takedown.sim.agent import LocalWorld, PlatformAgent, Policy, RemoteWorld, find_item
from takedown.store.db import Database
from takedown.store.models import Item
from takedown.store.referrals import Referral, RemovalOrder, Response
from takedown.web.app import create_app

POLICY = Policy(seed=11, median_delay=0.02, decline_share=0.2, restrict_share=0.1, ignore_share=0.2)
ITEMS = 40
ORDERS = 3


@contextmanager
def _simulator(world: World) -> Iterator[SimServer]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="sim", daemon=True)
    thread.start()
    sim = SimServer(world)
    asyncio.run_coroutine_threadsafe(sim.start(), loop).result(10)
    try:
        yield sim
    finally:
        asyncio.run_coroutine_threadsafe(sim.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@contextmanager
def _api(db: Database) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    app = create_app(get_settings(), db)
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        threading.Event().wait(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def _referred(db: Database, world: World) -> tuple[str, list[int], list[int]]:
    """A platform token, the referred item ids, and the ids of removal orders."""
    with db.session() as s:
        operation = operations.create_operation(s, "OP1", actor="test")
        de = units.create_unit(
            s, "DE-IRU", "referral_unit", actor="test", member_state="DE", competent_authority=True
        )
        tg = units.create_unit(s, "TG", "platform", actor="test", platforms=["telegram"])
        token = units.create_token(s, tg, "platform_agent", actor="test")[1]
    rows = [Row(n, {"url": i.url}) for n, i in enumerate(world.unique(), start=1)]
    submit_reports(db, operation, de, rows, actor="test", source="test")
    analyst = units.principal_for(de, "analyst")
    senior = units.principal_for(de, "senior_assessor")
    with db.session() as s:
        ids = list(s.scalars(select(Item.id).order_by(Item.id)))
        for item_id in ids:
            assessment.assess_item(
                s, analyst, item_id, verdict="terrorist_content", legal_grounds=["a"]
            )
        orders = [
            referrals.issue_removal_order(
                s, senior, item_id, grounds="a", reasons="lorem", redress="court, 1 month"
            ).id
            for item_id in ids[:ORDERS]
        ]
        referral = referrals.refer_items(s, analyst, operation, "telegram")
        assert referral is not None
    return token, ids[ORDERS:], orders


def _answers(db: Database) -> dict[int, str]:
    with db.session() as s:
        return {r.item_id: r.action for r in s.scalars(select(Response).order_by(Response.id))}


def test_the_agent_answers_by_its_policy_and_the_checker_proves_removals(
    db: Database, settings_env: Path
) -> None:
    rng = random.Random(5)
    world = World()
    for _ in range(ITEMS):
        world.new("telegram", rng, state=State.LIVE)
    token, referred, orders = _referred(db, world)

    with _simulator(world) as sim, _api(db) as api:

        async def scenario() -> PlatformAgent:
            async with httpx.AsyncClient(trust_env=False) as client:
                control = RemoteWorld(f"http://127.0.0.1:{sim.port}", client)
                agent = PlatformAgent(api, token, control, POLICY, poll_interval=0.02)
                await agent.run(duration=20, until_idle=True)
                return agent

        agent = asyncio.run(scenario())
        removed = [i for i in referred if POLICY.decide("referral", i).action == "removed"]
        checker = CheckerSettings(
            allow_networks=("127.0.0.1/32",), connect_to=(sim.connect_to(),), per_host_rate=0
        )
        with db.session() as s:
            urls = {i.id: i.url for i in s.scalars(select(Item))}

        async def check(item_ids: list[int]) -> list[str]:
            async with Checker(checker) as c:
                return [(await c.check(urls[i])).verdict for i in item_ids]

        verdicts = asyncio.run(check(removed))
        recorded = verify_items(db, removed, checker)

    # acknowledged: the referral, and every order (listing is receipt, then ack)
    with db.session() as s:
        referral = s.scalars(select(Referral)).one()
        assert referral.acknowledged_at is not None
        assert all(o.acknowledged_at is not None for o in s.scalars(select(RemovalOrder)))
    assert (agent.stats.referrals, agent.stats.orders) == (1, ORDERS)

    # every referred item was answered as the seeded policy decided, or not at all
    answers = _answers(db)
    expected = {i: POLICY.decide("referral", i).action for i in referred}
    assert {i: answers.get(i, "ignored") for i in referred} == expected
    shares = Counter(expected.values())
    for action, share in [
        ("declined", POLICY.decline_share),
        ("restricted", POLICY.restrict_share),
        ("ignored", POLICY.ignore_share),
    ]:
        assert shares[action] > 0
        assert abs(shares[action] / len(referred) - share) <= 0.15, shares
    assert agent.stats.unmatched == 0 and agent.stats.errors == 0

    # orders: removed, unless the policy ignores them
    with db.session() as s:
        for order_id in orders:
            order = referrals.get_order(s, order_id)
            decision = POLICY.decide("order", order.id).action
            assert answers.get(order.item_id, "ignored") == decision
            assert order.status == ("closed" if decision == "removed" else "open")

    # the simulated content agrees with the answers
    for item_id in referred:
        sim_item = find_item(world, [urls[item_id]])
        assert sim_item is not None
        want = {"removed": State.REMOVED, "restricted": State.GEO_BLOCKED}
        assert sim_item.state == want.get(expected[item_id], State.LIVE)

    # and the checker proves each claimed removal: the item becomes verified_removed
    assert verdicts == ["removed"] * len(removed)
    assert [c.verdict for c in recorded] == ["removed"] * len(removed)
    with db.session() as s:
        states = {i.id: i.state for i in s.scalars(select(Item).where(Item.id.in_(removed)))}
    assert set(states.values()) == {"verified_removed"}


def test_the_policy_is_seeded_and_orders_are_faster() -> None:
    policy = Policy(seed=1, median_delay=100.0)
    assert [policy.decide("referral", i) for i in range(50)] == [
        Policy(seed=1, median_delay=100.0).decide("referral", i) for i in range(50)
    ]
    referral_delays = sorted(policy.decide("referral", i).delay for i in range(401))
    order_delays = sorted(policy.decide("order", i).delay for i in range(401))
    assert order_delays[200] < referral_delays[200]
    assert 50 < referral_delays[200] < 200  # the median is near median_delay
    expo = Policy(seed=1, median_delay=100.0, distribution="exponential")
    assert 50 < sorted(expo.decide("referral", i).delay for i in range(401))[200] < 200
    for bad in ({"decline_share": 1.5}, {"decline_share": 0.6, "ignore_share": 0.6}):
        with pytest.raises(ValueError, match="share"):
            Policy(**bad)  # type: ignore[arg-type]


def test_items_are_found_by_url_alias_and_www() -> None:
    world = World()
    post = world.new("telegram", kind="post", path="/chan_a/7", aliases=("/s/chan_a/7",))
    video = world.new("youtube", kind="video", path="/watch?v=abcdefghijk")
    assert find_item(world, ["https://t.me/s/chan_a/7#frag"]) is post
    assert find_item(world, ["https://nowhere.example/", "http://youtube.com/watch?v=abcdefghijk"])
    assert find_item(world, ["https://youtube.com/watch?v=abcdefghijk"]) is video
    assert find_item(world, ["https://t.me/chan_a/8"]) is None
    assert asyncio.run(LocalWorld(world).set_state(["http://t.me/chan_a/7"], State.REMOVED))
    assert post.state is State.REMOVED


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--decline-share", "2"], "--decline-share must be between 0 and 1"),
        (["--api", "ftp://x"], "--api: 'ftp://x' must start with http"),
        (["--distribution", "normal"], "use lognormal or exponential"),
        (["--api", "http://127.0.0.1:9"], "--api: cannot reach"),
        (["--webhook", "localhost"], "--webhook: 'localhost' is not HOST:PORT"),
        (["--webhook", "127.0.0.1:99999"], "is not HOST:PORT"),
        (["--webhook", "8089"], "--webhook needs --webhook-secret"),
        (["--webhook-secret", "s"], "--webhook-secret is only used with --webhook"),
    ],
)
def test_the_command_refuses_mistakes_without_a_traceback(
    args: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("TAKEDOWN_WEBHOOK_SECRET", raising=False)
    argv = ["takedown", "simulate-platform", "--token", "t", "--sim-port", "9", *args]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
