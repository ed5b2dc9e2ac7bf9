"""Every fault gives the right verdict, and none of them ever gives ``removed``."""

from __future__ import annotations

import asyncio

import pytest

from takedown.checker import CheckResult, Verdict
from takedown.domain.rechecks import Observation, time_to_removal
from takedown.sim import Fault, State, World

from .helpers import sim_and_checker

EXPECTED = {
    Fault.TIMEOUT: Verdict.UNREACHABLE,
    Fault.SLOW: Verdict.UNREACHABLE,
    Fault.ERROR_5XX: Verdict.UNKNOWN,
    Fault.RATE_429_LONG: Verdict.UNKNOWN,
    Fault.REDIRECT_LOOP: Verdict.UNKNOWN,
    Fault.REDIRECT_CHAIN: Verdict.UNKNOWN,
    Fault.HUGE: Verdict.UNKNOWN,
    Fault.CAPTCHA: Verdict.UNKNOWN,
    Fault.LOGIN: Verdict.RESTRICTED,
    Fault.RESET: Verdict.UNREACHABLE,
}


def _check(fault: Fault, state: State, platform: str = "youtube") -> CheckResult:
    async def scenario() -> CheckResult:
        world = World()
        item = world.new(platform, state=state, fault=fault)
        async with sim_and_checker(world) as (_, checker):
            return await checker.check(item.url)

    return asyncio.run(scenario())


@pytest.mark.parametrize("fault", list(EXPECTED))
def test_a_fault_on_a_removed_item_is_never_reported_removed(fault: Fault) -> None:
    result = _check(fault, State.REMOVED)
    assert result.verdict is EXPECTED[fault], result.reason
    assert result.reason


def test_redirect_loop_is_named_and_recorded() -> None:
    result = _check(Fault.REDIRECT_LOOP, State.LIVE)
    assert "loop" in result.reason
    assert [h.status for h in result.evidence.chain] == [302, 302]


def test_a_5xx_burst_is_retried_through() -> None:
    result = _check(Fault.BURST_5XX, State.REMOVED, "telegram")
    assert result.verdict is Verdict.REMOVED
    assert result.evidence.attempts == 3
    assert [h.status for h in result.evidence.chain][:2] == [503, 503]


def test_retry_after_is_honoured_and_the_check_then_succeeds() -> None:
    result = _check(Fault.RATE_429, State.LIVE, "x")
    assert result.verdict is Verdict.ONLINE
    assert [h.status for h in result.evidence.chain] == [429, 200]


def test_a_long_retry_after_is_reported_not_waited() -> None:
    result = _check(Fault.RATE_429_LONG, State.REMOVED)
    assert "Retry-After 3600" in result.reason and result.status == 429


def test_huge_body_is_read_only_up_to_the_cap() -> None:
    result = _check(Fault.HUGE, State.REMOVED)
    assert result.evidence.body_truncated
    assert result.evidence.body_bytes == 64 * 1024


def test_flapping_item_is_reported_honestly() -> None:
    async def scenario() -> list[CheckResult]:
        world = World()
        item = world.new("youtube", fault=Fault.FLAPPING)
        async with sim_and_checker(world) as (_, checker):
            return [await checker.check(item.url) for _ in range(3)]

    first, second, third = asyncio.run(scenario())
    assert first.verdict is Verdict.ONLINE  # request 1: live
    assert second.verdict is Verdict.UNKNOWN  # request 2 removed, confirmation 3 live
    assert second.reason.startswith("flapping")
    assert second.evidence.observations == ["removed", "online"]
    assert third.verdict is Verdict.UNKNOWN


def test_flapping_without_confirmation_shows_in_the_time_to_removal() -> None:
    async def scenario() -> list[CheckResult]:
        world = World()
        item = world.new("youtube", fault=Fault.FLAPPING)
        async with sim_and_checker(world, confirm_removed=False) as (_, checker):
            return [await checker.check(item.url) for _ in range(4)]

    results = asyncio.run(scenario())
    assert [str(r.verdict) for r in results] == ["online", "removed", "online", "removed"]
    referred = results[0].checked_at
    interval = time_to_removal(
        referred, [Observation(r.checked_at, str(r.verdict)) for r in results]
    )
    assert interval is not None
    assert interval.reinstatements == 1
    assert (interval.after, interval.by) == (results[2].checked_at, results[3].checked_at)


def test_a_cookie_wall_is_passed_and_its_cookie_kept_for_that_check_only() -> None:
    async def scenario() -> list[CheckResult]:
        world = World()
        item = world.new("youtube", state=State.REMOVED, fault=Fault.COOKIE_WALL)
        async with sim_and_checker(world) as (_, checker):
            return [await checker.check(item.url) for _ in range(2)]

    for result in asyncio.run(scenario()):
        assert result.verdict is Verdict.REMOVED, result.reason
        # the wall redirects to the same URL: with the cookie set, that is no loop
        assert [h.status for h in result.evidence.chain] == [302, 200]
        assert result.evidence.chain[0].url == result.evidence.chain[1].url
