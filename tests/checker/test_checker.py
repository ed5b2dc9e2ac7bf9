"""Evidence, shorteners, proxy, user agent, connect-to, per-host limits and the CLI."""

from __future__ import annotations

import asyncio
import json

import pytest
from typer.testing import CliRunner

from takedown.checker import Checker, CheckResult, ConnectTo, StubResolver, Verdict
from takedown.checker.limits import backoff, retry_after
from takedown.cli import app
from takedown.sim import State, World

from .helpers import FAST, PUBLIC, sim_and_checker, threaded_sim


def test_a_verdict_carries_its_evidence() -> None:
    async def scenario() -> CheckResult:
        world = World()
        item = world.new("youtube", state=State.REMOVED)
        async with sim_and_checker(world) as (_, checker):
            return await checker.check(item.url)

    result = asyncio.run(scenario())
    out = result.as_dict()
    assert set(out) == {"url", "verdict", "reason", "status", "final_url", "evidence", "checked_at"}
    assert out["verdict"] == "removed" and out["status"] == 200
    ev = out["evidence"]
    assert ev["rule"] == "youtube.removed_policy" and ev["platform"] == "youtube"
    assert len(ev["body_sha256"]) == 64 and ev["headers"]["content-type"].startswith("text/html")
    assert ev["chain"][0]["status"] == 200 and ev["observations"] == ["removed", "removed"]


def test_a_shortener_is_resolved_and_its_target_recorded() -> None:
    async def scenario() -> tuple[CheckResult, str]:
        world = World()
        target = world.new("telegram", state=State.REMOVED, kind="post", path="/lorem_chan/7")
        link = world.new("shortener", target=target.url)
        async with sim_and_checker(world) as (_, checker):
            return await checker.check(link.url), target.url

    result, target = asyncio.run(scenario())
    assert result.verdict is Verdict.REMOVED
    assert result.final_url == target
    assert result.evidence.shortener == {"url": result.url, "target": target}
    assert [h.status for h in result.evidence.chain] == [301, 200]


def test_removed_telegram_channel_preview_redirects_and_is_followed() -> None:
    async def scenario() -> CheckResult:
        world = World()
        chan = world.new(
            "telegram", state=State.REMOVED, kind="channel", path="/s/lorem", aliases=("/lorem",)
        )
        async with sim_and_checker(world) as (_, checker):
            return await checker.check(chan.url)

    result = asyncio.run(scenario())
    assert result.verdict is Verdict.REMOVED and result.final_url == "http://t.me/lorem"


def test_checks_go_through_the_proxy_with_the_configured_user_agent() -> None:
    async def scenario() -> tuple[CheckResult, dict[str, object]]:
        world = World()
        item = world.new("youtube")
        async with sim_and_checker(world) as (sim, _):
            settings = FAST.__class__(
                proxy=f"http://127.0.0.1:{sim.port}",
                user_agent="unit-7-checker/1.0",
                check_timeout=3.0,
            )
            async with Checker(settings, resolver=StubResolver(PUBLIC)) as checker:
                result = await checker.check(item.url)
            return result, sim.stats_dict()["www.youtube.com"]

    result, stats = asyncio.run(scenario())
    assert result.verdict is Verdict.ONLINE
    assert stats["proxied"] == 1 and stats["user_agent"] == "unit-7-checker/1.0"


def test_the_proxy_does_not_carry_requests_the_guard_refuses() -> None:
    async def scenario() -> CheckResult:
        async with sim_and_checker(World()) as (sim, _):
            settings = FAST.__class__(proxy=f"http://127.0.0.1:{sim.port}")
            async with Checker(
                settings, resolver=StubResolver({"intra.example": ["10.1.1.1"]})
            ) as c:
                return await c.check("http://intra.example/")

    result = asyncio.run(scenario())
    assert result.verdict is Verdict.UNKNOWN and "10.1.1.1" in result.reason


def test_per_host_concurrency_holds_on_the_server_side() -> None:
    async def scenario() -> dict[str, dict[str, int]]:
        world = World.generate(["telegram", "x", "vk"], 60, seed=3, removed_share=0.5)
        urls = [i.url for i in world.unique()]
        async with sim_and_checker(world, per_host_concurrency=3, concurrency=50) as (sim, c):
            sim.latency = 0.01
            await c.check_many(urls)
            return sim.stats_dict()

    stats = asyncio.run(scenario())
    assert {h: s["max_in_flight"] for h, s in stats.items()} == {"t.me": 3, "x.com": 3, "vk.com": 3}


def test_connect_to_parses_like_curl() -> None:
    rule = ConnectTo.parse("t.me:443:[::1]:8443")
    assert (rule.host, rule.port, rule.addr, rule.port2) == ("t.me", 443, "::1", 8443)
    anyhost = ConnectTo.parse("::127.0.0.1:")
    assert anyhost.applies("x.com", 80) and anyhost.port2 is None
    with pytest.raises(ValueError, match="HOST:PORT:ADDR:PORT2"):
        ConnectTo.parse("t.me:443")


def test_retry_after_and_backoff() -> None:
    assert retry_after("7") == 7.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after("soon") is None
    waits = [backoff(n, 0.5, 4.0) for n in range(6)]
    assert all(0.25 <= w <= 4.0 for w in waits) and waits[5] >= 2.0


def test_cli_check_prints_one_json_object_per_url() -> None:
    world = World()
    live = world.new("x")
    gone = world.new("x", state=State.REMOVED)
    with threaded_sim(world) as sim:
        result = CliRunner().invoke(
            app,
            [
                "check",
                live.url,
                gone.url,
                "http://10.0.0.1/",
                "--json",
                "--allow-network",
                "127.0.0.1/32",
                "--connect-to",
                f"x.com:80:127.0.0.1:{sim.port}",
                "--timeout",
                "5",
                "--rate",
                "0",
            ],
        )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [o["verdict"] for o in lines] == ["online", "removed", "unknown"]
    assert lines[2]["reason"].startswith("refused:")


@pytest.mark.parametrize(
    "args",
    [["--allow-network", "10.0.0.0/33"], ["--connect-to", "nonsense"], ["--proxy", "ftp://p"]],
)
def test_cli_check_rejects_bad_options_without_a_traceback(args: list[str]) -> None:
    result = CliRunner().invoke(app, ["check", "http://x.com/", *args])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_the_per_host_rate_limit_spreads_requests_over_time() -> None:
    async def scenario() -> int:
        world = World()
        items = [world.new("vk") for _ in range(8)]
        async with sim_and_checker(world, per_host_rate=5.0, per_host_burst=1) as (sim, c):
            await c.check_many([i.url for i in items])
            return int(sim.stats_dict()["vk.com"]["max_per_second"])

    assert asyncio.run(scenario()) < 8  # without the limit all 8 arrive within one second
