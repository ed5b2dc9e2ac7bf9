"""The SSRF guard refuses hostile URLs and redirects; a stub resolver keeps every packet local."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from takedown.checker import Checker, CheckerSettings, Guard, Refused, StubResolver, Verdict
from takedown.checker.guard import parse_ipv4_loose
from takedown.sim import State, World

from .helpers import FAST, sim_and_checker

RESOLVER = StubResolver(
    {
        "internal.example": ["10.0.0.7"],
        "metadata.example": ["169.254.169.254"],
        "mixed.example": ["93.184.216.34", "192.168.1.1"],
        "v6inside.example": ["fd00::1"],
        "mapped.example": ["::ffff:8.8.8.8"],
        "cgnat.example": ["100.64.0.1"],
        "loop.example": ["127.0.0.1"],
        "multicast.example": ["224.0.0.251"],
        "zero.example": ["0.0.0.0"],
        "bad.example": ["not-an-ip"],
        "empty.example": [],
    }
)

HOSTILE = [
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",
    "http://017700000001/",
    "http://0177.0.0.1/",
    "http://0x7f000001/",
    "http://0x7f.0x0.0x0.0x1/",
    "http://0x7f.1/",
    "http://127.000.000.001/",
    "http://0/",
    "http://0.0.0.0/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://240.0.0.1/",
    "http://[::1]/",
    "http://[::]/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:8.8.8.8]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[ff02::1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    "http://[::127.0.0.1]/",
    "http://localhost/",
    "http://LOCALHOST./",
    "http://foo.localhost/",
    "http://ip6-localhost/",
    "http://internal.example/",
    "http://metadata.example/",
    "http://mixed.example/",
    "http://v6inside.example/",
    "http://mapped.example/",
    "http://cgnat.example/",
    "http://loop.example/",
    "http://multicast.example/",
    "http://zero.example/",
    "http://bad.example/",
    "http://empty.example/",
    "http://user:pw@127.0.0.1/",
    "http://example.com@10.0.0.1/",
    "http://1.2.3.4.5/",
    "http://08.0.0.1/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:70/",
    "ftp://10.0.0.1/",
    "ws://127.0.0.1/",
    "dict://127.0.0.1:11211/",
]


async def _check_all(urls: list[str], settings: CheckerSettings) -> list[str]:
    async with Checker(settings, resolver=RESOLVER) as checker:
        results = await checker.check_many(urls)
    assert all(r.verdict is Verdict.UNKNOWN for r in results), [
        (r.url, r.verdict, r.reason) for r in results if r.verdict is not Verdict.UNKNOWN
    ]
    assert all(not r.evidence.chain for r in results)  # nothing was sent
    return [r.reason for r in results]


def test_hostile_urls_are_refused_before_any_request() -> None:
    assert len(HOSTILE) >= 40
    reasons = asyncio.run(_check_all(HOSTILE, CheckerSettings()))
    for url, reason in zip(HOSTILE, reasons, strict=True):
        assert reason.startswith("refused:"), (url, reason)


def test_allowing_one_address_does_not_open_its_neighbours() -> None:
    settings = CheckerSettings(allow_networks=("127.0.0.1/32",))
    urls = ["http://127.0.0.2/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://10.0.0.1/"]
    asyncio.run(_check_all(urls, settings))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("192.168.257", "192.168.1.1"),
        ("example.com", None),
    ],
)
def test_numeric_hosts_are_read_like_inet_aton(text: str, expected: str | None) -> None:
    ip = parse_ipv4_loose(text)
    assert (str(ip) if ip else None) == expected


def test_public_addresses_pass_and_embedded_private_ones_do_not() -> None:
    guard = Guard()
    guard.vet_address(ipaddress.ip_address("93.184.216.34"))
    guard.vet_address(ipaddress.ip_address("2606:2800:220:1::1"))
    for text in ("2002:0a00:0001::", "64:ff9b::a00:1", "::ffff:93.184.216.34"):
        with pytest.raises(Refused):
            guard.vet_address(ipaddress.ip_address(text))


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://127.0.0.2/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://internal.example/",
        "http://metadata.example/",
        "http://0x7f000002/",
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
    ],
)
def test_redirects_into_the_inside_are_refused(location: str) -> None:
    async def scenario() -> None:
        world = World()
        link = world.new("shortener", target=location)
        async with sim_and_checker(world) as (sim, _):
            settings = CheckerSettings(
                allow_networks=("127.0.0.1/32",), connect_to=(f"bit.ly:80:127.0.0.1:{sim.port}",)
            )
            async with Checker(settings, resolver=RESOLVER) as checker:
                result = await checker.check(link.url)
        assert result.verdict is Verdict.UNKNOWN
        assert result.reason.startswith("refused:"), result.reason
        assert [hop.status for hop in result.evidence.chain] == [301]

    asyncio.run(scenario())


def test_connect_to_still_vets_the_address_it_points_at() -> None:
    settings = CheckerSettings(connect_to=("::10.0.0.1:80",))
    result = asyncio.run(_check_all(["http://t.me/s/chan"], settings))
    assert "10.0.0.1" in result[0]


def test_the_checker_connects_to_the_address_it_vetted() -> None:
    async def scenario() -> None:
        world = World()
        item = world.new("telegram")
        async with sim_and_checker(world) as (sim, checker):
            result = await checker.check(item.url)
        assert result.verdict is Verdict.ONLINE
        assert result.evidence.chain[0].address == f"127.0.0.1:{sim.port}"

    asyncio.run(scenario())


def test_a_dns_answer_that_changes_is_vetted_at_connect_time() -> None:
    class Rebinding:
        def __init__(self) -> None:
            self.calls = 0

        async def resolve(self, host: str, port: int) -> list[str]:
            self.calls += 1
            return ["127.0.0.1"] if self.calls == 1 else ["10.0.0.9"]

    async def scenario() -> None:
        world = World()
        item = world.new("youtube", state=State.LIVE)
        async with sim_and_checker(world) as (sim, _):
            settings = FAST.__class__(
                allow_networks=("127.0.0.1/32",),
                connect_to=(f"::rebind.example:{sim.port}",),
                check_timeout=2.0,
            )
            resolver = Rebinding()
            async with Checker(settings, resolver=resolver) as checker:
                first = await checker.check(item.url)
                await checker.client.aclose()  # force a new connection for the second check
            async with Checker(settings, resolver=resolver) as checker:
                second = await checker.check(item.url)
        assert first.verdict is Verdict.ONLINE
        assert second.verdict is Verdict.UNKNOWN and "10.0.0.9" in second.reason

    asyncio.run(scenario())
