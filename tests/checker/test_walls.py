"""Login and consent walls: restricted with their reason, never unreachable or removed."""

from __future__ import annotations

import asyncio

import pytest

from takedown.checker import CheckResult, Verdict
from takedown.sim import Fault, State, World

from .helpers import Answer, Route, page_server_and_checker, sim_and_checker

LOGIN_HOSTS = {
    "instagram": "www.instagram.com",
    "facebook": "www.facebook.com",
    "x": "x.com",
    "tiktok": "www.tiktok.com",
}


def _check_sim(
    world: World, url: str, consent: str | None = None
) -> tuple[CheckResult, dict[str, object]]:
    async def scenario() -> tuple[CheckResult, dict[str, object]]:
        async with sim_and_checker(world, consent) as (server, checker):
            return await checker.check(url), server.stats_dict()

    return asyncio.run(scenario())


@pytest.mark.parametrize("platform", [*LOGIN_HOSTS, "youtube", "vk"])
@pytest.mark.parametrize("state", [State.LIVE, State.REMOVED])
def test_a_redirect_to_a_login_page_is_a_login_wall_decided_without_following(
    platform: str, state: State
) -> None:
    world = World()
    item = world.new(platform, state=state, fault=Fault.LOGIN)
    result, stats = _check_sim(world, item.url)
    assert (result.verdict, result.reason) == (Verdict.RESTRICTED, "login wall")
    assert [hop.status for hop in result.evidence.chain] == [302]
    assert "login" in str(result.final_url).lower()  # where the redirect led, as the evidence
    assert result.evidence.rule in (f"{platform}.login_wall", "login_wall")
    # the login page itself was never asked for
    host_stats = stats[item.host]
    assert isinstance(host_stats, dict) and host_stats["requests"] == 1


def test_each_platforms_own_login_page_is_named_by_its_rule() -> None:
    world = World()
    items = {p: world.new(p, fault=Fault.LOGIN) for p in LOGIN_HOSTS}

    async def scenario() -> dict[str, str | None]:
        async with sim_and_checker(world) as (_, checker):
            results = await checker.check_many([i.url for i in items.values()])
        return {p: r.evidence.rule for p, r in zip(items, results, strict=True)}

    assert asyncio.run(scenario()) == {p: f"{p}.login_wall" for p in LOGIN_HOSTS}


def _consent(consent: str, state: State, via_shortener: bool = False) -> CheckResult:
    world = World()
    item = world.new("youtube", state=state)
    url = world.new("shortener", target=item.url).url if via_shortener else item.url
    return _check_sim(world, url, consent)[0]


def test_a_consent_wall_is_answered_with_the_cookie_and_the_page_read() -> None:
    live = _consent("ask", State.LIVE)
    assert live.verdict is Verdict.ONLINE, live.reason
    # asked, sent to the consent host, asked again with the cookie: never to the consent host
    assert [(h.status, h.url) for h in live.evidence.chain] == [
        (302, live.url),
        (200, live.url),
    ]
    assert "consent.youtube.com" in str(live.evidence.chain[0].location)
    removed = _consent("ask", State.REMOVED)
    assert (removed.verdict, removed.evidence.rule) == (Verdict.REMOVED, "youtube.removed_policy")
    assert removed.evidence.observations == ["removed", "removed"]


def test_a_consent_wall_met_through_a_shortener_is_answered_too() -> None:
    result = _consent("ask", State.REMOVED, via_shortener=True)
    assert result.verdict is Verdict.REMOVED
    assert [h.status for h in result.evidence.chain] == [301, 302, 200]


@pytest.mark.parametrize("state", [State.LIVE, State.REMOVED])
def test_a_consent_wall_that_remains_is_restricted(state: State) -> None:
    result = _consent("insist", state)
    assert (result.verdict, result.reason) == (Verdict.RESTRICTED, "consent wall")
    assert result.evidence.rule == "youtube.consent_wall"
    assert [h.status for h in result.evidence.chain] == [302, 302]
    assert str(result.final_url).startswith("http://consent.youtube.com/m?continue=")


def test_googles_consent_host_is_answered_with_googles_cookie() -> None:
    def search(cookie: str) -> Answer:
        if "SOCS=CAI" in cookie:
            return Answer(200, b"<html><body><p>Lorem ipsum results</p></body></html>")
        wall = "https://consent.google.com/ml?continue=https://www.google.com/search?q%3Dlorem"
        return Answer(303, headers={"Location": wall})

    async def scenario() -> tuple[CheckResult, CheckResult, list[tuple[str, str]]]:
        routes: dict[tuple[str, str], Route] = {
            ("www.google.com", "/search?q=lorem"): search,
            ("www.google.com", "/search?q=ipsum"): Answer(  # the wall, whatever is sent
                302, headers={"Location": "https://consent.google.com/m"}
            ),
        }
        async with page_server_and_checker(routes) as (server, checker):
            answered = await checker.check("http://www.google.com/search?q=lorem")
            stuck = await checker.check("http://www.google.com/search?q=ipsum")
            return answered, stuck, server.asked

    answered, stuck, asked = asyncio.run(scenario())
    assert answered.verdict is Verdict.ONLINE and len(answered.evidence.chain) == 2
    assert (stuck.verdict, stuck.reason) == (Verdict.RESTRICTED, "consent wall")
    assert stuck.evidence.rule == "google.consent_wall"
    assert not any(host.startswith("consent.") for host, _ in asked)


def test_the_consent_cookie_stays_with_its_check() -> None:
    """Each check meets the wall afresh: no cookie carries over to the next check."""
    world = World()
    item = world.new("youtube")

    async def scenario() -> list[CheckResult]:
        async with sim_and_checker(world, consent="ask") as (_, checker):
            return [await checker.check(item.url) for _ in range(2)]

    for result in asyncio.run(scenario()):
        assert [h.status for h in result.evidence.chain] == [302, 200]
